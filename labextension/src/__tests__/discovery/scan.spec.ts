import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import type { Contents } from '@jupyterlab/services';

import { isModelPath } from '../../format/modelFiles';
import {
  FolderWalker,
  isInScope,
  listedModelFiles,
  readStoredPaths,
  Slots
} from '../../discovery/scan';
import { fixtureBase64 } from '../format/fixtures';
import { buildTar, modelMembers } from '../format/tarBuilder';
import {
  b64,
  delay,
  discover,
  discoverOnServer,
  disposeDiscoveries,
  FakeContents,
  FakeServer,
  manifest,
  modelBase64,
  sizeOf,
  Storage,
  waitFor
} from './fakes';

afterEach(disposeDiscoveries);

// --- the parts ---------------------------------------------------------------

describe('isInScope', () => {
  it('takes the path itself and what is under it', () => {
    assert.equal(isInScope('any/where.luml', ''), true);
    assert.equal(isInScope('runs', 'runs'), true);
    assert.equal(isInScope('runs/x.luml', 'runs'), true);
    assert.equal(isInScope('runsX/x.luml', 'runs'), false);
    assert.equal(isInScope('other.luml', 'runs'), false);
  });
});

describe('listedModelFiles', () => {
  it('keeps the model files in scope, as listing entries', () => {
    const listed = [
      { path: '/runs/a.luml', size: 10, last_modified: 't1' },
      { path: 'runs/notes.txt', size: 1, last_modified: 't2' },
      { path: 'other/b.dfs', size: 2, last_modified: 't3' }
    ];
    assert.deepEqual(listedModelFiles(listed, 'runs'), [
      {
        path: 'runs/a.luml',
        name: 'a.luml',
        type: 'file',
        size: 10,
        last_modified: 't1'
      }
    ]);
    assert.deepEqual(
      listedModelFiles(listed, '').map(f => f.path),
      ['runs/a.luml', 'other/b.dfs']
    );
  });
});

describe('readStoredPaths', () => {
  it('normalizes the paths storage holds', async () => {
    const paths = await readStoredPaths(async () => ['/a/b.luml', 'c/']);
    assert.deepEqual(paths, new Set(['a/b.luml', 'c']));
  });

  it('is null without storage paths, or when they cannot be read', async () => {
    assert.equal(await readStoredPaths(null), null);
    assert.equal(await readStoredPaths(async () => null), null);
    assert.equal(
      await readStoredPaths(async () => {
        throw new Error('no IndexedDB here');
      }),
      null
    );
  });
});

/** Folders as listings; counts the listings running at once. */
function folderTree(tree: { [dir: string]: string[] }) {
  const stats = { running: 0, mostAtOnce: 0, listed: [] as string[] };
  const contents: Pick<Contents.IManager, 'get'> = {
    async get(dir: string): Promise<Contents.IModel> {
      stats.listed.push(dir);
      stats.running++;
      stats.mostAtOnce = Math.max(stats.mostAtOnce, stats.running);
      await delay(5);
      stats.running--;
      const children = tree[dir];
      if (!children) {
        throw new Error(`Could not find content with path ${dir}`);
      }
      return {
        type: 'directory',
        content: children.map(path => ({
          path,
          type: path in tree ? 'directory' : 'file'
        }))
      } as Contents.IModel;
    }
  };
  return { contents, stats };
}

describe('FolderWalker', () => {
  const tree = {
    '': ['a', 'b', 'c', 'top.luml', 'notes.txt'],
    a: ['a/x.luml', 'a/deeper'],
    'a/deeper': ['a/deeper/y.DFS'],
    b: ['b/z.luml'],
    c: ['c/w.fnnx']
  };

  it('reports every model file, listing at most two folders at once', async () => {
    const { contents, stats } = folderTree(tree);
    const found: string[] = [];
    await new FolderWalker(contents).walk('', {
      stored: null,
      isCancelled: () => false,
      onModelFile: path => found.push(path)
    });
    assert.deepEqual(found.sort(), [
      'a/deeper/y.DFS',
      'a/x.luml',
      'b/z.luml',
      'c/w.fnnx',
      'top.luml'
    ]);
    assert.equal(stats.listed.length, 5);
    assert.equal(stats.mostAtOnce, 2);
  });

  it('skips what storage holds, and the folders it holds', async () => {
    const { contents, stats } = folderTree(tree);
    const found: string[] = [];
    await new FolderWalker(contents).walk('', {
      stored: new Set(['a', 'a/x.luml', 'top.luml']),
      isCancelled: () => false,
      onModelFile: path => found.push(path)
    });
    assert.deepEqual(found.sort(), ['b/z.luml', 'c/w.fnnx']);
    assert.deepEqual(stats.listed.sort(), ['', 'b', 'c']);
  });

  it('stops once cancelled, and ignores a folder that went away', async () => {
    const { contents, stats } = folderTree(tree);
    const found: string[] = [];
    await new FolderWalker(contents).walk('', {
      stored: null,
      isCancelled: () => true,
      onModelFile: path => found.push(path)
    });
    assert.equal(found.length, 0);
    assert.deepEqual(stats.listed, ['']);
    await new FolderWalker(contents).walk('gone', {
      stored: null,
      isCancelled: () => false,
      onModelFile: path => found.push(path)
    });
    assert.deepEqual(found, []);
  });
});

describe('Slots', () => {
  it('lets waiting holders in, in order, as slots free', async () => {
    const slots = new Slots(1);
    const order: string[] = [];
    await slots.acquire();
    const second = slots.acquire().then(() => order.push('second'));
    const third = slots.acquire().then(() => order.push('third'));
    await delay(1);
    assert.deepEqual(order, []);
    slots.release();
    await second;
    slots.release();
    await third;
    assert.deepEqual(order, ['second', 'third']);
  });
});

// --- ModelDiscovery's scans --------------------------------------------------

describe('ModelDiscovery start-up scan', () => {
  it('finds models in every folder and reads only model files', async () => {
    const contents = new FakeContents();
    const s = contents.storage;
    s.put('root.luml', modelBase64(manifest('root')));
    s.put('a/b/deep.DFS', modelBase64(manifest('deep', '2.0')));
    s.put('a/legacy.fnnx', modelBase64(manifest('legacy')));
    s.put('a/old.PyFnx', modelBase64(manifest('old')));
    s.put('a/notes.txt', b64(new TextEncoder().encode('hello')));
    s.put('a/b/data.csv', b64(new TextEncoder().encode('1,2')));
    s.put('empty-folder/x', '', 'directory');

    const d = discover(contents);
    await d.start();

    assert.deepEqual(
      d.models.map(m => m.path),
      ['a/b/deep.DFS', 'a/legacy.fnnx', 'a/old.PyFnx', 'root.luml']
    );
    const deep = d.get('a/b/deep.DFS')!;
    assert.equal(deep.name, 'deep.DFS');
    assert.ok(deep.result.ok);
    assert.equal(deep.result.ok && deep.result.summary.name, 'deep');
    assert.equal(deep.result.ok && deep.result.summary.version, '2.0');
    assert.equal(deep.size, sizeOf(s.records.get('a/b/deep.DFS')!.content));
    // only folders were fetched; listings carried the model contents
    const fetched = new Set(contents.calls.map(c => c.path));
    assert.deepEqual(
      [...fetched].sort(),
      ['', 'a', 'a/b', 'empty-folder', 'empty-folder/x'].sort()
    );
    assert.equal(d.scanning, false);
    assert.deepEqual(d.pending, []);
  });

  it('fetches each model once when listings come without content', async () => {
    const contents = new FakeContents(new Storage(), false);
    contents.storage.put('m/one.luml', modelBase64(manifest('one')));
    contents.storage.put('m/readme.md', b64(new TextEncoder().encode('#')));
    const d = discover(contents);
    await d.start();
    assert.equal(d.models.length, 1);
    assert.equal(contents.contentReads('m/one.luml'), 1);
    assert.equal(
      contents.calls.filter(c => c.path === 'm/readme.md').length,
      0
    );
  });

  it('reads a real luml-sdk file', async () => {
    const contents = new FakeContents();
    contents.storage.put('sk.luml', fixtureBase64('sklearn_basic.luml'));
    const d = discover(contents);
    await d.start();
    const m = d.get('sk.luml')!;
    assert.ok(m.result.ok);
    assert.equal(m.result.ok && m.result.summary.name, 'tiny-linear');
  });

  it('lists a damaged file as unreadable, with a reason', async () => {
    const contents = new FakeContents();
    contents.storage.put('bad.luml', b64(new Uint8Array(700).fill(0x41)));
    contents.storage.put('zip.luml', b64(new Uint8Array([0x50, 0x4b, 3, 4])));
    const d = discover(contents);
    await d.start();
    const bad = d.get('bad.luml')!;
    assert.equal(bad.result.ok, false);
    assert.match(
      (bad.result as { reason: string }).reason,
      /not a tar archive/
    );
    assert.match(
      (d.get('zip.luml')!.result as { reason: string }).reason,
      /zip file/
    );
  });

  it('does not poll: no reads while nothing changes', async () => {
    const contents = new FakeContents();
    contents.storage.put('a.luml', modelBase64(manifest('a')));
    const d = discover(contents);
    await d.start();
    const calls = contents.calls.length;
    await delay(300);
    assert.equal(contents.calls.length, calls);
  });
});

describe('ModelDiscovery start-up scan from the storage keys', () => {
  function instance(): FakeContents {
    const contents = new FakeContents();
    const s = contents.storage;
    s.put('root.luml', modelBase64(manifest('root')));
    s.put('a/b/m1.luml', modelBase64(manifest('m1')));
    s.put('a/notes.txt', b64(new TextEncoder().encode('x')));
    // shipped with the site: listed by the drive, absent from storage keys
    s.put('shipped/s.luml', modelBase64(manifest('s')));
    s.put('shipped/deep/t.dfs', modelBase64(manifest('t')));
    return contents;
  }
  const inStorage = (contents: FakeContents) => async () =>
    [...contents.storage.records.keys()].filter(p => !p.startsWith('shipped'));

  it('reads stored models and lists only folders storage does not hold', async () => {
    const contents = instance();
    const d = discover(contents, undefined, inStorage(contents));
    await d.start();
    assert.deepEqual(
      d.models.map(m => m.path),
      ['a/b/m1.luml', 'root.luml', 'shipped/deep/t.dfs', 'shipped/s.luml']
    );
    assert.ok(d.models.every(m => m.result.ok));
    const listed = contents.calls.filter(c => !isModelPath(c.path));
    assert.deepEqual(listed.map(c => c.path).sort(), [
      '',
      'shipped',
      'shipped/deep'
    ]);
    assert.equal(contents.contentReads('a/b/m1.luml'), 1);
  });

  it('lists every folder when storage cannot be read', async () => {
    const contents = instance();
    const d = discover(contents, undefined, async () => {
      throw new Error('no IndexedDB here');
    });
    await d.start();
    assert.equal(d.models.length, 4);
    assert.ok(contents.calls.some(c => c.path === 'a/b'));
  });

  it('looks inside a folder named like a model file', async () => {
    const contents = new FakeContents();
    contents.storage.put('odd.luml/in.luml', modelBase64(manifest('in')));
    const d = discover(contents, undefined, async () => [
      ...contents.storage.records.keys()
    ]);
    await d.start();
    await waitFor(() => d.models.length === 1, 'the inner model');
    assert.deepEqual(
      d.models.map(m => m.path),
      ['odd.luml/in.luml']
    );
  });

  it('does not read again a model read from its save event before the scan', async () => {
    const contents = instance();
    const d = discover(contents, undefined, inStorage(contents));
    contents.save('early.luml', modelBase64(manifest('early')));
    await waitFor(() => d.get('early.luml') !== undefined, 'the event read');
    await d.start();
    assert.equal(contents.contentReads('early.luml'), 0);
    assert.equal(d.models.length, 5);
    // a later refresh does read everything again, to catch missed changes
    await d.refresh();
    assert.equal(contents.contentReads('early.luml'), 1);
  });

  it('forgets models gone since the last scan', async () => {
    const contents = instance();
    const d = discover(contents, undefined, inStorage(contents));
    await d.start();
    contents.storage.records.delete('a/b/m1.luml'); // no event
    await d.refresh();
    assert.equal(d.get('a/b/m1.luml'), undefined);
    assert.equal(d.models.length, 3);
  });
});

describe('ModelDiscovery with a server listing', () => {
  it('finds, updates and forgets files written behind its back', async () => {
    const server = new FakeServer();
    const model = (name: string) => buildTar(modelMembers(manifest(name)));
    server.write('a.luml', model('a'));
    server.write('old/b.dfs', model('b'));
    const d = discoverOnServer(server);
    await d.start();
    assert.deepEqual(
      d.models.map(m => m.path),
      ['a.luml', 'old/b.dfs']
    );
    const b = d.get('old/b.dfs')!;
    assert.equal(b.result.ok && b.result.summary.name, 'b');

    // an unchanged tree: a poll lists and reads nothing
    const opened = server.opens.length;
    await d.refresh();
    assert.equal(server.opens.length, opened);

    server.write('new.luml', model('new'));
    server.write('a.luml', model('a2'));
    server.files.delete('old/b.dfs');
    await d.refresh();
    assert.deepEqual(
      d.models.map(m => m.path),
      ['a.luml', 'new.luml']
    );
    const a = d.get('a.luml')!;
    assert.equal(a.result.ok && a.result.summary.name, 'a2');
    assert.equal(server.opens.length, opened + 2);
  });

  it('reads a large model from its headers, not its weights', async () => {
    const server = new FakeServer();
    const weights = new Uint8Array(4 * 1024 * 1024).fill(7);
    server.write(
      'big.luml',
      buildTar([
        ...modelMembers(manifest('big')),
        { name: 'variant_artifacts/extra_files/weights.bin', data: weights }
      ])
    );
    const d = discoverOnServer(server);
    await d.start();
    const big = d.get('big.luml')!;
    assert.ok(big.result.ok);
    assert.ok(big.size > weights.length);
    assert.ok(server.fetched < 300 * 1024, `${server.fetched} bytes read`);
  });

  it('reads a half-written file again once it is complete', async () => {
    const server = new FakeServer();
    const whole = buildTar(modelMembers(manifest('late')));
    server.write('late.luml', whole.slice(0, 700));
    const d = discoverOnServer(server);
    await d.start();
    assert.equal(d.get('late.luml')!.result.ok, false);
    server.write('late.luml', whole);
    await waitFor(
      () => d.get('late.luml')?.result.ok === true,
      'the complete file to be read'
    );
  });
});
