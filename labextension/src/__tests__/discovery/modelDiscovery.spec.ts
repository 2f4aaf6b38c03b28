import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import type { Contents } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';

import { RangeByteSource } from '../../format';
import { ModelDiscovery } from '../../discovery/modelDiscovery';
import { isModelPath } from '../../format/modelFiles';
import { IModelsChange } from '../../discovery/tokens';
import { fixtureBase64 } from '../format/fixtures';
import { buildTar, modelMembers, SAMPLE_MANIFEST } from '../format/tarBuilder';

// --- an in-memory contents manager with JupyterLite's event semantics ------

interface IRecord {
  type: 'file' | 'directory';
  content: string;
  lastModified: string;
}

let clock = 0;
function now(): string {
  clock += 1000;
  return new Date(Date.UTC(2026, 0, 1) + clock).toISOString();
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function modelBase64(manifest: object): string {
  return b64(buildTar(modelMembers(manifest)));
}

function sizeOf(base64: string): number {
  return Buffer.from(base64, 'base64').length;
}

/** One browser storage, shared by the tabs (FakeContents) that open it. */
class Storage {
  records = new Map<string, IRecord>();

  put(path: string, content: string, type: IRecord['type'] = 'file'): void {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!this.records.has(dir)) {
        this.records.set(dir, {
          type: 'directory',
          content: '',
          lastModified: now()
        });
      }
    }
    this.records.set(path, { type, content, lastModified: now() });
  }
}

interface IGetCall {
  path: string;
  content: boolean;
}

/** A tab's contents manager over a storage. */
class FakeContents {
  readonly fileChanged = new Signal<any, Contents.IChangedArgs>(this);
  calls: IGetCall[] = [];
  /** When set, reads of this path wait for it. */
  gate: { path: string; promise: Promise<void> } | null = null;

  constructor(
    readonly storage = new Storage(),
    /** Browser storage lists files with their content; a server does not. */
    readonly listWithContent = true
  ) {}

  async get(
    path: string,
    options?: Contents.IFetchOptions
  ): Promise<Contents.IModel> {
    this.calls.push({ path, content: !!options?.content });
    await Promise.resolve();
    if (this.gate && this.gate.path === path) {
      await this.gate.promise;
    }
    const record = path === '' ? undefined : this.storage.records.get(path);
    if (path !== '' && !record) {
      throw new Error(`Could not find content with path ${path}`);
    }
    if (path === '' || record!.type === 'directory') {
      const children = [...this.storage.records.keys()]
        .filter(p => parent(p) === path)
        .map(p => this._model(p, this.listWithContent));
      return {
        ...this._model(path, false),
        type: 'directory',
        content: options?.content ? children : null
      };
    }
    return this._model(path, !!options?.content);
  }

  /** A page or upload save: one event (with the content, as browser storage sends it). */
  save(path: string, content: string): void {
    this.storage.put(path, content);
    this._emit('save', null, this._model(path, this.listWithContent));
  }

  /** A kernel write: an empty file, then the whole file. */
  async kernelWrite(path: string, content: string): Promise<void> {
    this.save(path, '');
    await delay(5);
    this.save(path, content);
  }

  newFolder(path: string): void {
    this.storage.put(path, '', 'directory');
    this._emit('new', null, this._model(path, false));
  }

  /** JupyterLite renames children one by one, then the folder itself. */
  rename(oldPath: string, newPath: string, childEvents = true): void {
    const records = this.storage.records;
    const moved = [...records.keys()].filter(
      p => p === oldPath || p.startsWith(`${oldPath}/`)
    );
    this.storage.put(newPath, '', records.get(oldPath)!.type);
    for (const p of moved) {
      const target = newPath + p.slice(oldPath.length);
      records.set(target, { ...records.get(p)!, lastModified: now() });
      records.delete(p);
    }
    if (childEvents) {
      for (const p of moved.filter(m => m !== oldPath)) {
        const target = newPath + p.slice(oldPath.length);
        this._emit('rename', { path: p }, this._model(target, true));
      }
    }
    this._emit('rename', { path: oldPath }, this._model(newPath, true));
  }

  delete(path: string): void {
    for (const p of [...this.storage.records.keys()]) {
      if (p === path || p.startsWith(`${path}/`)) {
        this.storage.records.delete(p);
      }
    }
    this._emit('delete', { path }, null);
  }

  contentReads(path: string): number {
    return this.calls.filter(c => c.path === path && c.content).length;
  }

  private _model(path: string, withContent: boolean): Contents.IModel {
    const record = this.storage.records.get(path);
    const isDir = path === '' || record?.type === 'directory';
    return {
      name: path.split('/').pop() ?? '',
      path,
      type: isDir ? 'directory' : 'file',
      format: isDir ? 'json' : 'base64',
      mimetype: '',
      writable: true,
      created: record?.lastModified ?? '',
      last_modified: record?.lastModified ?? '',
      size: isDir ? 0 : sizeOf(record!.content),
      content: withContent && !isDir ? record!.content : null
    };
  }

  private _emit(
    type: Contents.IChangedArgs['type'],
    oldValue: Partial<Contents.IModel> | null,
    newValue: Partial<Contents.IModel> | null
  ): void {
    this.fileChanged.emit({ type, oldValue, newValue });
  }
}

function parent(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function delay(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

async function waitFor(
  condition: () => boolean,
  what: string,
  timeoutMs = 3000
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) {
      assert.fail(`timed out waiting for ${what}`);
    }
    await delay(5);
  }
}

const discoveries: ModelDiscovery[] = [];

function discover(
  contents: FakeContents,
  channelName?: string,
  storagePaths?: () => Promise<readonly string[] | null>
): ModelDiscovery {
  const d = new ModelDiscovery({
    contents,
    channelName,
    settleMs: 10,
    emptySettleMs: 80,
    storagePaths
  });
  discoveries.push(d);
  return d;
}

afterEach(() => {
  discoveries.splice(0).forEach(d => d.dispose());
});

const manifest = (name: string, version = '1.0.0') => ({
  ...SAMPLE_MANIFEST,
  name,
  version
});

// --- tests ------------------------------------------------------------------

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

describe('ModelDiscovery live updates', () => {
  it('reads a kernel write once, after the file is complete', async () => {
    const contents = new FakeContents();
    const d = discover(contents);
    await d.start();
    const seen: string[] = [];
    d.changed.connect(() => {
      const m = d.get('k.luml');
      if (m) {
        seen.push(m.result.ok ? 'ok' : 'unreadable');
      }
    });
    await contents.kernelWrite('k.luml', modelBase64(manifest('kernel')));
    await waitFor(() => d.get('k.luml') !== undefined, 'the model');
    const m = d.get('k.luml')!;
    assert.ok(m.result.ok);
    assert.equal(m.result.ok && m.result.summary.name, 'kernel');
    // browser storage's save event carried the content: no fetch
    assert.equal(contents.contentReads('k.luml'), 0);
    await delay(150);
    assert.deepEqual(seen, ['ok'], 'never shown as an empty file');
  });

  it('fetches a written model once when events carry no content', async () => {
    const contents = new FakeContents(new Storage(), false);
    const d = discover(contents);
    await d.start();
    await contents.kernelWrite('k.luml', modelBase64(manifest('kernel')));
    await waitFor(() => d.get('k.luml') !== undefined, 'the model');
    assert.ok(d.get('k.luml')!.result.ok);
    await delay(150);
    assert.equal(contents.contentReads('k.luml'), 1);
  });

  it('reports a file that stays empty, after waiting for it', async () => {
    const contents = new FakeContents();
    const d = discover(contents);
    await d.start();
    contents.save('empty.luml', '');
    await delay(30);
    assert.equal(d.get('empty.luml'), undefined, 'still waiting');
    assert.deepEqual(d.pending, ['empty.luml']);
    await waitFor(() => d.get('empty.luml') !== undefined, 'the file');
    assert.match(
      (d.get('empty.luml')!.result as { reason: string }).reason,
      /empty/
    );
  });

  it('waits while a chunked upload holds raw bytes', async () => {
    const contents = new FakeContents();
    const d = discover(contents);
    await d.start();
    // a middle chunk stores a binary string under format base64
    contents.save('up.luml', '\u0000manifest.json\u0000\u0000');
    await delay(40);
    assert.equal(d.get('up.luml'), undefined);
    contents.save('up.luml', modelBase64(manifest('uploaded')));
    await waitFor(() => d.get('up.luml') !== undefined, 'the upload');
    assert.ok(d.get('up.luml')!.result.ok);
  });

  it('updates a model saved over', async () => {
    const contents = new FakeContents();
    contents.storage.put('m.luml', modelBase64(manifest('m', '1')));
    const d = discover(contents);
    await d.start();
    contents.save('m.luml', modelBase64(manifest('m', '2')));
    await waitFor(() => {
      const r = d.get('m.luml')!.result;
      return r.ok && r.summary.version === '2';
    }, 'version 2');
  });

  it('moves a renamed model without reading it again', async () => {
    const contents = new FakeContents();
    contents.storage.put('a.luml', modelBase64(manifest('a')));
    const d = discover(contents);
    await d.start();
    const changes: IModelsChange[] = [];
    d.changed.connect((_, c) => changes.push(c));
    contents.rename('a.luml', 'b.luml');
    await waitFor(() => changes.length > 0, 'a change');
    assert.equal(d.get('a.luml'), undefined);
    assert.equal(d.get('b.luml')!.name, 'b.luml');
    assert.equal(contents.contentReads('b.luml'), 0);
    assert.deepEqual(
      changes.flatMap(c => c.renamed),
      [{ oldPath: 'a.luml', newPath: 'b.luml' }]
    );
  });

  it('drops a model renamed to another extension, adds one renamed to .luml', async () => {
    const contents = new FakeContents();
    contents.storage.put('a.luml', modelBase64(manifest('a')));
    contents.storage.put('b.bin', modelBase64(manifest('b')));
    const d = discover(contents);
    await d.start();
    contents.rename('a.luml', 'a.tar');
    contents.rename('b.bin', 'b.luml');
    await waitFor(() => d.get('b.luml') !== undefined, 'b.luml');
    assert.deepEqual(
      d.models.map(m => m.path),
      ['b.luml']
    );
  });

  for (const childEvents of [true, false]) {
    it(`follows a folder rename and a move (${childEvents ? 'browser storage' : 'server'} events)`, async () => {
      const contents = new FakeContents();
      contents.storage.put('runs/x.luml', modelBase64(manifest('x')));
      contents.storage.put('runs/deep/y.luml', modelBase64(manifest('y')));
      contents.storage.put('runsX/z.luml', modelBase64(manifest('z')));
      const d = discover(contents);
      await d.start();
      contents.rename('runs', 'archive/2026', childEvents);
      await waitFor(
        () => d.get('archive/2026/deep/y.luml') !== undefined,
        'the moved folder'
      );
      assert.deepEqual(
        d.models.map(m => m.path),
        ['archive/2026/deep/y.luml', 'archive/2026/x.luml', 'runsX/z.luml']
      );
      // a file moved into a subfolder
      contents.rename('runsX/z.luml', 'archive/z.luml');
      await waitFor(() => d.get('archive/z.luml') !== undefined, 'the move');
      assert.equal(d.get('runsX/z.luml'), undefined);
      assert.equal(contents.contentReads('archive/2026/x.luml'), 0);
    });
  }

  it('forgets deleted models and folders', async () => {
    const contents = new FakeContents();
    contents.storage.put('a.luml', modelBase64(manifest('a')));
    contents.storage.put('f/b.luml', modelBase64(manifest('b')));
    contents.storage.put('f/g/c.luml', modelBase64(manifest('c')));
    contents.storage.put('fg/d.luml', modelBase64(manifest('d')));
    const d = discover(contents);
    await d.start();
    contents.delete('a.luml');
    contents.delete('f');
    await waitFor(() => d.models.length === 1, 'the deletes');
    assert.deepEqual(
      d.models.map(m => m.path),
      ['fg/d.luml']
    );
    await delay(50);
    assert.equal(d.models.length, 1, 'not brought back');
  });

  it('finds models in a new or copied folder', async () => {
    const contents = new FakeContents();
    const d = discover(contents);
    await d.start();
    contents.storage.put('copy/m.luml', modelBase64(manifest('m')));
    contents.newFolder('copy');
    await waitFor(() => d.get('copy/m.luml') !== undefined, 'the model');
  });

  it('does not bring back a model deleted while it was being read', async () => {
    // events without content, so the read goes to storage and can be slow
    const contents = new FakeContents(new Storage(), false);
    const d = discover(contents);
    await d.start();
    let open!: () => void;
    contents.gate = {
      path: 'slow.luml',
      promise: new Promise(resolve => (open = resolve))
    };
    contents.save('slow.luml', modelBase64(manifest('slow')));
    await waitFor(
      () => contents.contentReads('slow.luml') === 1,
      'the read to start'
    );
    contents.delete('slow.luml');
    open();
    await delay(100);
    assert.equal(d.get('slow.luml'), undefined);
    assert.deepEqual(d.pending, []);
  });

  it('stops listening when disposed', async () => {
    const contents = new FakeContents();
    const d = discover(contents);
    await d.start();
    d.dispose();
    contents.save('late.luml', modelBase64(manifest('late')));
    await delay(50);
    assert.equal(d.get('late.luml'), undefined);
  });
});

describe('ModelDiscovery across tabs', () => {
  it('sees changes made in another tab of the same instance', async () => {
    const storage = new Storage();
    const tabA = new FakeContents(storage);
    const tabB = new FakeContents(storage);
    const channel = `test-${Math.random()}`;
    const a = discover(tabA, channel);
    const b = discover(tabB, channel);
    // another instance on the same site must not hear these
    const other = discover(new FakeContents(storage), `${channel}-other`);
    await Promise.all([a.start(), b.start(), other.start()]);

    await tabA.kernelWrite('shared.luml', modelBase64(manifest('shared')));
    await waitFor(() => b.get('shared.luml') !== undefined, 'tab B');
    assert.ok(b.get('shared.luml')!.result.ok);
    await delay(50);
    assert.equal(other.models.length, 0, 'another instance heard the note');

    tabA.rename('shared.luml', 'sub/shared.luml');
    await waitFor(() => b.get('sub/shared.luml') !== undefined, 'the move');
    assert.equal(b.get('shared.luml'), undefined);

    tabA.delete('sub');
    await waitFor(() => b.models.length === 0, 'the delete');
  });

  it('ignores malformed notes', async () => {
    const channel = `test-${Math.random()}`;
    const contents = new FakeContents();
    const d = discover(contents, channel);
    await d.start();
    const before = contents.calls.length;
    const sender = new BroadcastChannel(channel);
    sender.postMessage({ type: 'luml-models-changed', paths: [1, 2] });
    sender.postMessage('hello');
    sender.postMessage(null);
    await delay(50);
    sender.close();
    assert.equal(contents.calls.length, before);
  });
});

// --- a Jupyter server: files appear on disk with no change events ----------

/** Files on a server's disk, listed and read in ranges like the extension. */
class FakeServer {
  files = new Map<string, { bytes: Uint8Array; lastModified: string }>();
  lists = 0;
  opens: string[] = [];
  fetched = 0;

  write(path: string, bytes: Uint8Array): void {
    this.files.set(path, { bytes, lastModified: now() });
  }

  async list() {
    this.lists++;
    await Promise.resolve();
    return [...this.files].map(([path, f]) => ({
      path,
      size: f.bytes.length,
      last_modified: f.lastModified
    }));
  }

  open(path: string) {
    this.opens.push(path);
    return RangeByteSource.open(async (offset, length) => {
      const file = this.files.get(path);
      if (!file) {
        throw Object.assign(new Error('Not Found'), {
          response: { status: 404 }
        });
      }
      const bytes = file.bytes.slice(offset, offset + length);
      this.fetched += bytes.length;
      return { bytes, size: file.bytes.length };
    });
  }
}

function discoverOnServer(server: FakeServer): ModelDiscovery {
  const d = new ModelDiscovery({
    contents: new FakeContents(new Storage(), false),
    settleMs: 10,
    emptySettleMs: 80,
    remote: server
  });
  discoveries.push(d);
  return d;
}

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
