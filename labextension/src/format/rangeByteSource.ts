import { IByteSource } from './byteSource';

/** One answer of a range request: the bytes, and the file's size now. */
export interface IRangeAnswer {
  bytes: Uint8Array;
  size: number;
}

/** Fetches bytes [offset, offset + length) of a remote file. */
export type RangeFetcher = (
  offset: number,
  length: number
) => Promise<IRangeAnswer>;

/** Thrown when the file's size changes between two reads. */
export class SourceChangedError extends Error {
  constructor() {
    super('The file changed while it was being read');
    this.name = 'SourceChangedError';
  }
}

export interface IRangeByteSourceOptions {
  /** Bytes fetched per block; small reads share cached blocks. */
  blockSize?: number;
  /** Blocks kept (least recently used go first). */
  maxBlocks?: number;
  /** The largest range one fetch may ask for. */
  maxFetch?: number;
}

/**
 * A source over a remote file read in ranges (a Jupyter server's bytes
 * endpoint, an HTTP Range request). Small reads, such as tar headers and JSON
 * members, go through a few cached blocks, so reading a model's metadata
 * costs a handful of requests whatever the size of its weights. Large reads
 * (hashing) are fetched in pieces without filling the cache.
 */
export class RangeByteSource implements IByteSource {
  private constructor(
    private readonly _fetch: RangeFetcher,
    readonly size: number,
    first: Uint8Array,
    options: IRangeByteSourceOptions
  ) {
    this._blockSize = options.blockSize ?? DEFAULT_BLOCK;
    this._maxBlocks = Math.max(1, options.maxBlocks ?? 64);
    this._maxFetch = Math.max(this._blockSize, options.maxFetch ?? MAX_FETCH);
    this._fetched = first.length;
    this._blocks.set(0, first);
  }

  /** Open a source: the first block tells the size. */
  static async open(
    fetch: RangeFetcher,
    options: IRangeByteSourceOptions = {}
  ): Promise<RangeByteSource> {
    const blockSize = options.blockSize ?? DEFAULT_BLOCK;
    const first = await fetch(0, blockSize);
    return new RangeByteSource(
      fetch,
      first.size,
      first.bytes.subarray(0, Math.min(blockSize, first.size)),
      options
    );
  }

  /** Bytes fetched so far (to compare with the file's size). */
  get bytesFetched(): number {
    return this._fetched;
  }

  /** Requests made so far, the opening one included. */
  get requests(): number {
    return this._requests;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.min(Math.max(0, Math.floor(offset)), this.size);
    const end = Math.min(
      Math.max(start, start + Math.floor(length)),
      this.size
    );
    if (end <= start) {
      return new Uint8Array(0);
    }
    const bs = this._blockSize;
    const first = Math.floor(start / bs);
    const last = Math.floor((end - 1) / bs);
    if (last - first + 1 > CACHED_SPAN_BLOCKS) {
      return this._fetchDirect(start, end);
    }
    const blocks: Uint8Array[] = [];
    for (let b = first; b <= last; b++) {
      blocks.push(await this._block(b));
    }
    if (blocks.length === 1) {
      return blocks[0].subarray(start - first * bs, end - first * bs);
    }
    const out = new Uint8Array(end - start);
    let o = 0;
    for (let i = 0; i < blocks.length; i++) {
      const blockStart = (first + i) * bs;
      const from = Math.max(start, blockStart) - blockStart;
      const to = Math.min(end, blockStart + blocks[i].length) - blockStart;
      out.set(blocks[i].subarray(from, to), o);
      o += to - from;
    }
    return out;
  }

  private async _block(index: number): Promise<Uint8Array> {
    const cached = this._blocks.get(index);
    if (cached) {
      // most recently used goes last
      this._blocks.delete(index);
      this._blocks.set(index, cached);
      return cached;
    }
    const offset = index * this._blockSize;
    const bytes = await this._get(
      offset,
      Math.min(this._blockSize, this.size - offset)
    );
    this._blocks.set(index, bytes);
    while (this._blocks.size > this._maxBlocks) {
      this._blocks.delete(this._blocks.keys().next().value!);
    }
    return bytes;
  }

  private async _fetchDirect(start: number, end: number): Promise<Uint8Array> {
    const out = new Uint8Array(end - start);
    for (let at = start; at < end; at += this._maxFetch) {
      const piece = await this._get(at, Math.min(this._maxFetch, end - at));
      out.set(piece, at - start);
    }
    return out;
  }

  private async _get(offset: number, length: number): Promise<Uint8Array> {
    const answer = await this._fetch(offset, length);
    this._requests++;
    this._fetched += answer.bytes.length;
    if (answer.size !== this.size || answer.bytes.length < length) {
      throw new SourceChangedError();
    }
    return answer.bytes.subarray(0, length);
  }

  private readonly _blockSize: number;
  private readonly _maxBlocks: number;
  private readonly _maxFetch: number;
  private readonly _blocks = new Map<number, Uint8Array>();
  private _fetched: number;
  private _requests = 1;
}

const DEFAULT_BLOCK = 64 * 1024;
// the server's own cap on one range
const MAX_FETCH = 16 * 1024 * 1024;
// reads spanning more blocks than this bypass the cache
const CACHED_SPAN_BLOCKS = 4;
