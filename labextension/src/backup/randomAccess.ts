/**
 * Random access to an archive's bytes: a picked `File` reads any range
 * without loading the rest, which is what lets a restore read the zip's
 * directory first and each entry's bytes exactly where they are.
 */
export interface IRandomAccess {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Over a `Blob` or `File`: every read is a slice, nothing else is loaded. */
export class BlobRandomAccess implements IRandomAccess {
  constructor(private readonly _blob: Blob) {}

  get size(): number {
    return this._blob.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this._blob.size, offset + length);
    const buffer = await this._blob.slice(offset, end).arrayBuffer();
    return new Uint8Array(buffer);
  }
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
