import { PathExt } from '@jupyterlab/coreutils';
import type { Contents } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import {
  Base64ByteSource,
  IByteSource,
  LumlReadResult,
  readLumlModel
} from '../format';
import { IDiscoveredModel, IModelDiscovery, IModelsChange } from './tokens';
import { errorText } from '../common/errors';
import { isModelPath } from '../format/modelFiles';

/** The note other tabs of the same instance receive about a change. */
export interface IModelsNote {
  type: 'luml-models-changed';
  paths: string[];
}

/** A model file as a server lists it (no content). */
export interface IListedModelFile {
  path: string;
  size: number;
  last_modified: string;
}

/**
 * Model files on a Jupyter server's disk, where a kernel writes without the
 * contents manager seeing it: a cheap listing to poll, and random access to
 * a file's bytes so only headers and small members travel.
 */
export interface IRemoteModelFiles {
  /** Every model file, reading no file. */
  list(): Promise<IListedModelFile[]>;
  /** Random access to a file's bytes; rejects with `status` 404 if gone. */
  open(path: string): Promise<IByteSource>;
}

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
}

interface IReadTask {
  path: string;
  version: number;
  /** Tell other tabs once read (a change made in this tab). */
  announce: boolean;
  /** Triggered by a write: an empty or half-written file may still grow. */
  mayBeInProgress: boolean;
  /** The change time as listed, when known. */
  lastModified?: string;
}

const NOTE_TYPE = 'luml-models-changed';
const MAX_NOTE_PATHS = 1000;
// a base64 prefix long enough to tell a half-written upload (raw bytes)
const BASE64_PROBE_CHARS = 4096;
const BASE64_PREFIX = /^[A-Za-z0-9+/\-_\s]*={0,2}\s*$/;

/**
 * Finds the model files of the instance and reads their metadata from the
 * tar headers and small JSON members only. A full scan at start (folder
 * listings; only model files are read), then live updates from the contents
 * manager's change events and from notes posted by other tabs. It never
 * polls.
 */
export class ModelDiscovery implements IModelDiscovery {
  constructor(options: IModelDiscoveryOptions) {
    this._contents = options.contents;
    this._settleMs = options.settleMs ?? 100;
    this._emptySettleMs = options.emptySettleMs ?? 2000;
    this._concurrency = Math.max(1, options.concurrency ?? 2);
    this._storagePaths = options.storagePaths ?? null;
    this._remote = options.remote ?? null;
    this._contents.fileChanged.connect(this._onFileChanged, this);
    if (options.channelName && typeof BroadcastChannel !== 'undefined') {
      this._channel = new BroadcastChannel(options.channelName);
      this._channel.onmessage = event => this._onNote(event.data);
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
    const paths = new Set<string>(this._timers.keys());
    this._queue.forEach(t => paths.add(t.path));
    this._active.forEach(p => paths.add(p));
    return [...paths];
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  get(path: string): IDiscoveredModel | undefined {
    return this._entries.get(normalize(path));
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
    path = normalize(path);
    if (this._remote) {
      await this._rescanRemote(path);
      return;
    }
    if (path === '') {
      await this._rescanFolder('', await this._readStoragePaths());
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
    await this._drain();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._contents.fileChanged.disconnect(this._onFileChanged, this);
    this._timers.forEach(t => clearTimeout(t));
    this._timers.clear();
    this._refreshTimers.forEach(t => clearTimeout(t));
    this._refreshTimers.clear();
    this._queue.length = 0;
    if (this._emitTimer !== undefined) {
      clearTimeout(this._emitTimer);
    }
    this._channel?.close();
    this._resolveReady();
    Signal.clearData(this);
  }

  // --- scanning --------------------------------------------------------

  private async _readStoragePaths(): Promise<Set<string> | null> {
    try {
      const paths = await this._storagePaths?.();
      return paths ? new Set(paths.map(normalize)) : null;
    } catch (e) {
      console.warn('Listing browser storage failed; listing folders', e);
      return null;
    }
  }

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
    const before = new Map<string, number>();
    for (const path of this._entries.keys()) {
      if (path.startsWith(prefix)) {
        before.set(path, this._version(path));
      }
    }
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
          this._enqueue({
            path,
            version: this._bump(path),
            announce: false,
            mayBeInProgress: false
          });
        }
      }
      await this._walk(dir, seen, stored);
    } finally {
      this._scans--;
      this._touch();
    }
    for (const [path, version] of before) {
      // a change during the walk is newer than what the walk saw
      if (!seen.has(path) && this._version(path) === version) {
        this._drop(path);
      }
    }
    await this._drain();
  }

  /**
   * Take the server's listing of model files (the whole tree, or one path
   * and what is under it); files with an unchanged size and time are not
   * read again, so a poll of an unchanged tree reads nothing.
   */
  private async _rescanRemote(path: string): Promise<void> {
    const inScope = (p: string) =>
      path === '' || p === path || p.startsWith(`${path}/`);
    const before = new Map<string, number>();
    for (const p of this._entries.keys()) {
      if (inScope(p)) {
        before.set(p, this._version(p));
      }
    }
    const seen = new Set<string>();
    this._scans++;
    this._touch();
    try {
      const listed = await this._remote!.list();
      if (this._disposed) {
        return;
      }
      for (const file of listed) {
        const p = normalize(file.path);
        if (!inScope(p) || !isModelPath(p)) {
          continue;
        }
        seen.add(p);
        this._consider(
          {
            path: p,
            name: PathExt.basename(p),
            type: 'file',
            size: file.size,
            last_modified: file.last_modified
          } as Contents.IModel,
          { announce: false, mayBeInProgress: false }
        );
      }
    } finally {
      this._scans--;
      this._touch();
    }
    for (const [p, version] of before) {
      if (!seen.has(p) && this._version(p) === version) {
        this._drop(p);
      }
    }
    await this._drain();
  }

  private async _walk(
    dir: string,
    seen: Set<string>,
    stored: Set<string> | null = null
  ): Promise<void> {
    let listing: Contents.IModel;
    await this._listSlot.acquire();
    try {
      listing = await this._contents.get(dir, { content: true });
    } catch {
      return; // the folder went away meanwhile
    } finally {
      this._listSlot.release();
    }
    if (this._disposed || listing.type !== 'directory') {
      return;
    }
    const children: Contents.IModel[] = Array.isArray(listing.content)
      ? listing.content
      : [];
    const folders: string[] = [];
    for (const child of children) {
      if (!child || typeof child.path !== 'string') {
        continue;
      }
      const path = normalize(child.path);
      if (stored?.has(path)) {
        continue; // in browser storage: already known from its keys
      }
      if (child.type === 'directory') {
        folders.push(path);
      } else if (isModelPath(path)) {
        seen.add(path);
        this._consider(child, { announce: false, mayBeInProgress: false });
      }
    }
    await Promise.all(folders.map(f => this._walk(f, seen, stored)));
  }

  /** Read a listed model file unless it is unchanged since last read. */
  private _consider(
    item: Contents.IModel,
    opts: { announce: boolean; mayBeInProgress: boolean }
  ): void {
    const path = normalize(item.path);
    const known = this._entries.get(path);
    if (
      known &&
      !this._isPending(path) &&
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
      this._track(
        this._readContent(item, {
          path,
          version,
          announce: opts.announce,
          mayBeInProgress: false
        })
      );
      return;
    }
    this._enqueue({
      path,
      version,
      ...opts,
      lastModified: item.last_modified
    });
  }

  // --- reading ---------------------------------------------------------

  private _enqueue(task: IReadTask): void {
    this._queue.push(task);
    this._touch();
    this._pump();
  }

  private _pump(): void {
    while (this._active.size < this._concurrency && this._queue.length > 0) {
      const task = this._queue.shift()!;
      if (task.version !== this._version(task.path)) {
        continue;
      }
      this._active.add(task.path);
      void this._read(task)
        .catch(e => console.warn(`Reading ${task.path} failed`, e))
        .finally(() => {
          this._active.delete(task.path);
          this._touch();
          this._pump();
        });
    }
    if (this._queue.length === 0 && this._active.size === 0) {
      const waiting = this._drained;
      this._drained = [];
      waiting.forEach(resolve => resolve());
    }
  }

  /** Resolves when no read is queued or running. */
  private async _drain(): Promise<void> {
    await Promise.all([...this._inline]);
    if (this._queue.length === 0 && this._active.size === 0) {
      return;
    }
    return new Promise(resolve => this._drained.push(resolve));
  }

  private async _read(task: IReadTask): Promise<void> {
    if (this._remote) {
      return this._readRemote(task);
    }
    let model: Contents.IModel;
    try {
      model = await this._contents.get(task.path, {
        type: 'file',
        format: 'base64',
        content: true
      });
    } catch (e) {
      if (this._disposed || task.version !== this._version(task.path)) {
        return;
      }
      if (isNotFound(e)) {
        this._drop(task.path);
      } else {
        this._set({
          path: task.path,
          name: PathExt.basename(task.path),
          size: this._entries.get(task.path)?.size ?? 0,
          lastModified: this._entries.get(task.path)?.lastModified ?? '',
          result: {
            ok: false,
            reason: `The file could not be loaded from storage: ${errorText(e)}. Try again, or reload the page.`
          }
        });
      }
      return;
    }
    await this._readContent(model, task);
  }

  /** Read a file on the server from byte ranges: headers and small members. */
  private async _readRemote(task: IReadTask): Promise<void> {
    const stale = () =>
      this._disposed || task.version !== this._version(task.path);
    let source: IByteSource;
    let result: LumlReadResult;
    try {
      source = await this._remote!.open(task.path);
      if (stale()) {
        return;
      }
      if (task.mayBeInProgress && source.size === 0) {
        this._schedule(task.path, this._emptySettleMs, {
          announce: task.announce,
          mayBeInProgress: false
        });
        return;
      }
      result = await readLumlModel(source);
    } catch (e) {
      if (stale()) {
        return;
      }
      if (isNotFound(e)) {
        this._drop(task.path);
        return;
      }
      // most often the file changed while read: look again once quiet
      this._refreshSoon(task.path, this._emptySettleMs);
      if (this._entries.has(task.path)) {
        return; // keep what was read before meanwhile
      }
      this._set({
        path: task.path,
        name: PathExt.basename(task.path),
        size: 0,
        lastModified: task.lastModified ?? '',
        result: {
          ok: false,
          reason: `The file could not be read from the server: ${errorText(e)}. Try again, or refresh the list.`
        }
      });
      return;
    }
    if (stale()) {
      return;
    }
    this._set({
      path: task.path,
      name: PathExt.basename(task.path),
      size: source.size,
      lastModified: task.lastModified ?? '',
      result
    });
    if (!result.ok) {
      // a file still being written reads as truncated: list it again soon
      // (an unchanged listing reads nothing, so this ends by itself)
      this._refreshSoon(task.path, this._emptySettleMs);
    }
    if (task.announce) {
      this._announce([task.path]);
    }
  }

  private async _readContent(
    model: Contents.IModel,
    task: IReadTask
  ): Promise<void> {
    if (this._disposed || task.version !== this._version(task.path)) {
      return;
    }
    if (model.type === 'directory') {
      // a folder named like a model file: look inside it instead
      this._drop(task.path);
      this._refreshSoon(task.path);
      return;
    }
    const content: unknown = model.content;
    if (task.mayBeInProgress && !looksComplete(content)) {
      // still being written (empty, or raw bytes of a chunked upload):
      // look again once the writer has had time to finish
      this._schedule(task.path, this._emptySettleMs, {
        announce: task.announce,
        mayBeInProgress: false
      });
      return;
    }
    let result: LumlReadResult;
    let size = typeof model.size === 'number' ? model.size : 0;
    if (typeof content !== 'string') {
      result = {
        ok: false,
        reason:
          'The file could not be loaded as binary data, so it was not read as a model.'
      };
    } else {
      const source = new Base64ByteSource(content);
      size = source.size;
      result = await readLumlModel(source);
    }
    if (this._disposed || task.version !== this._version(task.path)) {
      return;
    }
    this._set({
      path: task.path,
      name: PathExt.basename(task.path),
      size,
      lastModified: model.last_modified ?? '',
      result
    });
    if (task.announce) {
      this._announce([task.path]);
    }
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
        const path = normalize(model.path);
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
        this._move(normalize(oldPath), normalize(model.path), model);
        this._announce([normalize(oldPath), normalize(model.path)]);
        return;
      }
      case 'delete': {
        const oldPath = args.oldValue?.path;
        if (typeof oldPath !== 'string') {
          return;
        }
        const path = normalize(oldPath);
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
        interrupted = this._isPending(path) || interrupted;
        const entry = this._entries.get(path);
        this._cancel(path);
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
    const wasPending = this._isPending(oldPath);
    this._cancel(oldPath);
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
    this._cancel(path);
    const handle = setTimeout(() => {
      this._timers.delete(path);
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
        this._track(this._readContent(saved as Contents.IModel, task));
      } else {
        this._enqueue(task);
      }
    }, delay);
    // `saved` lives in the timer's closure: gone once it fires or is cleared
    this._timers.set(path, handle);
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
    if (!this._channel) {
      return;
    }
    const note: IModelsNote = { type: NOTE_TYPE, paths };
    try {
      this._channel.postMessage(note);
    } catch {
      // a closed channel only costs other tabs a live update
    }
  }

  private _onNote(data: unknown): void {
    if (this._disposed || !isNote(data)) {
      return;
    }
    for (const path of data.paths.slice(0, MAX_NOTE_PATHS)) {
      this._refreshSoon(normalize(path));
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
    this._cancel(path);
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

  private _cancel(path: string): void {
    const timer = this._timers.get(path);
    if (timer !== undefined) {
      clearTimeout(timer);
      this._timers.delete(path);
      this._touch();
    }
  }

  /** Count a read that runs outside the queue, so `_drain` waits for it. */
  private _track(read: Promise<void>): void {
    this._inline.add(read);
    void read
      .catch(e => console.warn('Reading a model file failed', e))
      .finally(() => this._inline.delete(read));
  }

  private _isPending(path: string): boolean {
    return (
      this._timers.has(path) ||
      this._active.has(path) ||
      this._queue.some(t => t.path === path)
    );
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
  private readonly _settleMs: number;
  private readonly _emptySettleMs: number;
  private readonly _concurrency: number;
  private readonly _storagePaths:
    (() => Promise<readonly string[] | null>) | null;
  private readonly _remote: IRemoteModelFiles | null;
  private readonly _channel: BroadcastChannel | null = null;
  private readonly _changed = new Signal<IModelDiscovery, IModelsChange>(this);
  private readonly _entries = new Map<string, IDiscoveredModel>();
  private readonly _versions = new Map<string, number>();
  private readonly _timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly _refreshTimers = new Map<
    string,
    ReturnType<typeof setTimeout>
  >();
  private readonly _queue: IReadTask[] = [];
  private readonly _active = new Set<string>();
  private readonly _listSlot = new Slots(2);
  private readonly _inline = new Set<Promise<void>>();
  private _drained: (() => void)[] = [];
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

/** At most `n` folder listings at a time: each may iterate all storage. */
class Slots {
  constructor(private _free: number) {}

  acquire(): Promise<void> {
    if (this._free > 0) {
      this._free--;
      return Promise.resolve();
    }
    return new Promise(resolve => this._waiting.push(resolve));
  }

  release(): void {
    const next = this._waiting.shift();
    if (next) {
      next();
    } else {
      this._free++;
    }
  }

  private _waiting: (() => void)[] = [];
}

function looksComplete(content: unknown): boolean {
  if (typeof content !== 'string' || content.length === 0) {
    return false;
  }
  return BASE64_PREFIX.test(content.slice(0, BASE64_PROBE_CHARS));
}

function isNote(data: unknown): data is IModelsNote {
  if (typeof data !== 'object' || data === null) {
    return false;
  }
  const note = data as Partial<IModelsNote>;
  return (
    note.type === NOTE_TYPE &&
    Array.isArray(note.paths) &&
    note.paths.every(p => typeof p === 'string')
  );
}

function isNotFound(e: unknown): boolean {
  const status = (e as { response?: { status?: number } })?.response?.status;
  return status === 404 || /could not find|not found/i.test(errorText(e));
}

function normalize(path: string): string {
  return path.replace(/^\/+/, '').replace(/\/+$/, '');
}

function measure(name: string, start: number, detail: unknown): void {
  try {
    performance.measure(name, { start, end: performance.now(), detail });
  } catch {
    // User Timing is a diagnostic aid; its absence changes nothing
  }
}
