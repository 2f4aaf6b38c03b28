// Reads the metadata of a large synthetic model with the product's reader and
// compares it with a naive full base64 decode. Run by discovery.py:
//   node --expose-gc read_large_model.js <compiled format dir> <MB> [<MB>...]
'use strict';

const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { constants } = require('node:buffer');

const format = require(path.resolve(process.argv[2]));
const sizesMb = process.argv.slice(3).map(Number);
const MB = 1024 * 1024;
const BLOCK = 512;

function header(name, size) {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

function member(name, data) {
  const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
  return [header(name, data.length), data, Buffer.alloc(pad)];
}

/** A model tar whose weights member makes it `bytes` long in all. */
function syntheticModel(bytes) {
  const manifest = {
    variant: 'pyfunc',
    name: 'big-model',
    version: '1.0.0',
    description: 'Synthetic model with large weights.',
    producer_name: 'luml.ai',
    producer_version: '0.4.0',
    producer_tags: ['luml.ai::sklearn:v1'],
    inputs: [{ name: 'x', content_type: 'NDJSON', dtype: 'Array[float]' }],
    outputs: [{ name: 'y', content_type: 'NDJSON', dtype: 'Array[float]' }],
    dynamic_attributes: [],
    env_vars: []
  };
  const head = [
    ...member('manifest.json', Buffer.from(JSON.stringify(manifest))),
    ...member('dtypes.json', Buffer.from('{}')),
    ...member('env.json', Buffer.from('{}')),
    ...member('variant_config.json', Buffer.from('{}')),
    ...member('ops.json', Buffer.from('[]')),
    ...member('meta.json', Buffer.from('[]'))
  ];
  const headBytes = head.reduce((n, b) => n + b.length, 0);
  const weights = bytes - headBytes - 2 * BLOCK - BLOCK;
  const out = Buffer.allocUnsafe(bytes);
  let o = 0;
  for (const b of head) {
    b.copy(out, o);
    o += b.length;
  }
  header('variant_artifacts/extra_files/weights.bin', weights).copy(out, o);
  o += BLOCK;
  // weights: a cheap non-constant pattern
  for (let i = 0; i < weights; i += 4096) {
    out.writeUInt32LE(i >>> 0, o + i);
  }
  out.fill(0, o + weights);
  return out;
}

class CountingSource {
  constructor(inner) {
    this.inner = inner;
    this.bytes = 0;
    this.reads = 0;
  }
  get size() {
    return this.inner.size;
  }
  read(offset, length) {
    const r = this.inner.read(offset, length);
    this.bytes += r.length;
    this.reads++;
    return r;
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeReader(makeSource, runs) {
  const times = [];
  let counted;
  let result;
  for (let i = 0; i < runs; i++) {
    global.gc?.();
    const t0 = performance.now();
    counted = new CountingSource(makeSource());
    result = await format.readLumlModel(counted);
    times.push(performance.now() - t0);
  }
  if (!result.ok) {
    throw new Error(result.reason);
  }
  return { ms: median(times), bytes: counted.bytes, reads: counted.reads };
}

async function main() {
  const rows = [];
  for (const mb of sizesMb) {
    const bytes = Math.round(mb * MB);
    const file = syntheticModel(bytes);
    const b64Len = Math.ceil(bytes / 3) * 4;
    const row = { mb, bytes, b64Len };
    if (b64Len > constants.MAX_STRING_LENGTH) {
      row.note = `base64 would be ${b64Len} characters, over V8's maximum string length (${constants.MAX_STRING_LENGTH})`;
      const raw = await timeReader(() => new format.BytesByteSource(file), 5);
      row.rawMs = raw.ms;
      row.rawBytes = raw.bytes;
      rows.push(row);
      continue;
    }
    const b64 = file.toString('base64');
    // the source's constructor is part of the cost (it scans for whitespace)
    const reader = await timeReader(() => new format.Base64ByteSource(b64), 5);
    Object.assign(row, {
      readerMs: reader.ms,
      readerBytes: reader.bytes,
      readerReads: reader.reads
    });
    global.gc?.();
    const heapBefore = process.memoryUsage();
    const t0 = performance.now();
    const decoded = Buffer.from(b64, 'base64');
    row.naiveMs = performance.now() - t0;
    row.naiveBytes = decoded.length;
    const heapAfter = process.memoryUsage();
    row.naiveAllocated =
      heapAfter.arrayBuffers - heapBefore.arrayBuffers;
    const t1 = performance.now();
    const viaBytes = await format.readLumlModel(
      new format.BytesByteSource(decoded)
    );
    row.naiveThenReadMs = row.naiveMs + (performance.now() - t1);
    if (!viaBytes.ok) {
      throw new Error(viaBytes.reason);
    }
    rows.push(row);
  }
  process.stdout.write(JSON.stringify(rows));
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
