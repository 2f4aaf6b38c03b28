import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  BackupReader,
  BackupWriter,
  BytesRandomAccess,
  ConflictPolicy,
  Restorer
} from '../../backup';
import { sampleInstance } from './sampleInstance';
import { CollectSink, MemoryContents } from './memoryContents';
import { plainZip, zipOf } from './zipTools';

async function backupOf(contents: MemoryContents): Promise<Uint8Array> {
  const sink = new CollectSink();
  await new BackupWriter(contents).write(sink, {
    instance: { id: 'i', name: 'n' },
    siteVersion: 'v'
  });
  return sink.bytes();
}

async function restore(
  contents: MemoryContents,
  zip: Uint8Array,
  policy: ConflictPolicy = 'skip'
) {
  const reader = await BackupReader.open(new BytesRandomAccess(zip));
  return new Restorer(contents).restore(reader, { policy });
}

describe('Restorer', () => {
  it('restores a backup into an empty instance exactly', async () => {
    const original = sampleInstance();
    const zip = await backupOf(original);
    const target = new MemoryContents();
    const result = await restore(target, zip);
    assert.equal(result.verified, true);
    assert.equal(result.written.length, 7);
    assert.equal(target.snapshot(), original.snapshot());
    // and a second backup of the restored instance holds the same bytes
    const again = await BackupReader.open(
      new BytesRandomAccess(await backupOf(target))
    );
    const first = await BackupReader.open(new BytesRandomAccess(zip));
    assert.deepEqual(await again.verify(), await first.verify());
  });

  it('asks about conflicts and honours skip, overwrite and keep both', async () => {
    const zip = await backupOf(sampleInstance());
    const make = () => {
      const c = new MemoryContents();
      c.addText('src/train.py', 'my newer work\n');
      c.addText('data/table.csv', 'a,b\n1,2\n'.repeat(2000)); // identical
      return c;
    };
    const reader = await BackupReader.open(new BytesRandomAccess(zip));
    const preview = await new Restorer(make()).preview(reader);
    assert.deepEqual(preview.conflicts, ['src/train.py']);
    assert.deepEqual(preview.identical, ['data/table.csv']);

    const skip = make();
    const skipped = await restore(skip, zip, 'skip');
    assert.deepEqual(skipped.skipped, ['src/train.py']);
    assert.deepEqual(skipped.identical, ['data/table.csv']);
    assert.equal(skip.records.get('src/train.py')!.content, 'my newer work\n');

    const over = make();
    await restore(over, zip, 'overwrite');
    assert.equal(
      over.records.get('src/train.py')!.content,
      'print("hello")\n'.repeat(500)
    );
    assert.ok(
      ![...over.records.keys()].some(k => k.startsWith('.luml-restore'))
    );

    const both = make();
    const kept = await restore(both, zip, 'keep-both');
    assert.equal(both.records.get('src/train.py')!.content, 'my newer work\n');
    assert.equal(
      both.records.get('src/train (restored).py')!.content,
      'print("hello")\n'.repeat(500)
    );
    assert.equal(kept.renamed.get('src/train.py'), 'src/train (restored).py');
  });

  it('removes everything it wrote when a write fails half-way', async () => {
    const zip = await backupOf(sampleInstance());
    for (const policy of [
      'skip',
      'overwrite',
      'keep-both'
    ] as ConflictPolicy[]) {
      const target = new MemoryContents();
      target.addText('src/train.py', 'mine\n');
      target.addNotebook('Analysis.ipynb', {
        cells: [],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5
      });
      const before = target.snapshot();
      let writes = 0;
      target.beforeSave = path => {
        if (!path.startsWith('.luml-restore') && ++writes === 5) {
          const error = new Error('The quota has been exceeded.');
          error.name = 'QuotaExceededError';
          throw error;
        }
      };
      await assert.rejects(restore(target, zip, policy), (error: any) => {
        assert.equal(error.code, 'quota');
        assert.match(
          error.message,
          /storage for this site is full.*as it was before/
        );
        return true;
      });
      assert.equal(target.snapshot(), before, policy);
    }
  });

  it('writes nothing when verification fails or the restore is cancelled', async () => {
    const zip = await backupOf(sampleInstance());
    const target = new MemoryContents();
    target.addText('keep.txt', 'keep');
    const before = target.snapshot();
    const controller = new AbortController();
    const reader = await BackupReader.open(new BytesRandomAccess(zip));
    await assert.rejects(
      new Restorer(target).restore(reader, {
        policy: 'skip',
        signal: controller.signal,
        onProgress: p => {
          if (p.phase === 'writing' && p.filesDone === 3) {
            controller.abort();
          }
        }
      }),
      { code: 'cancelled', message: /cancelled.*as it was before/ }
    );
    assert.equal(target.snapshot(), before);
    assert.equal(target.saves > 0, true);
  });

  it('stops before writing when storage cannot hold the restore', async () => {
    const zip = await backupOf(sampleInstance());
    const target = new MemoryContents();
    const reader = await BackupReader.open(new BytesRandomAccess(zip));
    await assert.rejects(
      new Restorer(target).restore(reader, {
        policy: 'skip',
        availableBytes: 1000
      }),
      { code: 'quota', message: /needs about .* MB of browser storage/ }
    );
    assert.equal(target.saves, 0);
  });

  it('imports a plain zip by guessing kinds, bytes where text is not UTF-8', async () => {
    const target = new MemoryContents();
    const result = await restore(
      target,
      plainZip({
        'nb.ipynb': JSON.stringify({
          cells: [],
          metadata: {},
          nbformat: 4,
          nbformat_minor: 5
        }),
        'notes/readme.md': '# hi',
        'latin1.txt': new Uint8Array([0x63, 0x61, 0x66, 0xe9]),
        'blob.bin': new Uint8Array([0, 1, 2, 255])
      })
    );
    assert.equal(result.verified, false);
    assert.match(result.notices.join(' '), /nothing could be verified/);
    assert.equal(target.records.get('nb.ipynb')!.type, 'notebook');
    assert.equal(target.records.get('notes/readme.md')!.content, '# hi');
    assert.equal(target.records.get('latin1.txt')!.format, 'base64');
    assert.equal(target.records.get('blob.bin')!.content, 'AAEC/w==');
  });

  it('skips a file whose name is a folder here, whatever the policy', async () => {
    const target = new MemoryContents();
    target.addText('data/x.txt', 'x');
    const zip = zipOf([
      ['data', 'a file named like a folder'],
      ['b.txt', 'b']
    ]);
    const before = target.records.get('data/x.txt');
    const result = await restore(target, zip, 'overwrite');
    assert.deepEqual(result.skipped, ['data']);
    assert.deepEqual(result.written, ['b.txt']);
    assert.equal(target.records.get('data/x.txt'), before);
  });
});
