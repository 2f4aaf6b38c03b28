import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import { unzipSync } from 'fflate';

import {
  BackupReader,
  BackupWriter,
  BytesRandomAccess,
  IBackupProgress,
  MANIFEST_NAME,
  readZipDirectory
} from '../../backup';
import { fixtureBytes } from '../format/fixtures';
import { CollectSink, MemoryContents } from './memoryContents';
import { NOTEBOOK, sampleInstance } from './sampleInstance';

const sha = (b: Uint8Array | string) =>
  createHash('sha256').update(b).digest('hex');

async function backup(
  contents: MemoryContents,
  onProgress?: (p: IBackupProgress) => void
) {
  const sink = new CollectSink();
  const summary = await new BackupWriter(contents).write(sink, {
    instance: { id: 'jl_1234', name: 'My work' },
    siteVersion: '0.1.0',
    now: new Date('2026-03-04T10:20:30Z'),
    onProgress
  });
  return { summary, zip: sink.bytes() };
}

describe('BackupWriter', () => {
  it('writes every file byte for byte, with a manifest any unzip reads', async () => {
    const contents = sampleInstance();
    const { summary, zip } = await backup(contents);
    const files = unzipSync(zip);
    const manifest = JSON.parse(Buffer.from(files[MANIFEST_NAME]).toString());
    assert.equal(manifest.format, 'luml-notebooks-backup');
    assert.equal(manifest.formatVersion, 1);
    assert.deepEqual(manifest.instance, { id: 'jl_1234', name: 'My work' });
    assert.equal(manifest.createdAt, '2026-03-04T10:20:30.000Z');
    assert.equal(manifest.siteVersion, '0.1.0');
    assert.deepEqual(summary.manifest, manifest);
    const byPath = new Map<string, any>(
      manifest.files.map((f: any) => [f.path, f])
    );
    assert.deepEqual([...byPath.keys()].sort(), [
      'Analysis.ipynb',
      'data/inner.zip',
      'data/table.csv',
      'empty.bin',
      'models/deep/weights.bin',
      'models/model.luml',
      'src/train.py'
    ]);
    for (const [path, record] of byPath) {
      assert.equal(record.sha256, sha(files[path]), path);
      assert.equal(record.size, files[path].length, path);
    }
    const luml = fixtureBytes('sklearn_card.luml');
    assert.equal(sha(files['models/model.luml']), sha(luml));
    assert.equal(
      Buffer.from(files['Analysis.ipynb']).toString(),
      JSON.stringify(NOTEBOOK, null, 1) + '\n'
    );
    assert.equal(byPath.get('Analysis.ipynb').kind, 'notebook');
    assert.equal(byPath.get('src/train.py').kind, 'text');
    assert.equal(byPath.get('models/model.luml').kind, 'binary');
    assert.equal(
      byPath.get('src/train.py').modified,
      '2026-03-04T05:06:08.000Z'
    );
    // only empty folders get entries of their own
    assert.deepEqual(manifest.folders.map((f: any) => f.path).sort(), [
      'empty',
      'nested/empty too'
    ]);
    assert.ok('empty/' in files && 'nested/empty too/' in files);
    assert.ok(!('nested/' in files));
  });

  it('compresses text and stores random or compressed bytes', async () => {
    const { zip } = await backup(sampleInstance());
    const { entries } = await readZipDirectory(new BytesRandomAccess(zip));
    const method = new Map(entries.map(e => [e.name, e.method]));
    assert.equal(method.get('Analysis.ipynb'), 8);
    assert.equal(method.get('src/train.py'), 8);
    assert.equal(method.get('data/table.csv'), 8);
    assert.equal(method.get('models/deep/weights.bin'), 0);
    assert.equal(method.get('data/inner.zip'), 0);
    // the extended timestamp carries the file's time in UTC
    const train = entries.find(e => e.name === 'src/train.py')!;
    assert.equal(train.modified?.toISOString(), '2026-03-04T05:06:08.000Z');
  });

  it('reads back through BackupReader, verified', async () => {
    const { zip } = await backup(sampleInstance());
    const reader = await BackupReader.open(new BytesRandomAccess(zip));
    assert.ok(reader.verifiable);
    assert.deepEqual(reader.notices, []);
    const hashes = await reader.verify();
    const inner = reader.files.find(f => f.path === 'data/inner.zip')!;
    const chunks: Uint8Array[] = [];
    for await (const chunk of reader.stream(inner)) {
      chunks.push(chunk);
    }
    assert.deepEqual(
      unzipSync(new Uint8Array(Buffer.concat(chunks)))['y.txt'],
      new TextEncoder().encode('why')
    );
    assert.equal(hashes.size, 7);
    assert.ok(reader.folders.includes('nested/empty too'));
  });

  it('reports progress and stops when cancelled, producing no archive', async () => {
    const contents = sampleInstance();
    const seen: IBackupProgress[] = [];
    await backup(contents, p => seen.push(p));
    const last = seen[seen.length - 1];
    assert.equal(last.phase, 'done');
    assert.equal(last.filesDone, 7);
    assert.equal(last.filesTotal, 7);

    const controller = new AbortController();
    await assert.rejects(
      new BackupWriter(contents).write(new CollectSink(), {
        instance: { id: 'a', name: 'b' },
        siteVersion: 'x',
        signal: controller.signal,
        onProgress: p => {
          if (p.filesDone === 2) {
            controller.abort();
          }
        }
      }),
      { code: 'cancelled' }
    );
  });

  it('says which file it could not read', async () => {
    const contents = sampleInstance();
    const get = contents.get.bind(contents);
    contents.get = async (path, options) => {
      if (path === 'src/train.py' && options?.content) {
        throw new Error('IndexedDB went away');
      }
      return get(path, options);
    };
    await assert.rejects(backup(contents), (error: any) => {
      assert.equal(error.code, 'read-failed');
      assert.match(error.message, /src\/train\.py.*IndexedDB went away/);
      return true;
    });
  });
});
