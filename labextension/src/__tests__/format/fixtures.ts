// Locates and loads the `.luml` fixtures made by tests/fixtures/luml/make_fixtures.py.
import * as fs from 'node:fs';
import * as path from 'node:path';

import { IByteSource } from '../../format';

const FIXTURE_SUBDIR = path.join('tests', 'fixtures', 'luml');

function findUp(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, FIXTURE_SUBDIR);
    if (fs.existsSync(candidate)) {
      return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      return undefined;
    }
    dir = parent;
  }
}

/** The fixture directory: searched upwards from this file, then from cwd. */
export function fixtureDir(): string {
  const dir = findUp(__dirname) ?? findUp(process.cwd());
  if (!dir) {
    throw new Error(
      `no ${FIXTURE_SUBDIR} above ${__dirname} or ${process.cwd()}`
    );
  }
  return dir;
}

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(fixtureDir(), name)));
}

export function fixtureBase64(name: string): string {
  return fs.readFileSync(path.join(fixtureDir(), name)).toString('base64');
}

export interface IExpected {
  size: number;
  sha256: string;
  members: string[];
  file_index: { [path: string]: [number, number] };
  member_sha256: { [path: string]: string };
  manifest: { [key: string]: any };
  metadata: { [key: string]: any }[];
  env: unknown;
  model_card_path: string | null;
  model_card_html: string | null;
}

export function expected(name: string): IExpected {
  const all = JSON.parse(
    fs.readFileSync(path.join(fixtureDir(), 'expected.json'), 'utf-8')
  );
  return all[name] as IExpected;
}

export const FIXTURES = [
  'sklearn_basic.luml',
  'sklearn_card.luml',
  'sklearn_card_gnu.luml'
];

/** Wraps a source and counts what is read through it. */
export class CountingSource implements IByteSource {
  bytesRead = 0;
  reads = 0;
  maxRead = 0;

  constructor(private readonly _inner: IByteSource) {}

  get size(): number {
    return this._inner.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const bytes = await this._inner.read(offset, length);
    this.reads++;
    this.bytesRead += bytes.length;
    this.maxRead = Math.max(this.maxRead, bytes.length);
    return bytes;
  }
}
