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

export type KernelRequest =
  | { kind: 'status'; id: string }
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
  const range = /^range\/(\d+)\/(\d+)\/(.*)$/.exec(rest);
  if (range) {
    return {
      kind: 'range',
      start: Number(range[1]),
      end: Number(range[2]),
      path: range[3]
    };
  }
  return null;
}

/** The outcome of a kernel write, as the kernel reads it. */
export interface IKernelWriteStatus {
  ok: boolean;
  /** An Emscripten errno name: ENOSPC, EFBIG, EIO. */
  errno?: string;
  message?: string;
}
