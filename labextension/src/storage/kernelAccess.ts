/**
 * How the kernel's file system reaches the drive in pieces, through the
 * stock channel (the kernel's drive requests, answered by JupyterLite's
 * `DriveContentsProcessor` over the service worker or SharedArrayBuffer).
 *
 * The processor hands a `put` to `contents.save(path, { content, format })`
 * and a `get` to `contents.get(path, { content: true })`, and knows nothing
 * else; when the drive throws, the processor throws, and the kernel hangs
 * (service worker) or sees success (SharedArrayBuffer). So the kernel side
 * (see `kernelDrivePatch.ts`) speaks through those two calls:
 *
 * - a write is `put`s whose format is `luml-write/<id>/<offset>` with a
 *   base64 piece, then `luml-write/<id>/commit/<size>/<format>`; the drive
 *   never throws on them and keeps the outcome;
 * - the kernel then `get`s `.luml-kernel/status/<id>`: a JSON text
 *   `{ ok, errno, message }` it turns into an OSError;
 * - a read `get`s `.luml-kernel/range/<start>/<end>/<path>`: a JSON text
 *   `{ size, data }` with the bytes in base64.
 *
 * Through the service worker, each request is a synchronous XHR whose JSON
 * body the service worker parses and posts over a BroadcastChannel to the
 * page, and back: a base64 piece crosses three processes as a string. So
 * there, a write's pieces take another way (`IKernelPiece`): the kernel
 * `get`s `.luml-kernel/channel` once, and when the page names a
 * BroadcastChannel it posts each piece there as bytes, without waiting; it
 * `get`s `.luml-kernel/stored/<id>/<bytes>/<path>` (answered once that many
 * bytes are stored, or the write failed: `{ ok, stored }`) to keep at most
 * `KERNEL_PIECES_AHEAD` pieces ahead of the page, and commits as above. The
 * page stores a piece while the next one travels. A read there `get`s
 * `.luml-kernel/blob/<start>/<end>/<path>` for each `KERNEL_READ_SIZE`
 * bytes in turn: `{ size, format, version, url }` (`IKernelBlobAnswer`),
 * the URL of a Blob of just those bytes (clipped to the file), which the
 * kernel reads by a synchronous XHR (a blob URL is not the service
 * worker's), then `get`s `.luml-kernel/release/<the URL's last part>`. The
 * page holds one range at a time, never the file: a Blob of a whole file of
 * 600 MB or more may not be made or read in a context whose blob storage
 * cannot page to disk. A read whose size or version changes between its
 * ranges fails (EIO) rather than mixing two contents.
 */

export const WRITE_FORMAT_PREFIX = 'luml-write/';

/** Reserved paths the drive answers itself; nothing is ever stored there. */
export const KERNEL_PATH_PREFIX = '.luml-kernel/';

/** Bytes per kernel request: a few chunks, and small strings to pass. */
export const KERNEL_PIECE_SIZE = 8 * 1024 * 1024;

export type KernelWrite =
  | { kind: 'piece'; id: string; offset: number }
  | { kind: 'commit'; id: string; size: number; format: string };

export function parseWriteFormat(format: unknown): KernelWrite | null {
  if (typeof format !== 'string' || !format.startsWith(WRITE_FORMAT_PREFIX)) {
    return null;
  }
  const parts = format.slice(WRITE_FORMAT_PREFIX.length).split('/');
  const [id] = parts;
  if (!id) {
    return null;
  }
  if (parts.length === 2) {
    const offset = Number(parts[1]);
    return Number.isSafeInteger(offset) ? { kind: 'piece', id, offset } : null;
  }
  if (parts.length === 4 && parts[1] === 'commit') {
    const size = Number(parts[2]);
    return Number.isSafeInteger(size)
      ? { kind: 'commit', id, size, format: parts[3] }
      : null;
  }
  return null;
}

/** Bytes per blob URL, and per XHR, of a kernel read through the page. */
export const KERNEL_READ_SIZE = 32 * 1024 * 1024;

/** Pieces a kernel may post ahead of what the page has stored. */
export const KERNEL_PIECES_AHEAD = 2;

/** The page's BroadcastChannel for kernel pieces: this name + a page id. */
export const KERNEL_CHANNEL_PREFIX = 'luml-kernel-drive/';

/** A piece of a kernel write, posted by the kernel on the page's channel. */
export interface IKernelPiece {
  id: string;
  /** The file's path in the drive. */
  path: string;
  offset: number;
  bytes: Uint8Array;
}

/** A message of the kernel channel as a piece, or null. */
export function parseKernelPiece(message: unknown): IKernelPiece | null {
  if (!message || typeof message !== 'object') {
    return null;
  }
  const { id, path, offset, bytes } = message as Record<string, unknown>;
  if (
    typeof id !== 'string' ||
    !id ||
    id.includes('/') ||
    typeof path !== 'string' ||
    !Number.isSafeInteger(offset) ||
    (offset as number) < 0 ||
    !(bytes instanceof ArrayBuffer)
  ) {
    return null;
  }
  return { id, path, offset: offset as number, bytes: new Uint8Array(bytes) };
}

export type KernelRequest =
  | { kind: 'status'; id: string }
  | { kind: 'channel' }
  | { kind: 'blob'; start: number; end: number; path: string }
  | { kind: 'release'; id: string }
  | { kind: 'stored'; id: string; bytes: number; path: string }
  | { kind: 'range'; start: number; end: number; path: string };

export function parseKernelPath(path: string): KernelRequest | null {
  if (!path.startsWith(KERNEL_PATH_PREFIX)) {
    return null;
  }
  const rest = path.slice(KERNEL_PATH_PREFIX.length);
  const status = /^status\/([^/]+)$/.exec(rest);
  if (status) {
    return { kind: 'status', id: status[1] };
  }
  if (rest === 'channel') {
    return { kind: 'channel' };
  }
  const blob = /^blob\/(\d+)\/(\d+)\/(.+)$/.exec(rest);
  if (blob) {
    return byteRange('blob', blob);
  }
  const release = /^release\/([^/]+)$/.exec(rest);
  if (release) {
    return { kind: 'release', id: release[1] };
  }
  const stored = /^stored\/([^/]+)\/(\d+)\/(.*)$/.exec(rest);
  if (stored) {
    return {
      kind: 'stored',
      id: stored[1],
      bytes: Number(stored[2]),
      path: stored[3]
    };
  }
  const range = /^range\/(\d+)\/(\d+)\/(.*)$/.exec(rest);
  if (range) {
    return byteRange('range', range);
  }
  return null;
}

/** A request for bytes [start, end) of a path; null when not a range. */
function byteRange<K extends 'blob' | 'range'>(
  kind: K,
  [, start, end, path]: RegExpExecArray
): { kind: K; start: number; end: number; path: string } | null {
  const range = { kind, start: Number(start), end: Number(end), path };
  return Number.isSafeInteger(range.end) && range.start <= range.end
    ? range
    : null;
}

/** The page's answer to `.luml-kernel/blob/<start>/<end>/<path>`. */
export interface IKernelBlobAnswer {
  /** The whole file's size. */
  size: number;
  format: string;
  /** Changes when the file's content does: a read's ranges must agree. */
  version: string;
  /** A blob URL of bytes [start, min(end, size)). */
  url: string;
}

/** The outcome of a kernel write, as the kernel reads it. */
export interface IKernelWriteStatus {
  ok: boolean;
  /** An Emscripten errno name: ENOSPC, EFBIG, EIO. */
  errno?: string;
  message?: string;
}

/** How far a kernel write is stored, as the kernel reads it. */
export interface IKernelStoredAnswer {
  /** False once the write failed: its status then says why. */
  ok: boolean;
  stored: number;
}
