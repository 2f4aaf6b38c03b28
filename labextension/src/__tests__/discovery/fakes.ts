// Fakes shared by the discovery tests: browser storage with JupyterLite's
// change events, a server's disk with none, and discoveries over them that
// are disposed after each test.
import assert from 'node:assert/strict';

import type { Contents } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';

import { RangeByteSource } from '../../format';
import { ModelDiscovery } from '../../discovery/modelDiscovery';
import { buildTar, modelMembers, SAMPLE_MANIFEST } from '../format/tarBuilder';

// --- an in-memory contents manager with JupyterLite's event semantics ------

export interface IRecord {
  type: 'file' | 'directory';
  content: string;
  lastModified: string;
}

let clock = 0;
export function now(): string {
  clock += 1000;
  return new Date(Date.UTC(2026, 0, 1) + clock).toISOString();
}

export function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

export function modelBase64(manifest: object): string {
  return b64(buildTar(modelMembers(manifest)));
}

export function sizeOf(base64: string): number {
  return Buffer.from(base64, 'base64').length;
}

/** One browser storage, shared by the tabs (FakeContents) that open it. */
export class Storage {
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

export interface IGetCall {
  path: string;
  content: boolean;
}

/** A tab's contents manager over a storage. */
export class FakeContents {
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

export function delay(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

export async function waitFor(
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

export const manifest = (name: string, version = '1.0.0') => ({
  ...SAMPLE_MANIFEST,
  name,
  version
});

// --- a Jupyter server: files appear on disk with no change events ----------

/** Files on a server's disk, listed and read in ranges like the extension. */
export class FakeServer {
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

// --- discoveries under test, disposed after each -----------------------------

const discoveries: ModelDiscovery[] = [];

export function discover(
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

export function discoverOnServer(server: FakeServer): ModelDiscovery {
  const d = new ModelDiscovery({
    contents: new FakeContents(new Storage(), false),
    settleMs: 10,
    emptySettleMs: 80,
    remote: server
  });
  discoveries.push(d);
  return d;
}

/** Call from `afterEach`: a discovery left running keeps timers alive. */
export function disposeDiscoveries(): void {
  discoveries.splice(0).forEach(d => d.dispose());
}
