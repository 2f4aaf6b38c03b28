/**
 * Random access to an archive's bytes: a picked `File` reads any range
 * without loading the rest, which is what lets a restore read the zip's
 * directory first and each entry's bytes exactly where they are.
 */
export interface IRandomAccess {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Bytes a small read brings in at once (see BlobRandomAccess). */
export const READ_AHEAD = 1024 * 1024;

/**
 * Over a `Blob` or `File`: reads are slices, nothing else is loaded. Each
 * slice is a round trip to the browser's blob store, so a small read (a
 * local header, a small file's bytes) brings in the next `READ_AHEAD`
 * bytes and the reads after it are served from them: a zip of 70,000
 * small files takes a few hundred slices instead of 140,000.
 */
export class BlobRandomAccess implements IRandomAccess {
  constructor(private readonly _blob: Blob) {}

  get size(): number {
    return this._blob.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this._blob.size, offset + length);
    const window = this._window;
    if (window && offset >= window.offset && end <= window.end) {
      return window.bytes.subarray(offset - window.offset, end - window.offset);
    }
    if (end - offset >= READ_AHEAD) {
      return this._slice(offset, end);
    }
    const windowEnd = Math.min(this._blob.size, offset + READ_AHEAD);
    const bytes = await this._slice(offset, windowEnd);
    this._window = { offset, end: windowEnd, bytes };
    return bytes.subarray(0, end - offset);
  }

  private async _slice(offset: number, end: number): Promise<Uint8Array> {
    return new Uint8Array(await this._blob.slice(offset, end).arrayBuffer());
  }

  private _window: { offset: number; end: number; bytes: Uint8Array } | null =
    null;
}

/** Over bytes in memory (tests, small archives). */
export class BytesRandomAccess implements IRandomAccess {
  constructor(private readonly _bytes: Uint8Array) {}

  get size(): number {
    return this._bytes.length;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    return this._bytes.subarray(
      offset,
      Math.min(this._bytes.length, offset + length)
    );
  }
}
