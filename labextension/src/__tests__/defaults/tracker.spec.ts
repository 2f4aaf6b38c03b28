import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import type { Contents } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';

import { MemoryDefaultsStore } from '../../defaults/defaultsStore';
import { DefaultsTracker } from '../../defaults/tracker';

const encoder = new TextEncoder();

function notebook(...sources: string[]) {
  return {
    cells: sources.map(source => ({
      cell_type: 'code',
      metadata: {},
      source,
      outputs: [],
      execution_count: null
    })),
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5
  };
}

const bytesOf = (value: unknown) =>
  encoder.encode(JSON.stringify(value, null, 1));

/**
 * The browser drive as the tracker sees it: browser copies shadow shipped
 * files, deleting a copy shows the shipped file again.
 */
class FakeDrive {
  constructor(public shipped: Map<string, unknown>) {}
  readonly local = new Map<string, Contents.IModel>();
  readonly fileChanged = new Signal<any, Contents.IChangedArgs>(this);
  failSaves = false;

  async get(path: string, options?: Contents.IFetchOptions) {
    if (path === '' || path === 'data') {
      const names = new Set([...this.shipped.keys(), ...this.local.keys()]);
      const inFolder = [...names].filter(p =>
        path === '' ? !p.includes('/') : p.startsWith(path + '/')
      );
      return {
        path,
        type: 'directory',
        content: inFolder.map(p => ({ path: p }))
      } as any;
    }
    const local = this.local.get(path);
    if (local) {
      return local;
    }
    if (!this.shipped.has(path)) {
      throw new Error(`no ${path}`);
    }
    return {
      path,
      type: 'notebook',
      format: 'json',
      content: structuredClone(this.shipped.get(path))
    } as any;
  }

  async save(path: string, options: Partial<Contents.IModel> = {}) {
    if (this.failSaves) {
      throw new Error('quota exceeded');
    }
    const model = { path, name: path, ...options } as Contents.IModel;
    this.local.set(path, model);
    this.fileChanged.emit({ type: 'save', oldValue: null, newValue: model });
    return model;
  }

  async delete(path: string) {
    this.local.delete(path);
    this.fileChanged.emit({
      type: 'delete',
      oldValue: { path },
      newValue: null
    });
  }
}

class DriveStore extends MemoryDefaultsStore {
  constructor(private drive: FakeDrive) {
    super();
  }
  async localCopies() {
    return new Set(this.drive.local.keys());
  }
}

function site(
  shipped: Map<string, unknown>,
  drive: FakeDrive,
  store: DriveStore
) {
  drive.shipped = shipped;
  const hashes = new Map(
    [...shipped].map(([path, value]) => [
      path,
      createHash('sha256').update(bytesOf(value)).digest('hex')
    ])
  );
  const fetched: string[] = [];
  const tracker = new DefaultsTracker({
    contents: drive as any,
    shipped: hashes,
    store,
    settleMs: 1,
    fetchShipped: async path => {
      fetched.push(path);
      return bytesOf(shipped.get(path));
    }
  });
  return { tracker, hashes, fetched };
}

async function settled(tracker: DefaultsTracker) {
  await new Promise(resolve => setTimeout(resolve, 20));
  await tracker.refresh();
}

const V1 = notebook('print("hello")');
const V2 = notebook('print("hello")', 'print("new in v2")');
const NB = 'Getting started.ipynb';

describe('DefaultsTracker', () => {
  it('starts as shipped without reading files that have no browser copy', async () => {
    const drive = new FakeDrive(new Map());
    const { tracker, fetched } = site(
      new Map([[NB, V1]]),
      drive,
      new DriveStore(drive)
    );
    await tracker.refresh();
    await tracker.ready;
    assert.equal(tracker.status(NB)?.state, 'shipped');
    assert.deepEqual(fetched, []);
    assert.equal(tracker.isDefault(NB), true);
    assert.equal(tracker.isDefault('mine.ipynb'), false);
  });

  it('follows an edit, a deploy, the notice, and a reset that keeps the edits', async () => {
    const drive = new FakeDrive(new Map());
    const store = new DriveStore(drive);
    const first = site(new Map([[NB, V1]]), drive, store);
    await first.tracker.refresh();
    let changes = 0;
    first.tracker.changed.connect(() => changes++);

    // a save that only adds outputs is not an edit
    const ran = structuredClone(V1) as any;
    ran.cells[0].outputs = [{ output_type: 'stream', text: 'hello' }];
    await drive.save(NB, { type: 'notebook', format: 'json', content: ran });
    await settled(first.tracker);
    assert.equal(first.tracker.status(NB)?.state, 'shipped');
    assert.equal(store.saved.get(NB)?.baseHash, first.hashes.get(NB));

    const mine = notebook('print("hello")', 'my_own = 1');
    await drive.save(NB, { type: 'notebook', format: 'json', content: mine });
    await settled(first.tracker);
    assert.equal(first.tracker.status(NB)?.state, 'edited');
    assert.ok(changes >= 1);
    assert.deepEqual(await first.tracker.takeUpdateNotices(), []);
    first.tracker.dispose();

    // a deploy ships V2: the same browser storage, a new page
    const second = site(new Map([[NB, V2]]), drive, store);
    await second.tracker.refresh();
    const status = second.tracker.status(NB)!;
    assert.equal(status.state, 'updated');
    assert.equal(status.baseHash, first.hashes.get(NB));
    assert.deepEqual(
      (await second.tracker.takeUpdateNotices()).map(s => s.path),
      [NB]
    );
    assert.deepEqual(await second.tracker.takeUpdateNotices(), []);

    const comparison = await second.tracker.compare(NB);
    assert.equal(comparison.state, 'updated');
    const changed = comparison.hunks
      .flatMap(h => h.lines)
      .filter(l => l.change !== 'context')
      .map(l => `${l.change}:${l.text}`);
    assert.deepEqual(changed, [
      'removed:print("new in v2")',
      'added:my_own = 1'
    ]);

    // the kept name is taken already: the copy gets a number
    drive.local.set('Getting started-my-edits.ipynb', {
      path: 'Getting started-my-edits.ipynb',
      format: 'json',
      type: 'notebook',
      content: notebook('older')
    } as any);
    const result = await second.tracker.reset(NB, { keepCopy: true });
    assert.equal(result.keptAs, 'Getting started-my-edits-2.ipynb');
    assert.deepEqual(drive.local.get(result.keptAs!)?.content, mine);
    assert.equal(drive.local.has(NB), false);
    assert.deepEqual((await drive.get(NB)).content, V2);
    assert.equal(second.tracker.status(NB)?.state, 'shipped');
    assert.equal(store.saved.has(NB), false);
  });

  it('keeps the edited copy when saving it beside the default fails', async () => {
    const drive = new FakeDrive(new Map());
    const store = new DriveStore(drive);
    const { tracker } = site(new Map([[NB, V1]]), drive, store);
    await tracker.refresh();
    const mine = notebook('mine');
    await drive.save(NB, { type: 'notebook', format: 'json', content: mine });
    await settled(tracker);
    drive.failSaves = true;
    await assert.rejects(tracker.reset(NB, { keepCopy: true }), /quota/);
    assert.deepEqual(drive.local.get(NB)?.content, mine);
    assert.equal(tracker.status(NB)?.state, 'edited');
  });

  it('resets without a copy when asked, and deleting a copy forgets it', async () => {
    const drive = new FakeDrive(new Map());
    const store = new DriveStore(drive);
    const { tracker } = site(
      new Map<string, unknown>([
        [NB, V1],
        ['Other.ipynb', V1]
      ]),
      drive,
      store
    );
    await tracker.refresh();
    await drive.save(NB, {
      type: 'notebook',
      format: 'json',
      content: notebook('x')
    });
    await drive.save('Other.ipynb', {
      type: 'notebook',
      format: 'json',
      content: notebook('y')
    });
    await settled(tracker);
    assert.deepEqual(
      tracker.statuses.map(s => [s.path, s.state]),
      [
        [NB, 'edited'],
        ['Other.ipynb', 'edited']
      ]
    );

    const result = await tracker.reset(NB, { keepCopy: false });
    assert.equal(result.keptAs, null);
    assert.deepEqual([...drive.local.keys()], ['Other.ipynb']);

    await drive.delete('Other.ipynb');
    await settled(tracker);
    assert.equal(tracker.status('Other.ipynb')?.state, 'shipped');
    assert.equal(store.saved.size, 0);
  });

  it('refuses paths that are not defaults', async () => {
    const drive = new FakeDrive(new Map());
    const { tracker } = site(new Map([[NB, V1]]), drive, new DriveStore(drive));
    await assert.rejects(
      tracker.reset('mine.ipynb', { keepCopy: true }),
      /not one of the site's default files/
    );
  });

  it('is inert on a site without defaults', async () => {
    const drive = new FakeDrive(new Map());
    const { tracker } = site(new Map(), drive, new DriveStore(drive));
    assert.equal(tracker.enabled, false);
    await tracker.ready;
    assert.deepEqual(tracker.statuses, []);
  });
});
