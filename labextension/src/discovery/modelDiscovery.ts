import { PathExt } from '@jupyterlab/coreutils';
import type { Contents } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { CrossTabChannel } from './crossTabChannel';
import {
  HeaderReadOutcome,
  IReadTask,
  readListedModel,
  readServerModel,
  readStoredModel
} from './headerReads';
import type { IByteSource } from '../format/byteSource';
import { isModelPath } from '../format/modelFiles';
import { IRemoteModelFiles, normalizePath } from './listing';
import { ReadQueue } from './readQueue';
import {
  FolderWalker,
  isInScope,
  listedModelFiles,
  readStoredPaths
} from './scan';
import { IDiscoveredModel, IModelDiscovery, IModelsChange } from './tokens';

export type { IListedModelFile, IRemoteModelFiles } from './listing';
export type { IModelsNote } from './crossTabChannel';

/** The part of `Contents.IManager` the discovery uses. */
export type DiscoveryContents = Pick<Contents.IManager, 'get' | 'fileChanged'>;

export interface IModelDiscoveryOptions {
  contents: DiscoveryContents;
  /**
   * Name of the BroadcastChannel shared by the tabs of this instance; no
   * cross-tab updates without it.
   */
  channelName?: string;
  /** Quiet time after a write before the file is read (ms). */
  settleMs?: number;
  /**
   * Quiet time after a write that left the file empty or half-written: a
   * kernel write saves an empty file first, then the full one (ms).
   */
  emptySettleMs?: number;
  /** Model files read at the same time. */
  concurrency?: number;
  /**
   * Every path held in browser storage, when it can be had cheaply (null
   * otherwise). With it the start-up scan lists only the folders storage
   * does not hold (shipped ones), instead of every folder.
   */
  storagePaths?: () => Promise<readonly string[] | null>;
  /**
   * Model files listed and read by a server (a Jupyter server's disk). With
   * it, scans use its listing instead of walking folders, and files are read
   * in byte ranges instead of whole.
   */
  remote?: IRemoteModelFiles;
  /**
   * Opens a file of browser storage for reading by byte range; with it a
   * model's headers are read without loading the file.
   */
  openStored?: (path: string) => Promise<IByteSource>;
}

/**
 * Finds the model files of the instance and reads their metadata from the
 * tar headers and small JSON members only. A full scan at start (folder
 * listings; only model files are read), then live updates from the contents
 * manager's change events and from notes posted by other tabs. It never
 * polls.
 *
 * It owns the list and each path's version (a newer change makes older
 * reads moot); the scan, the read queue and the cross-tab channel are its
 * parts.
 */
export class ModelDiscovery implements IModelDiscovery {
  constructor(options: IModelDiscoveryOptions) {
    this._contents = options.contents;
    this._settleMs = options.settleMs ?? 100;
    this._emptySettleMs = options.emptySettleMs ?? 2000;
    this._storagePaths = options.storagePaths ?? null;
    this._remote = options.remote ?? null;
    this._openStored = options.openStored;
    this._walker = new FolderWalker(this._contents);
    this._reads = new ReadQueue<IReadTask>({
      concurrency: options.concurrency ?? 2,
      read: task => this._read(task),
      isStale: task => task.version !== this._version(task.path),
      changed: () => this._touch()
    });
    this._contents.fileChanged.connect(this._onFileChanged, this);
    if (options.channelName) {
      this._channel = CrossTabChannel.open(options.channelName, paths =>
        this._onNote(paths)
      );
    }
  }

  get changed(): ISignal<IModelDiscovery, IModelsChange> {
    return this._changed;
  }

  get models(): readonly IDiscoveredModel[] {
    if (!this._sorted) {
      this._sorted = [...this._entries.values()].sort((a, b) =>
        a.path < b.path ? -1 : a.path > b.path ? 1 : 0
      );
    }
    return this._sorted;
  }

  get ready(): Promise<void> {
    return this._ready;
  }

  get scanning(): boolean {
    return this._scans > 0;
  }

  get pending(): readonly string[] {
    return this._reads.paths;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  get(path: string): IDiscoveredModel | undefined {
    return this._entries.get(normalizePath(path));
  }

  /**
   * Run the first full scan. Changes that happen meanwhile are taken from
   * the change events, so nothing is missed.
   */
  start(): Promise<void> {
    if (!this._started) {
      this._started = true;
      const t0 = performance.now();
      this._firstScan = true;
      this.refresh()
        .finally(() => (this._firstScan = false))
        .then(() => {
          measure('luml-notebooks:model-scan', t0, {
            models: this._entries.size
          });
          this._resolveReady();
        })
        .catch(() => this._resolveReady());
    }
    return this._ready;
  }

  async refresh(path = ''): Promise<void> {
    path = normalizePath(path);
    if (this._remote) {
      await this._rescanRemote(path);
      return;
    }
    if (path === '') {
      await this._rescanFolder('', await readStoredPaths(this._storagePaths));
      return;
    }
    let item: Contents.IModel;
    try {
      item = await this._contents.get(path, { content: false });
    } catch {
      this._removeTree(path);
      return;
    }
    if (this._disposed) {
      return;
    }
    if (item.type === 'directory') {
      if (this._entries.has(path)) {
        this._drop(path);
      }
      await this._rescanFolder(path);
      return;
    }
    this._removeUnder(path);
    if (isModelPath(path)) {
      this._consider(item, { announce: false, mayBeInProgress: true });
    } else if (this._entries.has(path)) {
      this._drop(path);
    }
    await this._reads.drain();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._contents.fileChanged.disconnect(this._onFileChanged, this);
    this._reads.clear();
    this._refreshTimers.forEach(t => clearTimeout(t));
    this._refreshTimers.clear();
    if (this._emitTimer !== undefined) {
      clearTimeout(this._emitTimer);
    }
    this._channel?.close();
    this._resolveReady();
    Signal.clearData(this);
  }

  // --- scanning --------------------------------------------------------

  /**
   * Walk a folder; forget models under it that are gone. With the paths in
   * browser storage, models there are read straight away and only folders
   * storage does not hold are listed.
   */
  private async _rescanFolder(
    dir: string,
    stored: Set<string> | null = null
  ): Promise<void> {
    const prefix = dir === '' ? '' : `${dir}/`;
    const before = this._versionsWhere(path => path.startsWith(prefix));
    const seen = new Set<string>();
    this._scans++;
    this._touch();
    try {
      for (const path of stored ?? []) {
        if (isModelPath(path)) {
          seen.add(path);
          if (this._firstScan && this._entries.has(path)) {
            continue; // read since start-up from its change event
          }
          this._reads.enqueue({
            path,
            version: this._bump(path),
            announce: false,
            mayBeInProgress: false
          });
        }
      }
      await this._walker.walk(dir, {
        stored,
        isCancelled: () => this._disposed,
        onModelFile: (path, item) => {
          seen.add(path);
          this._consider(item, { announce: false, mayBeInProgress: false });
        }
      });
    } finally {
      this._scans--;
      this._touch();
    }
    this._forgetUnseen(before, seen);
    await this._reads.drain();
  }

  /**
   * Take the server's listing of model files (the whole tree, or one path
   * and what is under it); files with an unchanged size and time are not
   * read again, so a poll of an unchanged tree reads nothing.
   */
  private async _rescanRemote(path: string): Promise<void> {
    const before = this._versionsWhere(p => isInScope(p, path));
    const seen = new Set<string>();
    this._scans++;
    this._touch();
    try {
      const listed = await this._remote!.list();
      if (this._disposed) {
        return;
      }
      for (const item of listedModelFiles(listed, path)) {
        seen.add(item.path);
        this._consider(item, { announce: false, mayBeInProgress: false });
      }
    } finally {
      this._scans--;
      this._touch();
    }
    this._forgetUnseen(before, seen);
    await this._reads.drain();
  }

  /** The versions of the known paths a scan is about to look at. */
  private _versionsWhere(
    inScope: (path: string) => boolean
  ): Map<string, number> {
    const versions = new Map<string, number>();
    for (const path of this._entries.keys()) {
      if (inScope(path)) {
        versions.set(path, this._version(path));
      }
    }
    return versions;
  }

  /** Drop the models a scan did not see, unless they changed meanwhile. */
  private _forgetUnseen(before: Map<string, number>, seen: Set<string>): void {
    for (const [path, version] of before) {
      // a change during the scan is newer than what the scan saw
      if (!seen.has(path) && this._version(path) === version) {
        this._drop(path);
      }
    }
  }

  /** Read a listed model file unless it is unchanged since last read. */
  private _consider(
    item: Contents.IModel,
    opts: { announce: boolean; mayBeInProgress: boolean }
  ): void {
    const path = normalizePath(item.path);
    const known = this._entries.get(path);
    if (
      known &&
      !this._reads.has(path) &&
      known.size === item.size &&
      known.lastModified === item.last_modified
    ) {
      return;
    }
    const version = this._bump(path);
    // Browser storage lists files with their content: no second fetch.
    if (
      !opts.mayBeInProgress &&
      item.format === 'base64' &&
      typeof item.content === 'string' &&
      item.content.length > 0
    ) {
      this._reads.track(
        this._readListed(item, {
          path,
          version,
          announce: opts.announce,
          mayBeInProgress: false
        })
      );
      return;
    }
    this._reads.enqueue({
      path,
      version,
      ...opts,
      lastModified: item.last_modified
    });
  }

  // --- reading ---------------------------------------------------------

  private async _read(task: IReadTask): Promise<void> {
    const isStale = () => this._isStale(task);
    const outcome = this._remote
      ? await readServerModel(this._remote, task, isStale)
      : await readStoredModel(this._contents, task, isStale, this._openStored);
    this._apply(task, outcome);
  }

  private async _readListed(
    model: Contents.IModel,
    task: IReadTask
  ): Promise<void> {
    const outcome = await readListedModel(model, task, () =>
      this._isStale(task)
    );
    this._apply(task, outcome);
  }

  /** Turn what a read found into changes of the list. */
  private _apply(task: IReadTask, outcome: HeaderReadOutcome): void {
    if (outcome.kind === 'stale' || this._isStale(task)) {
      return;
    }
    const { path } = task;
    switch (outcome.kind) {
      case 'gone':
        this._drop(path);
        return;
      case 'folder':
        // a folder named like a model file: look inside it instead
        this._drop(path);
        this._refreshSoon(path);
        return;
      case 'incomplete':
        // look again once the writer has had time to finish
        this._schedule(path, this._emptySettleMs, {
          announce: task.announce,
          mayBeInProgress: false
        });
        return;
      case 'unfetched': {
        const known = this._entries.get(path);
        if (outcome.from === 'server') {
          // most often the file changed while read: look again once quiet
          this._refreshSoon(path, this._emptySettleMs);
          if (known) {
            return; // keep what was read before meanwhile
          }
        }
        this._set({
          path,
          name: PathExt.basename(path),
          size: outcome.from === 'server' ? 0 : (known?.size ?? 0),
          lastModified:
            outcome.from === 'server'
              ? (task.lastModified ?? '')
              : (known?.lastModified ?? ''),
          result: { ok: false, reason: outcome.reason }
        });
        return;
      }
      case 'read':
        this._set({
          path,
          name: PathExt.basename(path),
          size: outcome.size,
          lastModified: outcome.lastModified,
          result: outcome.result
        });
        if (outcome.from === 'server' && !outcome.result.ok) {
          // a file still being written reads as truncated: list it again
          // soon (an unchanged listing reads nothing, so this ends by itself)
          this._refreshSoon(path, this._emptySettleMs);
        }
        if (task.announce) {
          this._announce([path]);
        }
        return;
    }
  }

  private _isStale(task: IReadTask): boolean {
    return this._disposed || task.version !== this._version(task.path);
  }

  // --- live updates ----------------------------------------------------

  private _onFileChanged(sender: unknown, args: Contents.IChangedArgs): void {
    if (this._disposed) {
      return;
    }
    switch (args.type) {
      case 'new':
      case 'save': {
        const model = args.newValue;
        if (!model || typeof model.path !== 'string') {
          return;
        }
        const path = normalizePath(model.path);
        if (model.type === 'directory') {
          // a new or copied folder may already hold models
          this._refreshSoon(path);
          this._announce([path]);
        } else if (isModelPath(path)) {
          this._schedule(
            path,
            model.size === 0 ? this._emptySettleMs : this._settleMs,
            { announce: true, mayBeInProgress: true },
            model
          );
        }
        return;
      }
      case 'rename': {
        const oldPath = args.oldValue?.path;
        const model = args.newValue;
        if (typeof oldPath !== 'string' || typeof model?.path !== 'string') {
          return;
        }
        this._move(normalizePath(oldPath), normalizePath(model.path), model);
        this._announce([normalizePath(oldPath), normalizePath(model.path)]);
        return;
      }
      case 'delete': {
        const oldPath = args.oldValue?.path;
        if (typeof oldPath !== 'string') {
          return;
        }
        const path = normalizePath(oldPath);
        this._removeTree(path);
        this._announce([path]);
        // a deleted copy of a shipped file leaves the shipped one in place
        this._refreshSoon(path);
        return;
      }
    }
  }

  private _move(
    oldPath: string,
    newPath: string,
    model: Partial<Contents.IModel>
  ): void {
    const oldPrefix = `${oldPath}/`;
    const isFolder =
      model.type === 'directory' ||
      (model.type === undefined &&
        [...this._entries.keys()].some(p => p.startsWith(oldPrefix)));
    if (isFolder) {
      let interrupted = this._scans > 0;
      for (const path of [...this._entries.keys(), ...this.pending]) {
        if (!path.startsWith(oldPrefix)) {
          continue;
        }
        const target = newPath + path.slice(oldPath.length);
        interrupted = this._reads.has(path) || interrupted;
        const entry = this._entries.get(path);
        this._reads.cancel(path);
        this._bump(path);
        if (entry) {
          this._entries.delete(path);
          this._bump(target);
          this._set({ ...entry, path: target }, { oldPath: path });
        }
      }
      if (interrupted) {
        // reads cut short by the move are picked up in the new place
        this._refreshSoon(newPath);
      }
      return;
    }
    const entry = this._entries.get(oldPath);
    const wasPending = this._reads.has(oldPath);
    this._reads.cancel(oldPath);
    this._bump(oldPath);
    if (entry) {
      this._entries.delete(oldPath);
      this._changedPaths.add(oldPath);
      this._invalidate();
    }
    if (!isModelPath(newPath)) {
      return;
    }
    if (entry && !wasPending) {
      this._bump(newPath);
      this._set(
        {
          ...entry,
          path: newPath,
          name: PathExt.basename(newPath),
          lastModified: model.last_modified ?? entry.lastModified
        },
        { oldPath }
      );
    } else {
      this._schedule(newPath, this._settleMs, {
        announce: false,
        mayBeInProgress: true
      });
    }
  }

  /**
   * Read a file once writes to it settle. A save event from browser storage
   * carries the saved content: then it is read from the event, with no
   * second trip to storage (which for a large file costs seconds).
   */
  private _schedule(
    path: string,
    delay: number,
    opts: { announce: boolean; mayBeInProgress: boolean },
    saved?: Partial<Contents.IModel>
  ): void {
    // `saved` lives in the timer's closure: gone once it fires or is cleared
    this._reads.settle(path, delay, () => {
      const task = {
        path,
        version: this._bump(path),
        ...opts,
        lastModified: saved?.last_modified
      };
      if (
        saved &&
        saved.format === 'base64' &&
        typeof saved.content === 'string'
      ) {
        this._reads.track(this._readListed(saved as Contents.IModel, task));
      } else {
        this._reads.enqueue(task);
      }
    });
    // a newer write makes any read in flight stale
    this._bump(path);
    this._touch();
  }

  private _refreshSoon(path: string, delay = this._settleMs): void {
    const existing = this._refreshTimers.get(path);
    if (existing !== undefined) {
      clearTimeout(existing);
    }
    this._refreshTimers.set(
      path,
      setTimeout(() => {
        this._refreshTimers.delete(path);
        void this.refresh(path);
      }, delay)
    );
  }

  private _announce(paths: string[]): void {
    this._channel?.announce(paths);
  }

  private _onNote(paths: string[]): void {
    if (this._disposed) {
      return;
    }
    for (const path of paths) {
      this._refreshSoon(normalizePath(path));
    }
  }

  // --- bookkeeping -----------------------------------------------------

  private _set(model: IDiscoveredModel, move?: { oldPath: string }): void {
    this._entries.set(model.path, model);
    this._changedPaths.add(model.path);
    if (move) {
      this._changedPaths.add(move.oldPath);
      this._renamed.push({ oldPath: move.oldPath, newPath: model.path });
    }
    this._invalidate();
  }

  private _drop(path: string): void {
    this._reads.cancel(path);
    this._bump(path);
    if (this._entries.delete(path)) {
      this._changedPaths.add(path);
      this._invalidate();
    }
  }

  private _removeUnder(path: string): void {
    const prefix = `${path}/`;
    for (const p of [...this._entries.keys(), ...this.pending]) {
      if (p.startsWith(prefix)) {
        this._drop(p);
      }
    }
  }

  private _removeTree(path: string): void {
    this._drop(path);
    this._removeUnder(path);
  }

  private _version(path: string): number {
    return this._versions.get(path) ?? 0;
  }

  private _bump(path: string): number {
    const next = this._version(path) + 1;
    this._versions.set(path, next);
    return next;
  }

  private _invalidate(): void {
    this._sorted = null;
    this._touch();
  }

  /** Emit `changed` soon, once for a burst of changes. */
  private _touch(): void {
    if (this._disposed) {
      return;
    }
    // during a scan, re-render the list a few times a second, not per file
    const delay = this._scans > 0 ? 200 : 0;
    if (this._emitTimer !== undefined) {
      if (delay >= this._emitDelay) {
        return;
      }
      clearTimeout(this._emitTimer);
    }
    this._emitDelay = delay;
    this._emitTimer = setTimeout(() => {
      this._emitTimer = undefined;
      const change: IModelsChange = {
        paths: [...this._changedPaths],
        renamed: this._renamed
      };
      this._changedPaths = new Set();
      this._renamed = [];
      this._changed.emit(change);
    }, delay);
  }

  private readonly _contents: DiscoveryContents;
  private readonly _openStored?: (path: string) => Promise<IByteSource>;
  private readonly _settleMs: number;
  private readonly _emptySettleMs: number;
  private readonly _storagePaths:
    (() => Promise<readonly string[] | null>) | null;
  private readonly _remote: IRemoteModelFiles | null;
  private readonly _walker: FolderWalker;
  private readonly _reads: ReadQueue<IReadTask>;
  private readonly _channel: CrossTabChannel | null = null;
  private readonly _changed = new Signal<IModelDiscovery, IModelsChange>(this);
  private readonly _entries = new Map<string, IDiscoveredModel>();
  private readonly _versions = new Map<string, number>();
  private readonly _refreshTimers = new Map<
    string,
    ReturnType<typeof setTimeout>
  >();
  private _sorted: IDiscoveredModel[] | null = null;
  private _changedPaths = new Set<string>();
  private _renamed: { oldPath: string; newPath: string }[] = [];
  private _emitTimer: ReturnType<typeof setTimeout> | undefined;
  private _emitDelay = 0;
  private _scans = 0;
  private _started = false;
  private _firstScan = false;
  private _disposed = false;
  private _resolveReady!: () => void;
  private readonly _ready = new Promise<void>(resolve => {
    this._resolveReady = resolve;
  });
}

function measure(name: string, start: number, detail: unknown): void {
  try {
    performance.measure(name, { start, end: performance.now(), detail });
  } catch {
    // User Timing is a diagnostic aid; its absence changes nothing
  }
}
