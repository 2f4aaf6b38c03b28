import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  BackupReader,
  BackupWriter,
  BytesRandomAccess,
  ConflictPolicy,
  Restorer
} from '../../backup';
import { CollectSink, MemoryContents } from './memoryContents';

async function backupOf(contents: MemoryContents): Promise<Uint8Array> {
  const sink = new CollectSink();
  await new BackupWriter(contents).write(sink, {
    instance: { id: 'i', name: 'n' },
    siteVersion: 'v'
  });
  return sink.bytes();
}

function twins(): MemoryContents {
  const contents = new MemoryContents();
  contents.addText('Data.csv', 'upper\n');
  contents.addText('data.csv', 'lower\n');
  contents.addText('notes.txt', 'notes\n');
  return contents;
}

async function restoreTo(
  target: MemoryContents,
  zip: Uint8Array,
  policy: ConflictPolicy
) {
  const reader = await BackupReader.open(new BytesRandomAccess(zip));
  // a Jupyter server's disk may be case-insensitive (Windows, macOS)
  return new Restorer(target, undefined, { foldsCase: true }).restore(reader, {
    policy
  });
}

describe('names that differ only by case', () => {
  it('are named in a warning when the archive is opened', async () => {
    const reader = await BackupReader.open(
      new BytesRandomAccess(await backupOf(twins()))
    );
    const warning = reader.notices.find(n => n.includes('only by case'));
    assert.ok(warning, reader.notices.join('\n'));
    assert.match(warning, /"Data\.csv" and "data\.csv"/);
    assert.match(warning, /case-insensitive/);
  });

  it('are kept both on a disk that folds case, when the user says so', async () => {
    const zip = await backupOf(twins());
    const reader = await BackupReader.open(new BytesRandomAccess(zip));
    const preview = await new Restorer(new MemoryContents(), undefined, {
      foldsCase: true
    }).preview(reader);
    assert.deepEqual(preview.conflicts, ['data.csv']);

    const both = new MemoryContents();
    const kept = await restoreTo(both, zip, 'keep-both');
    assert.equal(kept.renamed.get('data.csv'), 'data (restored).csv');
    assert.equal(both.records.get('Data.csv')!.content, 'upper\n');
    assert.equal(both.records.get('data (restored).csv')!.content, 'lower\n');
    assert.ok(!both.records.has('data.csv'));

    const skip = new MemoryContents();
    const skipped = await restoreTo(skip, zip, 'skip');
    assert.deepEqual(skipped.skipped, ['data.csv']);
    assert.ok(!skip.records.has('data.csv'));
  });

  it('meet an existing file of another case as a conflict', async () => {
    const zip = await backupOf(twins());
    const make = () => {
      const target = new MemoryContents();
      target.addText('DATA.CSV', 'mine\n');
      return target;
    };
    const reader = await BackupReader.open(new BytesRandomAccess(zip));
    const preview = await new Restorer(make(), undefined, {
      foldsCase: true
    }).preview(reader);
    assert.deepEqual(preview.conflicts, ['Data.csv', 'data.csv']);

    const target = make();
    const kept = await restoreTo(target, zip, 'keep-both');
    assert.equal(target.records.get('DATA.CSV')!.content, 'mine\n');
    assert.equal(kept.renamed.get('Data.csv'), 'Data (restored).csv');
    assert.equal(kept.renamed.get('data.csv'), 'data (restored 2).csv');
    // overwrite never replaces a file of another name: those are skipped
    const over = make();
    const result = await restoreTo(over, zip, 'overwrite');
    assert.deepEqual(result.skipped, ['Data.csv', 'data.csv']);
    assert.equal(over.records.get('DATA.CSV')!.content, 'mine\n');
  });

  it('restore side by side into browser storage, which keeps case', async () => {
    const target = new MemoryContents();
    const reader = await BackupReader.open(
      new BytesRandomAccess(await backupOf(twins()))
    );
    const result = await new Restorer(target).restore(reader, {
      policy: 'skip'
    });
    assert.deepEqual(result.written.sort(), [
      'Data.csv',
      'data.csv',
      'notes.txt'
    ]);
  });
});
