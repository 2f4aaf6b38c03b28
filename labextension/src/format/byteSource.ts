/**
 * Random access to the bytes of a file, so a reader only touches the ranges it
 * needs (tar headers, small JSON members) and never the weights.
 */
export interface IByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Bytes in [offset, offset + length), clipped to the end of the source (so
   * the result may be shorter than asked). Async allowed for remote sources.
   * Callers must not modify the returned array: it may share memory.
   */
  read(offset: number, length: number): Uint8Array | Promise<Uint8Array>;
}

/** A source over bytes already in memory; reads are views, not copies. */
export class BytesByteSource implements IByteSource {
  constructor(private readonly _bytes: Uint8Array) {}

  get size(): number {
    return this._bytes.length;
  }

  read(offset: number, length: number): Uint8Array {
    const [start, end] = clampRange(offset, length, this._bytes.length);
    return this._bytes.subarray(start, end);
  }
}

const INVALID = 255;
// longer than one wrapped line (76 characters and a line break)
const WRAP_PROBE_CHARS = 1024;
const WHITESPACE = /\s/;
const DECODE = buildDecodeTable();

function buildDecodeTable(): Uint8Array {
  const table = new Uint8Array(128).fill(INVALID);
  const alphabet =
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) {
    table[alphabet.charCodeAt(i)] = i;
  }
  // base64url, so either flavour decodes
  table['-'.charCodeAt(0)] = 62;
  table['_'.charCodeAt(0)] = 63;
  return table;
}

/**
 * A source over a base64 string (how JupyterLite and the contents API hand
 * over binary files). Only the 4-character groups covering a requested range
 * are decoded: memory and time follow the range, not the file.
 */
export class Base64ByteSource implements IByteSource {
  readonly size: number;
  private readonly _b64: string;

  constructor(base64: string) {
    // The Jupyter server wraps base64 at 76 columns (and ends it with a
    // newline); JupyterLite does not. Both ends tell which it is, so building
    // a source costs the same for any size; only a wrapped string pays for
    // one whitespace-free copy.
    const wrapped =
      WHITESPACE.test(base64.slice(0, WRAP_PROBE_CHARS)) ||
      WHITESPACE.test(base64.slice(-WRAP_PROBE_CHARS));
    const compact = wrapped ? base64.replace(/\s+/g, '') : base64;
    this._b64 = withoutPadding(compact);
    // a dangling sixth of a byte (length 4k+1) is ignored, like padding
    this.size = Math.floor((this._b64.length * 3) / 4);
  }

  read(offset: number, length: number): Uint8Array {
    const [start, end] = clampRange(offset, length, this.size);
    if (end <= start) {
      return new Uint8Array(0);
    }
    const firstGroup = Math.floor(start / 3);
    const lastGroup = Math.ceil(end / 3); // exclusive
    const out = new Uint8Array((lastGroup - firstGroup) * 3);
    const s = this._b64;
    let o = 0;
    for (let g = firstGroup; g < lastGroup; g++) {
      const c = g * 4;
      const a = sextet(s, c);
      const b = sextet(s, c + 1);
      // characters past the end (stripped padding) only feed bytes past size
      const cc = c + 2 < s.length ? sextet(s, c + 2) : 0;
      const d = c + 3 < s.length ? sextet(s, c + 3) : 0;
      const n = (a << 18) | (b << 12) | (cc << 6) | d;
      out[o++] = n >>> 16;
      out[o++] = (n >>> 8) & 0xff;
      out[o++] = n & 0xff;
    }
    const skip = start - firstGroup * 3;
    return out.subarray(skip, skip + (end - start));
  }
}

function sextet(s: string, index: number): number {
  const code = s.charCodeAt(index);
  const value = code < 128 ? DECODE[code] : INVALID;
  if (value === INVALID) {
    throw new Error(
      `invalid base64 character ${JSON.stringify(s.charAt(index))} at position ${index}`
    );
  }
  return value;
}

function withoutPadding(s: string): string {
  let len = s.length;
  while (len > 0 && s.charCodeAt(len - 1) === 61 /* = */) {
    len--;
  }
  return len === s.length ? s : s.slice(0, len);
}

function clampRange(
  offset: number,
  length: number,
  size: number
): [number, number] {
  const start = Math.min(Math.max(0, Math.floor(offset)), size);
  const end = Math.min(Math.max(start, start + Math.floor(length)), size);
  return [start, end];
}
