import { crc32 } from 'node:zlib';

import { Zip, ZipDeflate, ZipPassThrough, zipSync } from 'fflate';

/** A zip with the given entries in order, duplicates allowed. */
export function zipOf(
  entries: [string, Uint8Array | string][],
  deflate = false
): Uint8Array {
  const chunks: Uint8Array[] = [];
  const zip = new Zip((error, chunk) => {
    if (error) {
      throw error;
    }
    chunks.push(chunk);
  });
  for (const [name, data] of entries) {
    const entry = deflate ? new ZipDeflate(name) : new ZipPassThrough(name);
    zip.add(entry);
    entry.push(
      typeof data === 'string' ? new TextEncoder().encode(data) : data,
      true
    );
  }
  zip.end();
  return new Uint8Array(Buffer.concat(chunks));
}

/** A zip with sizes in the local headers (fflate's one-shot writer). */
export function plainZip(
  files: Record<string, Uint8Array | string>
): Uint8Array {
  const input: Record<string, Uint8Array> = {};
  for (const [name, data] of Object.entries(files)) {
    input[name] =
      typeof data === 'string' ? new TextEncoder().encode(data) : data;
  }
  return zipSync(input, { level: 6 });
}

/** Offsets of the central directory headers, in order. */
export function centralHeaders(zip: Uint8Array): number[] {
  const view = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = view.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = view.readUInt16LE(eocd + 10);
  let p = view.readUInt32LE(eocd + 16);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(p);
    p +=
      46 +
      view.readUInt16LE(p + 28) +
      view.readUInt16LE(p + 30) +
      view.readUInt16LE(p + 32);
  }
  return out;
}

export function setU32(zip: Uint8Array, offset: number, value: number): void {
  Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength).writeUInt32LE(
    value >>> 0,
    offset
  );
}

export function getU32(zip: Uint8Array, offset: number): number {
  return Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength).readUInt32LE(
    offset
  );
}

/**
 * An archive of any size held as a few byte runs: everything else reads as
 * zeros, so a zip past 4 GiB costs only its headers.
 */
export class SparseRandomAccess {
  private readonly _runs: { offset: number; bytes: Uint8Array }[] = [];

  constructor(readonly size: number) {}

  set(offset: number, bytes: Uint8Array): void {
    this._runs.push({ offset, bytes });
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this.size, offset + length);
    const out = new Uint8Array(Math.max(0, end - offset));
    for (const run of this._runs) {
      const from = Math.max(offset, run.offset);
      const to = Math.min(end, run.offset + run.bytes.length);
      if (from < to) {
        out.set(
          run.bytes.subarray(from - run.offset, to - run.offset),
          from - offset
        );
      }
    }
    return out;
  }
}

export interface ICraftedEntry {
  name: string;
  data: Uint8Array;
  /** Where its local header starts. */
  offset: number;
  /** Put the sizes in the zip64 extra field too, as some tools do. */
  zip64Sizes?: boolean;
}

/**
 * A stored zip64 archive crafted byte by byte (independently of our writer):
 * local headers where `entries` say, then a central directory whose offsets
 * live in zip64 extra fields, the zip64 end record, its locator and an end
 * record whose fields say "see zip64".
 */
export function craftZip64(
  entries: ICraftedEntry[],
  directoryOffset: number
): SparseRandomAccess {
  const central: Buffer[] = [];
  const locals: { offset: number; bytes: Buffer }[] = [];
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(45, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push({
      offset: entry.offset,
      bytes: Buffer.concat([local, name, entry.data])
    });
    const values = entry.zip64Sizes
      ? [entry.data.length, entry.data.length, entry.offset]
      : [entry.offset];
    const extra = Buffer.alloc(4 + 8 * values.length);
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(8 * values.length, 2);
    values.forEach((v, i) => extra.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(45, 4);
    header.writeUInt16LE(45, 6);
    header.writeUInt16LE(0x800, 8);
    header.writeUInt32LE(crc, 16);
    const size = entry.zip64Sizes ? 0xffffffff : entry.data.length;
    header.writeUInt32LE(size, 20);
    header.writeUInt32LE(size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(extra.length, 30);
    header.writeUInt32LE(0xffffffff, 42);
    central.push(header, name, extra);
  }
  const directory = Buffer.concat(central);
  const zip64End = Buffer.alloc(56);
  zip64End.writeUInt32LE(0x06064b50, 0);
  zip64End.writeBigUInt64LE(44n, 4);
  zip64End.writeUInt16LE(45, 12);
  zip64End.writeUInt16LE(45, 14);
  zip64End.writeBigUInt64LE(BigInt(entries.length), 24);
  zip64End.writeBigUInt64LE(BigInt(entries.length), 32);
  zip64End.writeBigUInt64LE(BigInt(directory.length), 40);
  zip64End.writeBigUInt64LE(BigInt(directoryOffset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(directoryOffset + directory.length), 8);
  locator.writeUInt32LE(1, 16);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0xffff, 8);
  end.writeUInt16LE(0xffff, 10);
  end.writeUInt32LE(0xffffffff, 12);
  end.writeUInt32LE(0xffffffff, 16);
  const tail = Buffer.concat([directory, zip64End, locator, end]);
  const source = new SparseRandomAccess(directoryOffset + tail.length);
  locals.forEach(({ offset, bytes }) => source.set(offset, bytes));
  source.set(directoryOffset, tail);
  return source;
}
