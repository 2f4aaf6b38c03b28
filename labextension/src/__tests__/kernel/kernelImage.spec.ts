import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  isGzip,
  KERNEL_IMAGE_FORMAT,
  packagesToLoad,
  parseManifest,
  resolveReference,
  tarEntries
} from '../../kernel/kernelImage';
import { buildTar } from '../format/tarBuilder';

const MANIFEST = {
  format: KERNEL_IMAGE_FORMAT,
  pyodide: '314.0.6',
  snapshot: 's.gz',
  files: 'f.gz',
  sitePackages: '/lib/python3.14/site-packages',
  packages: ['ipython'],
  digest: 'ab'.repeat(32)
};

describe('parseManifest', () => {
  it('accepts a manifest of this format and Pyodide release', () => {
    assert.deepEqual(parseManifest(MANIFEST, '314.0.6'), MANIFEST);
  });

  it('says why it refuses one', () => {
    assert.match(
      parseManifest(MANIFEST, '315.0.0') as string,
      /made for Pyodide 314.0.6/
    );
    assert.match(
      parseManifest({ ...MANIFEST, format: 0 }, '314.0.6') as string,
      /format 0/
    );
    assert.match(
      parseManifest({ ...MANIFEST, files: '' }, '314.0.6') as string,
      /lacks a file name/
    );
    assert.match(
      parseManifest({ ...MANIFEST, packages: [1] }, '314.0.6') as string,
      /package list/
    );
    assert.match(
      parseManifest({ ...MANIFEST, digest: 'abc' }, '314.0.6') as string,
      /digest/
    );
    assert.match(parseManifest(null, '314.0.6') as string, /not an object/);
  });
});

describe('tarEntries', () => {
  it('lists folders and files with their bytes', () => {
    const tar = buildTar([
      { name: './', typeflag: '5' },
      { name: './pkg/', typeflag: '5' },
      { name: './pkg/__init__.py', data: 'x = 1\n' },
      { name: './pkg/link', typeflag: '2' }
    ]);
    const entries = [...tarEntries(tar)].map(e => [
      e.path,
      e.folder,
      new TextDecoder().decode(e.data)
    ]);
    assert.deepEqual(entries, [
      ['pkg', true, ''],
      ['pkg/__init__.py', false, 'x = 1\n']
    ]);
  });

  it('refuses a path out of the archive', () => {
    const tar = buildTar([{ name: '../evil.py', data: 'x' }]);
    assert.throws(() => [...tarEntries(tar)], /out of the archive/);
  });

  it('refuses a truncated archive and a header that is not ustar', () => {
    const member = buildTar([{ name: 'a.py', data: 'x'.repeat(600) }], {
      end: false
    });
    assert.throws(() => [...tarEntries(member.subarray(0, 700))], /truncated/);
    const garbage = new Uint8Array(1024).fill(65);
    assert.throws(() => [...tarEntries(garbage)], /not a ustar header/);
  });
});

describe('isGzip', () => {
  it('tells gzip data from data a host already decompressed', () => {
    assert.equal(isGzip(new Uint8Array([0x1f, 0x8b, 8, 0])), true);
    assert.equal(isGzip(new Uint8Array([0x50, 0x4b, 3, 4])), false);
  });
});

describe('packagesToLoad', () => {
  const lock = {
    'luml-sdk': { depends: ['pydantic', 'fnnx'] },
    pydantic: { depends: ['pydantic-core', 'typing-extensions'] },
    'pydantic-core': { depends: ['typing-extensions'] },
    fnnx: { depends: [] },
    'typing-extensions': {}
  };

  it('finds a compiled dependency behind packages the image holds', () => {
    const held = ['luml-sdk', 'pydantic', 'fnnx', 'typing-extensions'];
    assert.deepEqual(packagesToLoad(['luml-sdk'], lock, held), [
      'pydantic-core'
    ]);
  });

  it('loads everything asked for when the image holds nothing', () => {
    assert.deepEqual(packagesToLoad(['pydantic'], lock, []), [
      'pydantic',
      'pydantic-core',
      'typing-extensions'
    ]);
  });
});

describe('resolveReference', () => {
  const loadPackage = () => undefined;
  const loadBinaryFile = () => undefined;
  const api = { public_api: { loadPackage }, loadBinaryFile };

  it("finds the object the snapshot names in the new Pyodide's API", () => {
    assert.equal(resolveReference(api, ['public', 'loadPackage']), loadPackage);
    assert.equal(
      resolveReference(api, ['api', 'loadBinaryFile']),
      loadBinaryFile
    );
  });

  it('refuses a name this Pyodide lacks, or a reference of another form', () => {
    assert.throws(() => resolveReference(api, ['public', 'gone']), /lacks/);
    assert.throws(() => resolveReference(api, ['window', 'x']), /lacks/);
    assert.throws(
      () => resolveReference(api, { serialized: 1 }),
      /unknown way/
    );
  });
});
