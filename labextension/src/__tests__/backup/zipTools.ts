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
