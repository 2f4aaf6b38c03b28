import { Base64ByteSource, createSha256, ISha256Hasher } from '../format';

/**
 * Decodes a file that arrives as base64 (how the contents API hands over
 * binary files) chunk by chunk, hashing each chunk, and gathers the bytes
 * into a Blob to upload. Pure: it runs in the hashing worker, and on the
 * main thread (yielding between chunks) where no worker can start.
 */

/** 3 MiB: a multiple of 3, so every chunk decodes from whole base64 groups. */
export const DIGEST_CHUNK = 3 * 1024 * 1024;

export interface IDigestOptions {
  chunkSize?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Awaited between chunks (e.g. to let the main thread breathe). */
  pause?: () => Promise<void>;
  /**
   * A native base64 decoder (default: `Uint8Array.fromBase64` where the
   * browser has it); null forces the chunked JavaScript path.
   */
  fromBase64?: ((base64: string) => Uint8Array) | null;
}

type Subtle = {
  digest(algorithm: string, data: BufferSource): Promise<ArrayBuffer>;
};

function nativeDecoder(): ((base64: string) => Uint8Array) | undefined {
  const decode = (Uint8Array as unknown as { fromBase64?: unknown }).fromBase64;
  return typeof decode === 'function'
    ? (base64: string) => decode.call(Uint8Array, base64) as Uint8Array
    : undefined;
}

/** A file's sha256 and size. */
export interface IFileHash {
  sha256: string;
  size: number;
}

/** A file's sha256 and size, and its bytes as a Blob to upload. */
export interface IDigest extends IFileHash {
  blob: Blob;
}

export class DigestAborted extends Error {
  constructor() {
    super('hashing was cancelled');
    this.name = 'DigestAborted';
  }
}

export async function digestBase64(
  base64: string,
  options: IDigestOptions = {}
): Promise<IDigest> {
  // native decoding and WebCrypto are ~10x faster than JavaScript; WebCrypto
  // needs a secure context (https, or this machine), so both are optional
  const fromBase64 =
    options.fromBase64 === null
      ? undefined
      : (options.fromBase64 ?? nativeDecoder());
  const subtle = (globalThis as { crypto?: { subtle?: Subtle } }).crypto
    ?.subtle;
  if (fromBase64 && subtle) {
    if (options.signal?.aborted) {
      throw new DigestAborted();
    }
    const bytes = fromBase64(base64);
    options.onProgress?.(0, bytes.length);
    const digest = await subtle.digest('SHA-256', bytes as BufferSource);
    if (options.signal?.aborted) {
      throw new DigestAborted();
    }
    options.onProgress?.(bytes.length, bytes.length);
    return {
      sha256: hexOf(new Uint8Array(digest)),
      size: bytes.length,
      blob: new Blob([bytes as BlobPart], { type: 'application/octet-stream' })
    };
  }
  return digestInChunks(base64, options);
}

async function digestInChunks(
  base64: string,
  options: IDigestOptions
): Promise<IDigest> {
  const source = new Base64ByteSource(base64);
  const chunkSize = Math.max(3, options.chunkSize ?? DIGEST_CHUNK);
  const hash = await createSha256();
  const parts: Uint8Array[] = [];
  let offset = 0;
  options.onProgress?.(0, source.size);
  while (offset < source.size) {
    if (options.signal?.aborted) {
      throw new DigestAborted();
    }
    // read() returns a fresh array per call, safe to keep for the Blob
    const chunk = source.read(
      offset,
      Math.min(chunkSize, source.size - offset)
    );
    hash.update(chunk);
    parts.push(chunk);
    offset += chunk.length;
    options.onProgress?.(offset, source.size);
    if (options.pause && offset < source.size) {
      await options.pause();
    }
  }
  return {
    sha256: hash.hex(),
    size: source.size,
    blob: new Blob(parts as BlobPart[], { type: 'application/octet-stream' })
  };
}

/** Yield to the event loop (lets the page repaint and handle input). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, 0));
}

// -- the worker's message protocol ------------------------------------------

export interface IDigestRequest {
  id: number;
  base64: string;
}

/**
 * A file streamed to the worker: its chunks in order, then its end. The
 * worker acknowledges each chunk, so the page can keep only a few in flight.
 */
export type StreamRequest =
  | { id: number; type: 'chunk'; bytes: Uint8Array }
  | { id: number; type: 'end' };

export type DigestMessage =
  | { id: number; type: 'progress'; done: number; total: number }
  | { id: number; type: 'ack'; size: number }
  /** A streamed file's answer has no Blob: its bytes are read for the upload. */
  | { id: number; type: 'done'; sha256: string; size: number; blob?: Blob }
  | { id: number; type: 'error'; message: string };

/** What the worker does with one request; `post` sends messages back. */
export async function answerDigestRequest(
  request: IDigestRequest,
  post: (message: DigestMessage) => void
): Promise<void> {
  let last = 0;
  try {
    const digest = await digestBase64(request.base64, {
      onProgress: (done, total) => {
        // at most ~100 messages per file
        if (done === total || done - last >= total / 100) {
          last = done;
          post({ id: request.id, type: 'progress', done, total });
        }
      }
    });
    post({ id: request.id, type: 'done', ...digest });
  } catch (error) {
    post({
      id: request.id,
      type: 'error',
      message: error instanceof Error ? error.message : String(error)
    });
  }
}

/** A file that can be read chunk by chunk, in order, as often as needed. */
export interface IChunkedFile {
  readonly size: number;
  chunks(): AsyncIterable<Uint8Array>;
}

/** Hash a file's chunks as they come: one chunk held at a time. */
class ChunkHash {
  private constructor(private readonly _hash: ISha256Hasher) {}

  static async start(): Promise<ChunkHash> {
    return new ChunkHash(await createSha256());
  }

  add(chunk: Uint8Array): void {
    this._hash.update(chunk);
    this.size += chunk.length;
  }

  finish(): IFileHash {
    return { sha256: this._hash.hex(), size: this.size };
  }

  size = 0;
}

type ChunkOptions = Pick<IDigestOptions, 'signal' | 'onProgress'>;

/** sha256 of a chunked file, here (the fallback of the worker). */
export async function hashChunksHere(
  file: IChunkedFile,
  options: ChunkOptions = {}
): Promise<IFileHash> {
  const hash = await ChunkHash.start();
  options.onProgress?.(0, file.size);
  for await (const chunk of file.chunks()) {
    if (options.signal?.aborted) {
      throw new DigestAborted();
    }
    hash.add(chunk);
    options.onProgress?.(hash.size, file.size);
  }
  return hash.finish();
}

/**
 * The worker's side of streamed files: requests for one id are handled in
 * order, even while the hasher of a new file is still loading.
 */
export class StreamedDigests {
  constructor(private readonly _post: (message: DigestMessage) => void) {}

  answer(request: StreamRequest): Promise<void> {
    const previous = this._queues.get(request.id) ?? Promise.resolve();
    const next = previous.then(() => this._handle(request));
    this._queues.set(request.id, next);
    return next;
  }

  private async _handle(request: StreamRequest): Promise<void> {
    const { id } = request;
    if (this._failed.has(id)) {
      return;
    }
    try {
      let digest = this._open.get(id);
      if (!digest) {
        digest = await ChunkHash.start();
        this._open.set(id, digest);
      }
      if (request.type === 'chunk') {
        digest.add(request.bytes);
        this._post({ id, type: 'ack', size: request.bytes.length });
        return;
      }
      this._forget(id);
      this._post({ id, type: 'done', ...digest.finish() });
    } catch (error) {
      this._forget(id);
      this._failed.add(id);
      this._post({
        id,
        type: 'error',
        message: error instanceof Error ? error.message : String(error)
      });
    }
  }

  private _forget(id: number): void {
    this._open.delete(id);
    this._queues.delete(id);
  }

  private readonly _open = new Map<number, ChunkHash>();
  private readonly _queues = new Map<number, Promise<void>>();
  private readonly _failed = new Set<number>();
}

function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, byte => byte.toString(16).padStart(2, '0')).join('');
}
