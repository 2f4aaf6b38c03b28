import type { IByteSource } from '../format';
import { CHUNK_SIZE } from '../storage/schema';
import { READ_AHEAD } from '../storage/fileStore';
import { DigestAborted } from './base64Digest';
import {
  IUploadBody,
  MULTIPART_CONCURRENCY,
  MULTIPART_THRESHOLD
} from './client/registryClient';

/**
 * A file that gives a range as a Blob without copying it through the page
 * (browser storage's files: `StoredFileReader`).
 */
export interface IBlobRanges {
  readBlob(offset: number, length: number): Promise<Blob>;
}

/**
 * A stored file's bytes for the upload, read from browser storage ahead of
 * the requests that send them.
 *
 * Reading starts at `readAhead()` (the push dialog calls it once it is
 * ready, so reading does not slow its first requests: it delayed them by
 * 0.3 to 0.4 s) or at the first range asked, and runs in file order,
 * stored chunk by stored chunk, each chunk a Blob as browser storage keeps
 * it (or, from a source of bytes, made into one as it arrives), so the page
 * never holds more than a few chunks as arrays. A
 * range asked for is a Blob of those chunk Blobs, which costs no copy. A
 * file that goes in one PUT is read whole; a multipart upload is read ahead
 * of the parts asked so far by two parts, so a part is ready when a request
 * slot frees and the page holds a bounded window of the file, never all of
 * it.
 */
export function storedBody(
  file: IByteSource & Partial<IBlobRanges>,
  signal?: AbortSignal
): StoredBody {
  return new StoredBody(file, signal);
}

/**
 * What a multipart upload reads before its first part is asked: the parts
 * of the first requests at the platform's smallest part size (32 MiB).
 */
export const FIRST_PARTS_BYTES = MULTIPART_CONCURRENCY * 32 * 1024 * 1024;

/** Parts read ahead of the furthest part asked. */
const PARTS_AHEAD = 2;

const BLOB_TYPE = { type: 'application/octet-stream' };

export class StoredBody implements IUploadBody {
  constructor(
    private readonly _file: IByteSource & Partial<IBlobRanges>,
    private readonly _signal?: AbortSignal
  ) {
    this.size = _file.size;
    this._count = Math.ceil(this.size / CHUNK_SIZE);
    this._until =
      this.size > MULTIPART_THRESHOLD
        ? Math.min(this.size, FIRST_PARTS_BYTES)
        : this.size;
    _signal?.addEventListener('abort', () => this._chunks.clear(), {
      once: true
    });
  }

  readonly size: number;

  /**
   * Keep bytes the page read anyway (the hashing reads every chunk) for the
   * upload, so they need not be read again: a stored chunk at `offset`
   * within what reading ahead would hold.
   */
  keep(offset: number, bytes: Uint8Array): void {
    const index = offset / CHUNK_SIZE;
    if (
      !Number.isInteger(index) ||
      offset >= this._until ||
      index < this._next ||
      bytes.length !== Math.min(CHUNK_SIZE, this.size - offset) ||
      this._signal?.aborted
    ) {
      return;
    }
    this._chunks.set(
      index,
      Promise.resolve(new Blob([bytes as BlobPart], BLOB_TYPE))
    );
  }

  readAhead(): void {
    this._started = true;
    this._pump();
  }

  async read(start: number, end: number): Promise<Blob> {
    this._until = Math.min(
      this.size,
      Math.max(this._until, end + PARTS_AHEAD * (end - start))
    );
    this.readAhead();
    const first = Math.floor(start / CHUNK_SIZE);
    const last = Math.ceil(end / CHUNK_SIZE);
    const pieces: Blob[] = [];
    for (let index = first; index < last; index++) {
      const chunk = await this._chunk(index);
      const at = index * CHUNK_SIZE;
      const from = Math.max(start, at) - at;
      const to = Math.min(end, at + chunk.size) - at;
      pieces.push(to - from === chunk.size ? chunk : chunk.slice(from, to));
      // the range's Blob keeps this chunk: drop ours unless the next range
      // shares it
      if ((index + 1) * CHUNK_SIZE <= end) {
        this._chunks.delete(index);
      }
    }
    return new Blob(pieces, BLOB_TYPE);
  }

  /** A chunk read ahead, or, dropped already (asked again), read now. */
  private _chunk(index: number): Promise<Blob> {
    if (this._signal?.aborted) {
      return Promise.reject(new DigestAborted());
    }
    return this._chunks.get(index) ?? this._readChunk(index);
  }

  /** Ask for the next chunks while they fall within the window. */
  private _pump(): void {
    while (
      this._started &&
      !this._signal?.aborted &&
      this._next < this._count &&
      this._next * CHUNK_SIZE < this._until &&
      this._inFlight < READ_AHEAD
    ) {
      const index = this._next++;
      if (this._chunks.has(index)) {
        continue; // kept as the hashing passed it
      }
      this._inFlight += 1;
      const chunk = this._readChunk(index);
      this._chunks.set(index, chunk);
      // a failure reaches the range that asks for this chunk; here it only
      // frees the slot
      void chunk
        .catch(() => undefined)
        .then(() => {
          this._inFlight -= 1;
          this._pump();
        });
    }
  }

  private async _readChunk(index: number): Promise<Blob> {
    const at = index * CHUNK_SIZE;
    const length = Math.min(CHUNK_SIZE, this.size - at);
    const chunk = this._file.readBlob
      ? await this._file.readBlob(at, length)
      : new Blob([(await this._file.read(at, length)) as BlobPart], BLOB_TYPE);
    if (chunk.size !== length) {
      throw new Error('the file ended before its size');
    }
    return chunk;
  }

  private readonly _count: number;
  /** Reading stops before this byte, until a range asks further. */
  private _until: number;
  private _started = false;
  private _next = 0;
  private _inFlight = 0;
  private readonly _chunks = new Map<number, Promise<Blob>>();
}
