import assert from 'node:assert/strict';
import { crc32, deflateRawSync } from 'node:zlib';
import { describe, it } from 'node:test';

import {
  BackupReader,
  BackupWriter,
  BytesRandomAccess,
  entryDataOffset,
  IRestoreLimits,
  readZipDirectory
} from '../../backup';
import { sampleInstance } from './sampleInstance';
import { CollectSink } from './memoryContents';
import { centralHeaders, getU32, plainZip, setU32, zipOf } from './zipTools';

async function open(zip: Uint8Array, limits?: Partial<IRestoreLimits>) {
  const reader = await BackupReader.open(new BytesRandomAccess(zip), {
    limits
  });
  await reader.verify();
  return reader;
}

async function backupZip(): Promise<Uint8Array> {
  const sink = new CollectSink();
  await new BackupWriter(sampleInstance()).write(sink, {
    instance: { id: 'i', name: 'n' },
    siteVersion: 'v'
  });
  return sink.bytes();
}

/** Index of `needle` in `zip`, from `from`. */
function find(zip: Uint8Array, needle: string, from = 0): number {
  return Buffer.from(zip).indexOf(Buffer.from(needle), from);
}

describe('BackupReader: bad input gets a clear error', () => {
  it('not a zip', async () => {
    await assert.rejects(
      open(new TextEncoder().encode('just some text, not a zip at all')),
      {
        code: 'not-a-zip',
        message: /not a zip archive/
      }
    );
    await assert.rejects(open(new Uint8Array(0)), { code: 'not-a-zip' });
  });

  it('truncated, wherever it is cut', async () => {
    const zip = await backupZip();
    for (const keep of [10, 100, Math.floor(zip.length / 2), zip.length - 30]) {
      await assert.rejects(
        open(zip.slice(0, keep)),
        { code: 'truncated', message: /incomplete/ },
        `${keep}`
      );
    }
  });

  it('truncated just after a stored zip inside it', async () => {
    const zip = await backupZip();
    const inner = Buffer.from(zip).indexOf(Buffer.from([0x50, 0x4b, 5, 6]));
    assert.ok(inner > 0 && inner + 22 < zip.length);
    await assert.rejects(open(zip.slice(0, inner + 22)), (error: any) =>
      ['truncated', 'damaged'].includes(error.code)
    );
  });

  it('CRC-32 mismatch', async () => {
    const zip = plainZip({ 'notes.txt': 'x'.repeat(100) });
    const plain = zipOf([['notes.txt', 'hello, this is stored data']]);
    // flip one byte of the stored data
    const at = find(plain, 'hello');
    plain[at] ^= 0xff;
    await assert.rejects(open(plain), {
      code: 'crc-mismatch',
      message: /notes\.txt.*CRC-32/
    });
    assert.ok(zip.length > 0);
  });

  it('sha256 mismatch against the manifest', async () => {
    const zip = await backupZip();
    // change the stored weights and fix their CRC so only the sha256 can tell
    const source = new BytesRandomAccess(zip);
    const reader = await BackupReader.open(source);
    const weights = reader.files.find(
      f => f.path === 'models/deep/weights.bin'
    )!;
    const { directoryOffset } = await readZipDirectory(source);
    const data = await entryDataOffset(source, weights.entry, directoryOffset);
    const tampered = zip.slice();
    tampered[data + 10] ^= 0x01;
    const newCrc = crc32(tampered.subarray(data, data + weights.size));
    for (const header of centralHeaders(tampered)) {
      if (getU32(tampered, header + 42) === weights.entry.localHeaderOffset) {
        setU32(tampered, header + 16, newCrc);
      }
    }
    await assert.rejects(open(tampered), {
      code: 'sha256-mismatch',
      message: /weights\.bin.*sha256/
    });
  });

  it('../ and absolute paths', async () => {
    for (const name of [
      '../evil.txt',
      'a/../../evil.txt',
      '/etc/passwd',
      'C:/x.txt',
      '..\\evil.txt'
    ]) {
      await assert.rejects(
        open(zipOf([[name, 'x']])),
        { code: 'unsafe-path', message: /unsafe path/ },
        name
      );
    }
  });

  it('duplicate paths, or a file that is also a folder', async () => {
    await assert.rejects(
      open(
        zipOf([
          ['a.txt', '1'],
          ['a.txt', '2']
        ])
      ),
      {
        code: 'duplicate-path',
        message: /"a\.txt" more than once/
      }
    );
    await assert.rejects(
      open(
        zipOf([
          ['a', '1'],
          ['a/b.txt', '2']
        ])
      ),
      { code: 'duplicate-path' }
    );
    await assert.rejects(
      open(
        zipOf([
          ['./a.txt', '1'],
          ['a.txt', '2']
        ])
      ),
      { code: 'duplicate-path' }
    );
  });

  it('zip bombs: too large, too compressed, lying sizes, overlapping entries', async () => {
    const zeros = new Uint8Array(4 * 1024 * 1024);
    const bomb = plainZip({ 'zeros.bin': zeros });
    await assert.rejects(open(bomb, { maxTotalBytes: 1024 * 1024 }), {
      code: 'zip-bomb',
      message: /expand to .* zip bomb/
    });
    await assert.rejects(open(bomb, { ratioFloor: 1024 * 1024 }), {
      code: 'zip-bomb',
      message: /times/
    });
    // a directory that understates the size: caught while expanding
    const liar = plainZip({ 'small.txt': new Uint8Array(64 * 1024) });
    for (const header of centralHeaders(liar)) {
      setU32(liar, header + 24, 1000);
    }
    await assert.rejects(open(liar), {
      code: 'zip-bomb',
      message: /beyond the 1000 bytes/
    });
    // two directory entries sharing one local entry
    const twice = plainZip({
      'a.bin': new Uint8Array(1000),
      'b.bin': new Uint8Array(1000)
    });
    const [first, second] = centralHeaders(twice);
    setU32(twice, second + 42, getU32(twice, first + 42));
    await assert.rejects(open(twice), {
      code: 'zip-bomb',
      message: /share their data/
    });
  });

  it('damaged DEFLATE data', async () => {
    const raw = deflateRawSync(Buffer.from('hello '.repeat(1000)));
    const zip = plainZip({ 'a.txt': 'hello '.repeat(1000) });
    const at = find(zip, 'a.txt') + 5;
    zip.set(new Uint8Array(raw.length).fill(0xff), at);
    await assert.rejects(open(zip), (error: any) =>
      ['damaged', 'crc-mismatch', 'zip-bomb'].includes(error.code)
    );
  });

  it('a damaged manifest, or files missing from it', async () => {
    await assert.rejects(
      open(
        zipOf([
          ['luml-backup.json', '{not json'],
          ['a.txt', 'x']
        ])
      ),
      {
        code: 'manifest',
        message: /not valid JSON/
      }
    );
    const manifest = JSON.stringify({
      format: 'luml-notebooks-backup',
      formatVersion: 1,
      files: [
        { path: 'gone.txt', size: 1, sha256: '0'.repeat(64), kind: 'text' }
      ],
      folders: []
    });
    await assert.rejects(open(zipOf([['luml-backup.json', manifest]])), {
      code: 'manifest',
      message: /gone\.txt.*missing from the archive/
    });
    await assert.rejects(
      open(
        zipOf([
          [
            'luml-backup.json',
            manifest
              .replace('"files":[', '"files":[')
              .replace('gone.txt', 'a.txt')
          ],
          ['a.txt', 'xy']
        ])
      ),
      { code: 'manifest', message: /holds 2 bytes, its manifest says 1/ }
    );
    const newer = manifest.replace('"formatVersion":1', '"formatVersion":9');
    await assert.rejects(open(zipOf([['luml-backup.json', newer]])), {
      code: 'unsupported',
      message: /newer/
    });
  });

  it('a plain zip of files imports with a notice', async () => {
    const reader = await open(
      plainZip({
        'nb.ipynb': '{}',
        'sub/data.csv': 'a,b',
        '__MACOSX/._nb.ipynb': 'junk'
      })
    );
    assert.equal(reader.verifiable, false);
    assert.deepEqual(
      reader.files.map(f => [f.path, f.kind]),
      [
        ['nb.ipynb', 'notebook'],
        ['sub/data.csv', 'text']
      ]
    );
    assert.match(reader.notices.join(' '), /nothing could be verified/);
    assert.match(reader.notices.join(' '), /__MACOSX/);
  });
});
