/**
 * The zip format's records, as both the writer and the directory reader
 * lay them out (APPNOTE 6.3, sections 4.3 and 4.5): signatures, sizes, the
 * 16- and 32-bit limits past which zip64 records take over, and CRC-32.
 */

export const LOCAL_SIGNATURE = 0x04034b50;
export const DATA_DESCRIPTOR_SIGNATURE = 0x08074b50;
export const CENTRAL_SIGNATURE = 0x02014b50;
export const ZIP64_END_SIGNATURE = 0x06064b50;
export const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
export const END_SIGNATURE = 0x06054b50;

export const LOCAL_HEADER_SIZE = 30;
export const DATA_DESCRIPTOR_SIZE = 16;
export const CENTRAL_HEADER_SIZE = 46;
export const ZIP64_END_SIZE = 56;
export const ZIP64_LOCATOR_SIZE = 20;
export const END_SIZE = 22;

/** A 16-bit count or 32-bit size at this value means "read the zip64 one". */
export const MAX_U16 = 0xffff;
export const MAX_U32 = 0xffffffff;

/** Extra field ids. */
export const ZIP64_EXTRA = 0x0001;
/** Info-ZIP's extended timestamp: modification time in UTC seconds. */
export const EXTENDED_TIMESTAMP = 0x5455;

/** General purpose flags. */
export const FLAG_ENCRYPTED = 0x1;
export const FLAG_DATA_DESCRIPTOR = 0x8;
export const FLAG_UTF8 = 0x800;

/** "Version needed to extract": 2.0 for DEFLATE, 4.5 for zip64 fields. */
export const VERSION_DEFLATE = 20;
export const VERSION_ZIP64 = 45;

export const METHOD_STORED = 0;
export const METHOD_DEFLATE = 8;

/** The MS-DOS directory attribute, for archivers that look at it. */
export const DOS_DIRECTORY = 0x10;

export function u16(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8);
}

export function u32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

/** A 64-bit field, or NaN past 2^53 (no real archive is that large). */
export function u64(b: Uint8Array, i: number): number {
  const high = u32(b, i + 4);
  return high > 0x1fffff ? NaN : high * 2 ** 32 + u32(b, i);
}

/** Little-endian fields into a buffer of known size. */
export class RecordBuilder {
  readonly bytes: Uint8Array;
  private readonly _view: DataView;
  private _at = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this._view = new DataView(this.bytes.buffer);
  }

  u16(value: number): this {
    this._view.setUint16(this._at, value, true);
    this._at += 2;
    return this;
  }

  u32(value: number): this {
    this._view.setUint32(this._at, value >>> 0, true);
    this._at += 4;
    return this;
  }

  u64(value: number): this {
    this._view.setUint32(this._at, value % 2 ** 32, true);
    this._view.setUint32(this._at + 4, Math.floor(value / 2 ** 32), true);
    this._at += 8;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.bytes.set(bytes, this._at);
    this._at += bytes.length;
    return this;
  }
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c;
  }
  return table;
})();

/** The zip's CRC-32, fed chunk by chunk. */
export class Crc32 {
  private _crc = -1;

  update(chunk: Uint8Array): void {
    let crc = this._crc;
    for (let i = 0; i < chunk.length; i++) {
      crc = CRC_TABLE[(crc ^ chunk[i]) & 0xff] ^ (crc >>> 8);
    }
    this._crc = crc;
  }

  digest(): number {
    return ~this._crc >>> 0;
  }
}

const DOS_EPOCH = Date.UTC(1980, 0, 2);
const TIMESTAMP_END = Date.UTC(2106, 0, 1);

/**
 * A modification time the zip can hold: the DOS field starts in 1980, the
 * extended timestamp's 32-bit seconds end in 2106; an unreadable time is now.
 */
export function zipTime(ms: number): number {
  if (!Number.isFinite(ms)) {
    ms = Date.now();
  }
  return Math.min(Math.max(ms, DOS_EPOCH), TIMESTAMP_END);
}

/** The MS-DOS date and time fields (local time, two-second steps). */
export function dosDateTime(ms: number): { date: number; time: number } {
  const d = new Date(ms);
  return {
    date:
      ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1)
  };
}
