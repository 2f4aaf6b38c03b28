// Measures what the backup writer should do per kind of file: store or
// DEFLATE, and at which level. Run with `node bench/backup_codec.mjs` after
// `npm install` in labextension/; prints time and size per kind and level.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

const require = createRequire(new URL('../labextension/package.json', import.meta.url));
const { deflateSync } = require('fflate');

const MiB = 1024 * 1024;

function notebook(targetBytes) {
  // cells with code, text outputs and a base64 PNG, like a real notebook
  const png = randomBytes(24 * 1024).toString('base64');
  const cells = [];
  let size = 0;
  for (let i = 0; size < targetBytes; i++) {
    const cell = {
      cell_type: 'code',
      execution_count: i,
      metadata: {},
      source: [`df = load_data(${i})\n`, 'model.fit(df.x, df.y)\n', 'plot(model)\n'],
      outputs: [
        { output_type: 'stream', name: 'stdout', text: [`epoch ${i} loss=${Math.random()}\n`] },
        { output_type: 'display_data', metadata: {}, data: { 'image/png': png, 'text/plain': ['<Figure>'] } }
      ]
    };
    const text = JSON.stringify(cell, null, 1);
    size += text.length;
    cells.push(cell);
  }
  return new TextEncoder().encode(JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1));
}

function csv(targetBytes) {
  const rows = ['id,feature_a,feature_b,feature_c,label'];
  let size = 0;
  for (let i = 0; size < targetBytes; i++) {
    const row = `${i},${Math.random().toFixed(6)},${(Math.random() * 100).toFixed(3)},${Math.random() < 0.5 ? 'red' : 'blue'},${i % 2}`;
    rows.push(row);
    size += row.length + 1;
  }
  return new TextEncoder().encode(rows.join('\n'));
}

function python(targetBytes) {
  const src = readFileSync(new URL('../src/luml_notebooks/cli.py', import.meta.url), 'utf8');
  return new TextEncoder().encode(src.repeat(Math.ceil(targetBytes / src.length)).slice(0, targetBytes));
}

function float32Weights(targetBytes) {
  // trained weights look like noise around zero: normal-ish float32
  const n = targetBytes / 4;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = (Math.random() + Math.random() + Math.random() - 1.5) * 0.1;
  }
  return new Uint8Array(out.buffer);
}

const kinds = {
  'notebook (.ipynb, with PNG outputs)': notebook(8 * MiB),
  'table (.csv)': csv(8 * MiB),
  'source (.py)': python(2 * MiB),
  'float32 weights (.npy/.pkl/.luml payload)': float32Weights(16 * MiB),
  'already compressed (.zip/.png)': deflateSync(csv(20 * MiB), { level: 9 }),
  '.luml fixture (small model)': readFileSync(new URL('../tests/fixtures/luml/sklearn_card.luml', import.meta.url))
};

function time(fn, bytes) {
  const runs = Math.max(1, Math.round((32 * MiB) / bytes));
  const start = performance.now();
  let out;
  for (let i = 0; i < runs; i++) {
    out = fn();
  }
  return { ms: (performance.now() - start) / runs, out };
}

console.log('kind'.padEnd(44), 'size MiB'.padStart(9), 'level'.padStart(6), 'ratio'.padStart(7), 'MiB/s'.padStart(8));
for (const [name, bytes] of Object.entries(kinds)) {
  for (const level of [1, 3, 6]) {
    const { ms, out } = time(() => deflateSync(bytes, { level }), bytes.length);
    console.log(
      name.padEnd(44),
      (bytes.length / MiB).toFixed(2).padStart(9),
      String(level).padStart(6),
      (out.length / bytes.length).toFixed(3).padStart(7),
      (bytes.length / MiB / (ms / 1000)).toFixed(1).padStart(8)
    );
  }
}
