// Builds tar archives in memory for tests: ustar, PAX and GNU long names,
// base-256 sizes, and deliberately broken variants.

export type TarFormat = 'ustar' | 'pax' | 'gnu';

export interface ITarMember {
  name: string;
  data?: Uint8Array | string;
  /** Size to declare when no data is given (data is then zeros). */
  size?: number;
  typeflag?: string;
  /** How to store a name longer than 100 bytes (default: pax). */
  format?: TarFormat;
  /** Put the directory part of the name in the ustar prefix field. */
  prefix?: string;
  base256Size?: boolean;
  badChecksum?: boolean;
}

const BLOCK = 512;
const enc = new TextEncoder();

export function bytesOf(data: Uint8Array | string | undefined): Uint8Array {
  if (data === undefined) {
    return new Uint8Array(0);
  }
  return typeof data === 'string' ? enc.encode(data) : data;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function writeAscii(block: Uint8Array, offset: number, text: string): void {
  block.set(enc.encode(text), offset);
}

export function header(opts: {
  name: string;
  size: number;
  typeflag: string;
  magic?: 'posix' | 'gnu';
  prefix?: string;
  base256Size?: boolean;
  badChecksum?: boolean;
}): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const nameBytes = enc.encode(opts.name).subarray(0, 100);
  block.set(nameBytes, 0);
  writeAscii(block, 100, octal(0o644, 8));
  writeAscii(block, 108, octal(0, 8));
  writeAscii(block, 116, octal(0, 8));
  if (opts.base256Size) {
    block[124] = 0x80;
    let v = opts.size;
    for (let i = 135; i > 124; i--) {
      block[i] = v % 256;
      v = Math.floor(v / 256);
    }
  } else {
    writeAscii(block, 124, octal(opts.size, 12));
  }
  writeAscii(block, 136, octal(0, 12));
  block[156] = opts.typeflag.charCodeAt(0);
  if (opts.magic === 'gnu') {
    writeAscii(block, 257, 'ustar  \0');
  } else {
    writeAscii(block, 257, 'ustar\x0000');
    if (opts.prefix) {
      block.set(enc.encode(opts.prefix), 345);
    }
  }
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) {
    sum += b;
  }
  if (opts.badChecksum) {
    sum += 1;
  }
  writeAscii(block, 148, sum.toString(8).padStart(6, '0') + '\0 ');
  return block;
}

function padded(data: Uint8Array): Uint8Array[] {
  const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
  return [data, new Uint8Array(pad)];
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = enc.encode(body).length + 1;
  while (String(len).length + enc.encode(body).length !== len) {
    len++;
  }
  return `${len}${body}`;
}

export function memberBlocks(m: ITarMember): Uint8Array[] {
  const data = bytesOf(m.data);
  const size = m.data === undefined ? (m.size ?? 0) : data.length;
  const typeflag = m.typeflag ?? '0';
  const out: Uint8Array[] = [];
  let name = m.name;
  const long = enc.encode(name).length > 100 && !m.prefix;
  const format = m.format ?? 'pax';
  if (long && format === 'pax') {
    const pax = enc.encode(paxRecord('path', name));
    out.push(
      header({ name: 'PaxHeader/x', size: pax.length, typeflag: 'x' }),
      ...padded(pax)
    );
    name = name.slice(0, 100);
  } else if (long && format === 'gnu') {
    const ln = enc.encode(name + '\0');
    out.push(
      header({
        name: '././@LongLink',
        size: ln.length,
        typeflag: 'L',
        magic: 'gnu'
      }),
      ...padded(ln)
    );
    name = name.slice(0, 100);
  }
  out.push(
    header({
      name,
      size,
      typeflag,
      magic: format === 'gnu' ? 'gnu' : 'posix',
      prefix: m.prefix,
      base256Size: m.base256Size,
      badChecksum: m.badChecksum
    })
  );
  out.push(...padded(m.data === undefined ? new Uint8Array(size) : data));
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A whole archive; `end: false` leaves out the two zero blocks. */
export function buildTar(
  members: ITarMember[],
  opts: { end?: boolean } = {}
): Uint8Array {
  const parts = members.flatMap(memberBlocks);
  if (opts.end !== false) {
    parts.push(new Uint8Array(2 * BLOCK));
  }
  return concat(parts);
}

/** The six root files of a model, with a given manifest. */
export function modelMembers(
  manifest: unknown,
  meta: unknown = []
): ITarMember[] {
  return [
    { name: 'manifest.json', data: JSON.stringify(manifest) },
    { name: 'dtypes.json', data: '{}' },
    { name: 'env.json', data: '{}' },
    { name: 'variant_config.json', data: '{}' },
    { name: 'ops.json', data: '[]' },
    { name: 'meta.json', data: JSON.stringify(meta) }
  ];
}

export const SAMPLE_MANIFEST = {
  variant: 'pyfunc',
  name: 'sample',
  version: '1.0.0',
  description: 'A sample model.',
  producer_name: 'luml.ai',
  producer_version: '0.4.0',
  producer_tags: ['luml.ai::sklearn:v1'],
  inputs: [
    {
      name: 'x0',
      content_type: 'NDJSON',
      dtype: 'Array[float]',
      shape: ['batch']
    }
  ],
  outputs: [
    {
      name: 'y',
      content_type: 'NDJSON',
      dtype: 'Array[float]',
      shape: ['batch']
    }
  ],
  dynamic_attributes: [],
  env_vars: []
};

/** Reproducible bytes that do not compress, like trained weights. */
export function pseudoRandomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
