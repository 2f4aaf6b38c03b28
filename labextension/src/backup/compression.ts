import { deflateSync } from 'fflate';

/**
 * Store or DEFLATE, decided per file from measurements
 * (`bench/backup_codec.mjs`, fflate 0.8, 2-core machine):
 * - text (notebooks, csv, py, json) shrinks to 1-40 % with DEFLATE;
 *   level 1 gives within 2 % of level 6's size at 3x its speed on tables;
 * - float32 weights shrink by only 7 % at ~30 MB/s, and already-compressed
 *   data not at all: storing them is free, compressing them is the cost.
 */
export type ZipMethod = 'store' | 'deflate';

export const DEFLATE_LEVEL = 1;

const TEXT_EXTENSIONS = new Set([
  '.ipynb',
  '.py',
  '.pyi',
  '.json',
  '.jsonl',
  '.ndjson',
  '.geojson',
  '.csv',
  '.tsv',
  '.txt',
  '.md',
  '.rst',
  '.yaml',
  '.yml',
  '.toml',
  '.cfg',
  '.ini',
  '.html',
  '.htm',
  '.css',
  '.js',
  '.mjs',
  '.ts',
  '.svg',
  '.xml',
  '.sql',
  '.r',
  '.jl',
  '.sh',
  '.tex',
  '.log'
]);

// formats that are compressed already (or zips of them)
const COMPRESSED_EXTENSIONS = new Set([
  '.zip',
  '.gz',
  '.tgz',
  '.bz2',
  '.xz',
  '.zst',
  '.7z',
  '.rar',
  '.png',
  '.jpg',
  '.jpeg',
  '.gif',
  '.webp',
  '.avif',
  '.mp3',
  '.mp4',
  '.webm',
  '.ogg',
  '.parquet',
  '.npz',
  '.pt',
  '.pth',
  '.keras',
  '.whl',
  '.jar',
  '.docx',
  '.xlsx',
  '.pptx'
]);

/** DEFLATE a probe only when it shrinks below this share of its size. */
const PROBE_RATIO = 0.8;
export const PROBE_SIZE = 32 * 1024;

export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

export function isTextPath(path: string): boolean {
  return TEXT_EXTENSIONS.has(extensionOf(path));
}

/**
 * The method for one file. Text kinds and known text extensions are
 * compressed, known compressed formats stored; for anything else (models,
 * pickles, unknown binaries) up to three samples (start, middle, end) are
 * compressed and the majority decides, so a `.luml` whose JSON header
 * compresses but whose weights do not is stored.
 */
export function chooseMethod(
  path: string,
  isText: boolean,
  samples: Uint8Array[]
): ZipMethod {
  if (isText || isTextPath(path)) {
    return 'deflate';
  }
  if (COMPRESSED_EXTENSIONS.has(extensionOf(path))) {
    return 'store';
  }
  const useful = samples.filter(sample => sample.length >= 64);
  if (useful.length === 0) {
    return 'store';
  }
  const shrinking = useful.filter(
    sample =>
      deflateSync(sample, { level: DEFLATE_LEVEL }).length <
      sample.length * PROBE_RATIO
  ).length;
  return shrinking * 2 > useful.length ? 'deflate' : 'store';
}
