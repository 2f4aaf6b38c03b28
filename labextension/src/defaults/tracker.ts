import type { Contents } from '@jupyterlab/services';
import { PromiseDelegate } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import { sha256HexOfBytes } from '../format/sha256';
import {
  decideState,
  diffContent,
  IComparable,
  isAtOrUnder,
  myEditsPath,
  needsUpdateNotice,
  RawContent,
  recordAfterSave,
  sameContent,
  toComparable
} from '.';
import type { IDefaultsStore } from './defaultsStore';
import type {
  IDefaultComparison,
  IDefaultNotebooks,
  IDefaultStatus
} from './tokens';

/** The part of the contents manager the tracker uses. */
export type IContentsAccess = Pick<
  Contents.IManager,
  'get' | 'save' | 'delete' | 'fileChanged'
>;

/** Waits this long after a save before checking the file again. */
const SAVE_SETTLE_MS = 300;

/**
 * Knows every default file of the site and where the user's copy of each
 * stands. Watches the contents manager: the first save of a default records
 * the shipped version the edit started from; a later deploy that ships a
 * different version then shows as "updated".
 */
export class DefaultsTracker implements IDefaultNotebooks {
  constructor(options: DefaultsTracker.IOptions) {
    this._contents = options.contents;
    this._shipped = new Map(options.shipped);
    this._store = options.store;
    this._fetchShipped = options.fetchShipped;
    this._settleMs = options.settleMs ?? SAVE_SETTLE_MS;
    for (const [path, hash] of this._shipped) {
      this._statuses.set(path, {
        path,
        state: 'shipped',
        shippedHash: hash,
        baseHash: null
      });
    }
    if (this.enabled) {
      this._contents.fileChanged.connect(this._onFileChanged, this);
    } else {
      this._ready.resolve();
    }
  }

  get enabled(): boolean {
    return this._shipped.size > 0;
  }

  get ready(): Promise<void> {
    return this._ready.promise;
  }

  get changed(): ISignal<IDefaultNotebooks, void> {
    return this._changed;
  }

  get statuses(): ReadonlyArray<IDefaultStatus> {
    return [...this._statuses.values()].sort((a, b) =>
      a.path.localeCompare(b.path)
    );
  }

  isDefault(path: string): boolean {
    return this._shipped.has(path);
  }

  status(path: string): IDefaultStatus | null {
    return this._statuses.get(path) ?? null;
  }

  /** Stop watching the contents manager. */
  dispose(): void {
    this._contents.fileChanged.disconnect(this._onFileChanged, this);
    if (this._settleTimer !== null) {
      clearTimeout(this._settleTimer);
    }
  }

  refresh(): Promise<void> {
    return this._serialized(async () => {
      try {
        await this._refresh([...this._shipped.keys()], true);
      } finally {
        this._ready.resolve();
      }
    });
  }

  async compare(path: string): Promise<IDefaultComparison> {
    const shippedHash = this._requireDefault(path);
    const shipped = await this._shippedComparable(path, shippedHash);
    // the browser copy if there is one, else the shipped file itself
    const yours = await this._browserComparable(path);
    const diff = diffContent(shipped, yours);
    const state = this._statuses.get(path)?.state ?? 'shipped';
    return { path, state, ...diff };
  }

  async keptCopyPath(path: string): Promise<string> {
    this._requireDefault(path);
    const slash = path.lastIndexOf('/');
    const folder = slash >= 0 ? path.slice(0, slash) : '';
    const listing = await this._contents.get(folder, { content: true });
    const taken = new Set<string>(
      (listing.content as Contents.IModel[]).map(item => item.path)
    );
    return myEditsPath(path, candidate => taken.has(candidate));
  }

  async reset(
    path: string,
    options: { keepCopy: boolean }
  ): Promise<{ path: string; keptAs: string | null }> {
    this._requireDefault(path);
    return this._serialized(async () => {
      const copies = await this._store.localCopies();
      const hasCopy = copies ? copies.has(path) : true;
      let keptAs: string | null = null;
      if (options.keepCopy && hasCopy) {
        keptAs = await this._keepCopy(path);
      }
      // Removing the browser copy lets the shipped version show again.
      await this._contents.delete(path);
      await this._store.removeRecord(path);
      await this._refresh([path]);
      return { path, keptAs };
    });
  }

  takeUpdateNotices(): Promise<IDefaultStatus[]> {
    return this._serialized(async () => {
      const records = await this._store.records();
      const due: IDefaultStatus[] = [];
      for (const status of this._statuses.values()) {
        const record = records.get(status.path) ?? null;
        if (
          record &&
          needsUpdateNotice(status.state, record, status.shippedHash)
        ) {
          due.push(status);
          await this._store.setRecord(status.path, {
            ...record,
            notifiedHash: status.shippedHash
          });
        }
      }
      return due;
    });
  }

  /** Save the user's copy beside the default and check it arrived whole. */
  private async _keepCopy(path: string): Promise<string> {
    const model = await this._contents.get(path, { content: true });
    const target = await this.keptCopyPath(path);
    await this._contents.save(target, {
      type: model.type,
      format: model.format,
      content: model.content
    });
    const saved = await this._contents.get(target, { content: true });
    if (
      !sameContent(
        toComparable(target, rawOf(saved)),
        toComparable(target, rawOf(model))
      )
    ) {
      throw new Error(
        `Your copy could not be saved as ${target}, so ${path} was left as it was.`
      );
    }
    return target;
  }

  private _onFileChanged(
    _sender: unknown,
    change: Contents.IChangedArgs
  ): void {
    const oldPath = change.oldValue?.path ?? null;
    const newPath = change.newValue?.path ?? null;
    const touched = new Set<string>();
    const edited = new Set<string>();
    if (change.type === 'delete' || change.type === 'rename') {
      // the browser copy is gone (or moved away): the shipped version shows
      for (const path of this._shipped.keys()) {
        if (oldPath !== null && isAtOrUnder(path, oldPath)) {
          touched.add(path);
        }
      }
    }
    if (
      change.type === 'save' ||
      change.type === 'new' ||
      change.type === 'rename'
    ) {
      for (const path of this._shipped.keys()) {
        if (newPath !== null && isAtOrUnder(path, newPath)) {
          touched.add(path);
          edited.add(path);
        }
      }
    }
    if (touched.size === 0) {
      return;
    }
    void this._serialized(async () => {
      const records = await this._store.records();
      for (const path of touched) {
        const record = records.get(path) ?? null;
        if (edited.has(path)) {
          const next = recordAfterSave(record, this._shipped.get(path)!);
          if (next !== record) {
            await this._store.setRecord(path, next);
          }
        } else if (record) {
          await this._store.removeRecord(path);
        }
      }
    });
    this._scheduleRefresh(touched);
  }

  /** Check saved files once a burst of saves (autosave, kernel writes) settles. */
  private _scheduleRefresh(paths: Set<string>): void {
    for (const path of paths) {
      this._pending.add(path);
    }
    if (this._settleTimer !== null) {
      clearTimeout(this._settleTimer);
    }
    this._settleTimer = setTimeout(() => {
      this._settleTimer = null;
      const pending = [...this._pending];
      this._pending.clear();
      void this._serialized(() => this._refresh(pending)).catch(error =>
        console.warn('Could not check the default files', error)
      );
    }, this._settleMs);
  }

  private async _refresh(paths: string[], all = false): Promise<void> {
    const copies = await this._store.localCopies();
    const records = await this._store.records();
    let changed = false;
    for (const path of paths) {
      const shippedHash = this._shipped.get(path);
      if (shippedHash === undefined) {
        continue;
      }
      const hasLocalCopy = copies ? copies.has(path) : true;
      let sameAsShipped = false;
      if (hasLocalCopy) {
        const [shipped, yours] = await Promise.all([
          this._shippedComparable(path, shippedHash),
          this._browserComparable(path)
        ]);
        sameAsShipped = sameContent(shipped, yours);
      }
      const record = records.get(path) ?? null;
      const decision = decideState({
        hasLocalCopy,
        sameAsShipped,
        shippedHash,
        record
      });
      if (decision.record === null && record !== null) {
        await this._store.removeRecord(path);
      } else if (
        decision.record !== null &&
        decision.record.baseHash !== record?.baseHash
      ) {
        await this._store.setRecord(path, decision.record);
      }
      const next: IDefaultStatus = {
        path,
        state: decision.state,
        shippedHash,
        baseHash: decision.record?.baseHash ?? null
      };
      const previous = this._statuses.get(path);
      if (
        previous?.state !== next.state ||
        previous?.baseHash !== next.baseHash
      ) {
        this._statuses.set(path, next);
        changed = true;
      }
    }
    if (all) {
      // records of files the site no longer ships are of no use
      for (const path of records.keys()) {
        if (!this._shipped.has(path)) {
          await this._store.removeRecord(path);
        }
      }
    }
    if (changed) {
      this._changed.emit();
    }
  }

  private async _browserComparable(path: string): Promise<IComparable> {
    const model = await this._contents.get(path, { content: true });
    return toComparable(path, rawOf(model));
  }

  private async _shippedComparable(
    path: string,
    hash: string
  ): Promise<IComparable> {
    const key = `${hash}:${path}`;
    let comparable = this._shippedCache.get(key);
    if (!comparable) {
      const bytes = await this._fetchShipped(path, hash);
      comparable = toComparable(path, { format: 'bytes', content: bytes });
      this._shippedCache.set(key, comparable);
    }
    return comparable;
  }

  private _requireDefault(path: string): string {
    const hash = this._shipped.get(path);
    if (hash === undefined) {
      throw new Error(`${path} is not one of the site's default files.`);
    }
    return hash;
  }

  /** Run one change at a time, so records and states never race. */
  private _serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this._queue.then(task);
    this._queue = run.then(
      () => undefined,
      () => undefined
    );
    return run;
  }

  private _contents: IContentsAccess;
  private _shipped: Map<string, string>;
  private _store: IDefaultsStore;
  private _fetchShipped: (path: string, hash: string) => Promise<Uint8Array>;
  private _settleMs: number;
  private _statuses = new Map<string, IDefaultStatus>();
  private _shippedCache = new Map<string, IComparable>();
  private _changed = new Signal<IDefaultNotebooks, void>(this);
  private _ready = new PromiseDelegate<void>();
  private _queue: Promise<void> = Promise.resolve();
  private _pending = new Set<string>();
  private _settleTimer: ReturnType<typeof setTimeout> | null = null;
}

export namespace DefaultsTracker {
  export interface IOptions {
    contents: IContentsAccess;
    /** The shipped defaults: path to sha256, as the site build recorded them. */
    shipped: ReadonlyMap<string, string>;
    store: IDefaultsStore;
    /** The shipped bytes of a default. */
    fetchShipped: (path: string, hash: string) => Promise<Uint8Array>;
    /** How long saves settle before a check (tests shorten it). */
    settleMs?: number;
  }
}

/** A contents model's content in the form `toComparable` takes. */
function rawOf(model: Contents.IModel): RawContent {
  switch (model.format) {
    case 'json':
      return { format: 'json', content: model.content };
    case 'base64':
      return { format: 'base64', content: String(model.content ?? '') };
    default:
      return { format: 'text', content: String(model.content ?? '') };
  }
}

/**
 * Fetch the shipped bytes of a default from the site (`files/<path>`),
 * checked against the recorded sha256: a stale HTTP cache is bypassed.
 */
export async function fetchShippedFile(
  baseUrl: string,
  path: string,
  hash: string,
  fetcher: typeof fetch = fetch
): Promise<Uint8Array> {
  const url =
    baseUrl.replace(/\/?$/, '/') +
    'files/' +
    path.split('/').map(encodeURIComponent).join('/');
  let bytes: Uint8Array | null = null;
  for (const cache of ['no-cache', 'reload'] as RequestCache[]) {
    const response = await fetcher(url, { cache });
    if (!response.ok) {
      throw new Error(
        `The site's version of ${path} could not be read (HTTP ${response.status}).`
      );
    }
    bytes = new Uint8Array(await response.arrayBuffer());
    if ((await sha256HexOfBytes(bytes)) === hash) {
      return bytes;
    }
  }
  // The page and the files come from different deploys (a deploy under way):
  // the files are what users see, so compare with them.
  console.warn(`${path} on the site does not match the version it records`);
  return bytes!;
}
