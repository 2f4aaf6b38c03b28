/**
 * The contents drive of a browser instance: JupyterLite 0.8's
 * `BrowserStorageDrive` behaviour (same records for small files, shipped
 * files shadowed by stored ones, untitled counters, five checkpoints per
 * file) over chunked storage, so files of any size can be stored, and a
 * write that fails rejects and keeps the previous content.
 */
import type {
  Contents,
  IContentProvider,
  IContentProviderRegistry,
  ServerConnection
} from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { base64ToBytes, bytesToBase64 } from './base64';
import { StorageWriteError, writeError } from './errors';
import { FileStore } from './fileStore';
import type { ChunkWriter, StoredFileReader } from './fileStore';
import {
  IFileTypeInfo,
  OCTET_STREAM,
  bytesToContent,
  wholeReadProblem,
  contentBytes,
  extensionOf,
  hasFormat,
  inlineSize,
  mimetypeOf
} from './formats';
import {
  IKernelBlobAnswer,
  IKernelPiece,
  IKernelStoredAnswer,
  IKernelWriteStatus,
  KernelWrite,
  parseKernelPiece,
  parseKernelPath,
  parseWriteFormat
} from './kernelAccess';
import {
  INLINE_LIMIT,
  IStoredModel,
  isChunked,
  publicModel,
  withoutChunks
} from './schema';
import { ShippedContents } from './shipped';
import type { StreamedDownloads } from './streamedDownloads';

type IModel = Contents.IModel;

/** The drive's name: JupyterLite's, so paths and settings stay the same. */
export const DRIVE_NAME = 'BrowserStorage';

const N_CHECKPOINTS = 5;
/** Kernel write statuses kept after their write (a few per running kernel). */
const KEPT_KERNEL_STATUSES = 64;
/** How long a kernel write may wait for a piece posted on the channel. */
const KERNEL_PIECE_WAIT_MS = 60_000;
/** How long a range's blob URL lives when the kernel never releases it. */
const KERNEL_BLOB_MS = 60_000;

const EMPTY_NOTEBOOK = {
  metadata: { orig_nbformat: 4 },
  nbformat_minor: 5,
  nbformat: 4,
  cells: []
};

function clean(path: string): string {
  return path.replace(/^\/+/, '').replace(/\/+$/, '');
}

function decoded(path: string): string {
  try {
    return clean(decodeURIComponent(path));
  } catch {
    return clean(path);
  }
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function join(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

function notFound(path: string): Error {
  return new Error(`Could not find content with path ${path}`);
}

/** The model answered for a part of a write (the caller ignores it). */
function placeholder(path: string): IModel {
  return {
    name: basename(path),
    path,
    type: 'file',
    format: 'base64',
    mimetype: OCTET_STREAM,
    content: null,
    size: 0,
    writable: true,
    created: '',
    last_modified: ''
  };
}

/** A model with no content, as listings and metadata requests give it. */
function withoutContent(model: IModel): IModel {
  return { ...publicModel(model), size: model.size ?? 0, content: null };
}

interface IContentProviderRegistryLike {
  getProvider(id?: string): IContentProvider | null | undefined;
}

export interface IChunkedDriveOptions {
  indexedDB: IDBFactory;
  /** The database: the instance's `contentsStorageName`. */
  storageName: string;
  serverSettings: ServerConnection.ISettings;
  shipped: ShippedContents;
  fileTypes?: Record<string, IFileTypeInfo>;
  contentProviderRegistry?: IContentProviderRegistry;
  /** Streamed download links for chunked files (else each is one Blob). */
  downloads?: StreamedDownloads;
  now?: () => Date;
}

/** An upload in progress. */
interface IUploadState {
  path: string;
  writer: ChunkWriter;
  error: StorageWriteError | null;
}

/** A kernel write in progress (see `kernelAccess.ts`). */
interface IKernelWriteState extends IUploadState {
  /** Bytes taken so far (stored, or queued to be). */
  received: number;
  /** Whether pieces come on the channel (they may still be on their way). */
  posted: boolean;
  /** The appends, one after the other. */
  queue: Promise<void>;
  /** Called whenever `writer.size` or `error` changes. */
  progress: Set<() => void>;
}

/** A failed write the page should tell the user about. */
export interface IWriteFailure {
  path: string;
  error: StorageWriteError;
  /** Whether the kernel made the write (it gets an OSError too). */
  fromKernel: boolean;
}

/** Stored files read by range, chunk by chunk or as a Blob. */
export interface IStoredFiles {
  openFile(path: string): Promise<StoredFileReader>;
}

/** `drive` when it is an instance's chunked storage drive, else null. */
export function storedFilesOf(drive: unknown): IStoredFiles | null {
  return drive instanceof ChunkedStorageDrive ? drive : null;
}

export class ChunkedStorageDrive implements Contents.IDrive, IStoredFiles {
  constructor(options: IChunkedDriveOptions) {
    this.store = new FileStore({
      indexedDB: options.indexedDB,
      name: options.storageName
    });
    this.serverSettings = options.serverSettings;
    this.contentProviderRegistry = options.contentProviderRegistry;
    this._shipped = options.shipped;
    this._fileTypes = options.fileTypes ?? {};
    this._downloads = options.downloads ?? null;
    this._now = options.now ?? (() => new Date());
  }

  readonly name = DRIVE_NAME;
  readonly serverSettings: ServerConnection.ISettings;
  readonly contentProviderRegistry?: IContentProviderRegistry;
  /** The records and chunks behind the drive (range reads, tests). */
  readonly store: FileStore;

  get fileChanged(): ISignal<Contents.IDrive, Contents.IChangedArgs> {
    return this._fileChanged;
  }

  /** Emitted for every write that failed, with a message for the user. */
  get writeFailed(): ISignal<this, IWriteFailure> {
    return this._writeFailed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    for (const stop of this._stopListening) {
      stop();
    }
    for (const id of [...this._kernelBlobs.keys()]) {
      this._releaseBlob(id);
    }
    this.store.close();
    Signal.clearData(this);
  }

  /** Delete chunks left by writes that never finished (see FileStore). */
  async collectOrphans(): Promise<number> {
    const active = [...this._kernelWrites.values(), ...this._uploads.values()];
    return this.store.collectOrphans(active.map(state => state.writer.id));
  }

  /** Empty the instance's files, counters and checkpoints. */
  async clearStorage(): Promise<void> {
    await this.store.clear();
  }

  async get(
    localPath: string,
    options?: Contents.IFetchOptions
  ): Promise<IModel> {
    const provider = this._provider(options?.contentProviderId);
    if (provider) {
      return provider.get(localPath, options);
    }
    const path = decoded(localPath);
    const kernel = parseKernelPath(path);
    if (kernel) {
      try {
        return await this._kernelGet(kernel);
      } catch (error) {
        // JupyterLite's drive channel answers the kernel "no such file"
        // whatever went wrong here: the console keeps the cause
        console.error(`The kernel's read of “${path}” failed:`, error);
        throw error;
      }
    }
    if (path === '') {
      return this._folder('', true);
    }
    const record = await this.store.getRecord(path);
    let model: IModel | null = record;
    if (!model) {
      model = await this._shipped.model(path);
      if (model && options?.content && model.type !== 'directory') {
        model = await this._shipped.withContent(model);
      }
    }
    if (!model) {
      throw notFound(path);
    }
    if (model.type === 'directory') {
      if (!options?.content) {
        return { ...withoutContent(model), format: 'json' };
      }
      return {
        ...(await this._folder(path, !!record || !!model)),
        last_modified: model.last_modified,
        created: model.created
      };
    }
    if (!options?.content) {
      return {
        ...withoutContent(model),
        format: options?.format ?? model.format
      };
    }
    return this._withContent(model, options.format);
  }

  async getDownloadUrl(localPath: string): Promise<string> {
    const path = decoded(localPath);
    const record = await this.store.getRecord(path);
    if (record && record.type !== 'directory') {
      const mimetype = record.mimetype || OCTET_STREAM;
      if (isChunked(record)) {
        const streamed = await this._downloads?.link(
          path,
          record.name,
          mimetype
        );
        if (streamed) {
          return streamed;
        }
        const blob = await this.store.reader(record).blob(mimetype);
        return URL.createObjectURL(blob);
      }
      const parts: BlobPart[] = [];
      if (record.format === 'json') {
        parts.push(JSON.stringify(record.content));
      } else {
        parts.push(contentBytes(record.format, record.content) as BlobPart);
      }
      return URL.createObjectURL(new Blob(parts, { type: mimetype }));
    }
    const base = this.serverSettings.baseUrl.replace(/\/+$/, '');
    return `${base}/files/${path.split('/').map(encodeURIComponent).join('/')}`;
  }

  async newUntitled(options?: Contents.ICreateOptions): Promise<IModel> {
    const dir = clean(options?.path ?? '');
    const type = options?.type ?? 'notebook';
    const created = this._now().toISOString();
    await this._ensureDirectory(dir);
    let file: IModel;
    if (type === 'directory') {
      const counter = await this._incrementCounter('directory');
      const name = `Untitled Folder${counter || ''}`;
      file = {
        name,
        path: join(dir, name),
        last_modified: created,
        created,
        format: 'json',
        mimetype: '',
        content: null,
        size: 0,
        writable: true,
        type: 'directory'
      };
    } else if (type === 'notebook') {
      const counter = await this._incrementCounter('notebook');
      const name = `Untitled${counter || ''}.ipynb`;
      file = {
        name,
        path: join(dir, name),
        last_modified: created,
        created,
        format: 'json',
        mimetype: 'application/json',
        content: EMPTY_NOTEBOOK,
        size: new TextEncoder().encode(JSON.stringify(EMPTY_NOTEBOOK)).length,
        writable: true,
        type: 'notebook'
      };
    } else {
      let ext = options?.ext ?? '';
      if (ext && !ext.startsWith('.')) {
        ext = `.${ext}`;
      }
      const counter = await this._incrementCounter('file');
      const mimetype = ext
        ? mimetypeOf(`f${ext}`, this._fileTypes)
        : OCTET_STREAM;
      let format: Contents.FileFormat = 'base64';
      if (!ext) {
        format = 'base64';
      } else if (
        hasFormat(ext, 'text', this._fileTypes) ||
        mimetype.includes('text')
      ) {
        format = 'text';
      } else if (ext.includes('json') || ext.includes('ipynb')) {
        format = 'json';
      }
      const name = `untitled${counter || ''}${ext}`;
      file = {
        name,
        path: join(dir, name),
        last_modified: created,
        created,
        format,
        mimetype,
        content: '',
        size: 0,
        writable: true,
        type: 'file'
      };
    }
    await this._put(file.path, file);
    this._fileChanged.emit({ type: 'new', oldValue: null, newValue: file });
    return file;
  }

  async save(
    localPath: string,
    options: Partial<IModel> & Contents.IContentProvisionOptions = {}
  ): Promise<IModel> {
    const provider = this._provider(options.contentProviderId);
    if (provider) {
      const item = await provider.save(localPath, options);
      this._fileChanged.emit({ type: 'save', oldValue: null, newValue: item });
      return item;
    }
    const path = decoded(localPath);
    const kernelWrite = parseWriteFormat(options.format);
    if (kernelWrite) {
      return this._kernelSave(path, kernelWrite, options.content);
    }
    await this._ensureDirectory(dirname(path));
    const base = await this._baseModel(path, options);
    if (options.chunk) {
      return this._saveUploadChunk(path, base, options);
    }
    const content = options.content || '';
    let item: IStoredModel;
    if (base.type === 'directory') {
      item = { ...base, content: null, size: 0 };
      await this._put(path, item);
    } else {
      item = await this.store.putContent(path, base, content);
    }
    const saved = isChunked(item) ? { ...publicModel(item), content } : item;
    this._fileChanged.emit({ type: 'save', oldValue: null, newValue: saved });
    return saved;
  }

  async delete(localPath: string): Promise<void> {
    const path = decoded(localPath);
    const slashed = `${path}/`;
    const keys = (await this.store.keys()).filter(
      key => key === path || key.startsWith(slashed)
    );
    await this.store.deleteRecords(keys);
    this._fileChanged.emit({
      type: 'delete',
      oldValue: { path },
      newValue: null
    });
  }

  async rename(oldLocalPath: string, newLocalPath: string): Promise<IModel> {
    const path = decoded(oldLocalPath);
    const newPath = decoded(newLocalPath);
    const file = await this.get(path).catch(() => null);
    if (!file) {
      throw new Error(`Could not find file with path ${path}`);
    }
    await this._ensureDirectory(dirname(newPath));
    const modified = this._now().toISOString();
    const slashed = `${path}/`;
    const moves: [string, string][] = (await this.store.keys())
      .filter(key => key === path || key.startsWith(slashed))
      .map(key => [key, newPath + key.slice(path.length)]);
    const renamed = (record: IStoredModel, to: string): IStoredModel => ({
      ...record,
      name: basename(to),
      path: to,
      ...(to === newPath ? { last_modified: modified } : {})
    });
    const stored = moves.some(([from]) => from === path);
    if (!stored) {
      // a shipped file or folder: store a copy under the new name
      const shipped = await this.get(path, { content: true });
      if (shipped.type === 'directory') {
        await this._put(newPath, {
          ...withoutContent(shipped),
          name: basename(newPath),
          path: newPath,
          last_modified: modified,
          format: 'json'
        });
      } else {
        await this._put(newPath, renamed(shipped, newPath));
      }
    }
    await this.store.moveRecords(moves, renamed);
    if (file.type === 'directory') {
      // shipped children that no stored record shadows move by copy
      const movedNames = new Set(moves.map(([from]) => from));
      for (const child of (await this._shipped.folder(path)).values()) {
        if (!movedNames.has(join(path, child.name))) {
          await this.rename(join(path, child.name), join(newPath, child.name));
        }
      }
    }
    const newFile = {
      ...withoutContent(file),
      name: basename(newPath),
      path: newPath,
      last_modified: modified
    };
    this._fileChanged.emit({
      type: 'rename',
      oldValue: { path },
      newValue: newFile
    });
    return newFile;
  }

  async copy(localPath: string, toLocalDir: string): Promise<IModel> {
    const path = decoded(localPath);
    const toDir = decoded(toLocalDir);
    let name = basename(path);
    await this._ensureDirectory(toDir);
    while (
      await this.get(join(toDir, name)).then(
        () => true,
        () => false
      )
    ) {
      const ext = extensionOf(name) ? name.slice(name.lastIndexOf('.')) : '';
      name = `${name.slice(0, name.length - ext.length)} (copy)${ext}`;
    }
    const toPath = join(toDir, name);
    const record = await this.store.getRecord(path);
    let item: IStoredModel;
    if (isChunked(record)) {
      const chunks = await this._writing(toPath, record.size ?? 0, () =>
        this.store.copyChunks(toPath, record.chunks)
      );
      item = { ...record, name, path: toPath, chunks };
      await this._put(toPath, item, chunks.id);
    } else {
      const source = await this.get(path, { content: true }).catch(() => null);
      if (!source) {
        throw new Error(`Could not find file with path ${path}`);
      }
      item = { ...source, name, path: toPath };
      await this._put(toPath, item);
    }
    const copied = publicModel(item);
    this._fileChanged.emit({ type: 'new', oldValue: null, newValue: copied });
    return copied;
  }

  async createCheckpoint(
    localPath: string
  ): Promise<Contents.ICheckpointModel> {
    const path = decoded(localPath);
    const record = await this.store.getRecord(path);
    let copy: IStoredModel;
    if (isChunked(record)) {
      const chunks = await this._writing(path, record.size ?? 0, () =>
        this.store.copyChunks(path, record.chunks)
      );
      copy = { ...record, chunks };
    } else {
      const item = await this.get(path, { content: true }).catch(() => null);
      if (!item) {
        throw new Error(`Could not find file with path ${path}`);
      }
      copy = item;
    }
    const copies = await this.store.getCheckpoints(path);
    copies.push(copy);
    if (copies.length > N_CHECKPOINTS) {
      copies.splice(0, copies.length - N_CHECKPOINTS);
    }
    await this._writing(path, copy.size ?? 0, () =>
      this.store.setCheckpoints(path, copies)
    ).catch(async error => {
      if (isChunked(copy)) {
        await this.store.deleteChunks(copy.chunks.id).catch(() => undefined);
      }
      throw error;
    });
    return { id: `${copies.length - 1}`, last_modified: copy.last_modified };
  }

  async listCheckpoints(
    localPath: string
  ): Promise<Contents.ICheckpointModel[]> {
    const copies = await this.store.getCheckpoints(decoded(localPath));
    return copies.map((model, id) => ({
      id: `${id}`,
      last_modified: model.last_modified
    }));
  }

  async restoreCheckpoint(
    localPath: string,
    checkpointID: string
  ): Promise<void> {
    const path = decoded(localPath);
    const copies = await this.store.getCheckpoints(path);
    const copy = copies[parseInt(checkpointID)];
    if (!copy) {
      throw new Error(`No checkpoint ${checkpointID} of ${path}`);
    }
    if (isChunked(copy)) {
      // the checkpoint keeps its own chunks: the file gets a copy
      const chunks = await this._writing(path, copy.size ?? 0, () =>
        this.store.copyChunks(path, copy.chunks)
      );
      await this._put(path, { ...copy, chunks }, chunks.id);
    } else {
      await this._put(path, copy);
    }
  }

  async deleteCheckpoint(
    localPath: string,
    checkpointID: string
  ): Promise<void> {
    const path = decoded(localPath);
    const copies = await this.store.getCheckpoints(path);
    copies.splice(parseInt(checkpointID), 1);
    await this.store.setCheckpoints(path, copies);
  }

  /**
   * The stored or shipped file at `path`, opened for reading by range or
   * chunk by chunk (discovery, Inspect, push and download read it so).
   */
  async openFile(localPath: string): Promise<StoredFileReader> {
    const path = decoded(localPath);
    let record: IStoredModel | null = await this.store.getRecord(path);
    if (!record) {
      const shipped = await this._shipped.model(path);
      record =
        shipped && shipped.type !== 'directory'
          ? await this._shipped.withContent(shipped)
          : null;
    }
    if (!record) {
      throw notFound(path);
    }
    if (record.type === 'directory') {
      throw new Error(`${path} is a folder`);
    }
    return this.store.reader(record);
  }

  /** Bytes [start, end) of the stored or shipped file at `path`. */
  async readRange(
    localPath: string,
    start: number,
    end: number
  ): Promise<Uint8Array> {
    const path = decoded(localPath);
    const record = await this.store.getRecord(path);
    if (record) {
      if (record.type === 'directory') {
        throw new Error(`${path} is a folder`);
      }
      return this.store.readRange(record, start, end);
    }
    const shipped = await this._shipped.model(path);
    const model = shipped && (await this._shipped.withContent(shipped));
    if (!model || model.type === 'directory') {
      throw notFound(path);
    }
    return this.store.readRange(
      { ...model, size: inlineSize(model.format, model.content) },
      start,
      end
    );
  }

  /** The model a save of `path` with `options` starts from. */
  private async _baseModel(
    path: string,
    options: Partial<IModel>
  ): Promise<IStoredModel> {
    const name = options.name || basename(path);
    const ext = extensionOf(name);
    const mimetype = ext ? mimetypeOf(name, this._fileTypes) : OCTET_STREAM;
    let type = options.type || 'file';
    if (ext === '.ipynb') {
      type = 'notebook';
    }
    const format = (options.format || 'base64') as Contents.FileFormat;
    const now = this._now().toISOString();
    const existing =
      (await this.store.getRecord(path)) ??
      (await this._shipped.model(path).catch(() => null));
    const common = {
      last_modified: now,
      format,
      mimetype,
      writable: true,
      type
    };
    if (existing) {
      return { ...withoutChunks(existing), ...common, content: null };
    }
    return { name, path, created: now, ...common, content: null, size: 0 };
  }

  /**
   * The content `writer` collected, stored at `path`: inline when it is
   * small, else as its chunks. The record switches only when all is stored.
   */
  private async _commit(
    path: string,
    base: IStoredModel,
    writer: ChunkWriter
  ): Promise<IStoredModel> {
    const size = writer.size;
    const head = writer.head;
    if (size <= INLINE_LIMIT && head) {
      const { content, format } = bytesToContent(head, base.format);
      const item: IStoredModel = { ...base, format, content, size };
      await this._put(path, item);
      return item;
    }
    const chunks = await this._writing(path, size, () => writer.finish());
    const item: IStoredModel = { ...base, content: null, size, chunks };
    await this._put(path, item, chunks.id);
    return item;
  }

  /** Switch the record at `path`; on failure drop the chunks `newChunks`. */
  private async _put(
    path: string,
    item: IStoredModel,
    newChunks?: string
  ): Promise<void> {
    try {
      await this.store.putRecord(path, item);
    } catch (error) {
      if (newChunks) {
        await this.store.deleteChunks(newChunks).catch(() => undefined);
      }
      throw writeError(path, item.size ?? 0, error);
    }
  }

  /** Run a write, turning its failure into a `StorageWriteError`. */
  private async _writing<T>(
    path: string,
    size: number,
    write: () => Promise<T>
  ): Promise<T> {
    try {
      return await write();
    } catch (error) {
      throw writeError(path, size, error);
    }
  }

  /**
   * One part of JupyterLab's chunked upload (chunk 1, 2, ... then -1). The
   * parts go straight into chunks; the record switches with the last part,
   * so the file keeps its previous content until the upload is complete.
   */
  private async _saveUploadChunk(
    path: string,
    base: IStoredModel,
    options: Partial<IModel> & Contents.IContentProvisionOptions
  ): Promise<IModel> {
    const chunk = options.chunk as number;
    let upload = this._uploads.get(path);
    if (chunk === 1 || !upload) {
      if (upload) {
        await upload.writer.abort();
      }
      upload = { path, writer: this.store.newContent(path), error: null };
      this._uploads.set(path, upload);
    }
    const writer = upload.writer;
    try {
      await writer.append(base64ToBytes(String(options.content || '')));
      if (chunk !== -1) {
        return { ...withoutContent(base), size: writer.size };
      }
      this._uploads.delete(path);
      const item = await this._commit(path, base, writer);
      const saved = publicModel(item);
      this._fileChanged.emit({ type: 'save', oldValue: null, newValue: saved });
      return saved;
    } catch (error) {
      this._uploads.delete(path);
      await writer.abort();
      throw writeError(path, writer.size, error);
    }
  }

  /**
   * Take the kernel's pieces from the BroadcastChannel `name` (see
   * `kernelAccess.ts`), and name it to the kernels that ask. Returns what
   * stops listening.
   */
  listenToKernelPieces(name: string): () => void {
    const channel = new BroadcastChannel(name);
    channel.onmessage = (event: MessageEvent) => {
      const piece = parseKernelPiece(event.data);
      if (piece) {
        void this._kernelPiece({ ...piece, path: decoded(piece.path) }, true);
      }
    };
    this._kernelChannel = name;
    const stop = () => {
      channel.close();
      if (this._kernelChannel === name) {
        this._kernelChannel = null;
      }
    };
    this._stopListening.add(stop);
    return stop;
  }

  /** The state of kernel write `id` to `path`, made on first sight. */
  private _kernelState(id: string, path: string): IKernelWriteState {
    let state = this._kernelWrites.get(id);
    if (!state) {
      state = {
        path,
        writer: this.store.newContent(path),
        error: null,
        received: 0,
        posted: false,
        queue: Promise.resolve(),
        progress: new Set()
      };
      this._kernelWrites.set(id, state);
    }
    return state;
  }

  /**
   * Queue a piece of a kernel write; resolves once it is stored or the
   * write failed. Never throws.
   */
  private _kernelPiece(piece: IKernelPiece, posted = false): Promise<void> {
    if (this._kernelStatus.has(piece.id)) {
      return Promise.resolve(); // a write already ended
    }
    const state = this._kernelState(piece.id, piece.path);
    const expected = state.received;
    state.received += piece.bytes.length;
    state.posted ||= posted;
    const progress = () => {
      for (const call of [...state.progress]) {
        call();
      }
    };
    progress();
    state.queue = state.queue.then(async () => {
      const { writer } = state;
      if (state.error) {
        return;
      }
      try {
        if (piece.path !== state.path || piece.offset !== expected) {
          throw new Error(
            `the kernel sent bytes of “${piece.path}” at ${piece.offset}, ` +
              `expected “${state.path}” at ${expected}`
          );
        }
        await writer.append(piece.bytes);
      } catch (error) {
        state.error = writeError(state.path, writer.size, error);
        await writer.abort();
      } finally {
        progress();
      }
    });
    return state.queue;
  }

  /**
   * Resolves once `bytes` of a kernel write are stored, or it failed, or
   * no more of its pieces can come: none is posted on the channel (unless
   * `posted`: the kernel says it posts them), or none arrived for
   * `KERNEL_PIECE_WAIT_MS` (the write then fails).
   */
  private async _kernelStored(
    state: IKernelWriteState,
    bytes: number,
    posted = false
  ): Promise<void> {
    while (state.error === null && state.writer.size < bytes) {
      const coming = state.received >= bytes;
      if (!coming && !state.posted && !posted) {
        return;
      }
      const moved = await new Promise<boolean>(resolve => {
        const call = () => {
          clearTimeout(timer);
          state.progress.delete(call);
          resolve(true);
        };
        const timer = setTimeout(
          () => {
            state.progress.delete(call);
            resolve(false);
          },
          coming ? 2 ** 31 - 1 : KERNEL_PIECE_WAIT_MS
        );
        state.progress.add(call);
      });
      if (!moved && state.error === null && state.received < bytes) {
        state.error = writeError(
          state.path,
          state.writer.size,
          new Error(
            `the page received ${state.received} of ${bytes} bytes ` +
              'from the kernel, and no more came'
          )
        );
        await state.writer.abort();
      }
    }
  }

  /** A piece or the end of a kernel write; never throws (see kernelAccess). */
  private async _kernelSave(
    path: string,
    write: KernelWrite,
    content: unknown
  ): Promise<IModel> {
    const state = this._kernelState(write.id, path);
    const { writer } = state;
    if (write.kind === 'piece') {
      let bytes: Uint8Array;
      try {
        bytes = base64ToBytes(String(content || ''));
      } catch (error) {
        if (!state.error) {
          state.error = writeError(path, writer.size, error);
          await writer.abort();
        }
        return { ...placeholder(path), size: writer.size };
      }
      await this._kernelPiece({
        id: write.id,
        path,
        offset: write.offset,
        bytes
      });
      return { ...placeholder(path), size: writer.size };
    }
    await this._kernelStored(state, write.size);
    await state.queue;
    this._kernelWrites.delete(write.id);
    let saved: IModel | null = null;
    if (!state.error) {
      try {
        if (write.size !== writer.size) {
          throw new Error(`received ${writer.size} of ${write.size} bytes`);
        }
        await this._ensureDirectory(dirname(path));
        const base = await this._baseModel(path, {
          type: 'file',
          format: (write.format || 'base64') as Contents.FileFormat
        });
        saved = publicModel(await this._commit(path, base, writer));
      } catch (error) {
        state.error = writeError(path, write.size, error);
        await writer.abort();
      }
    }
    const status: IKernelWriteStatus = state.error
      ? { ok: false, errno: state.error.errno, message: state.error.message }
      : { ok: true };
    this._kernelStatus.set(write.id, status);
    // kept for a repeated ask (see kernelDrivePatch), the oldest dropped
    for (const id of this._kernelStatus.keys()) {
      if (this._kernelStatus.size <= KEPT_KERNEL_STATUSES) {
        break;
      }
      this._kernelStatus.delete(id);
    }
    if (state.error || !saved) {
      // the kernel learns it from the status; a throw here would never reach it
      this._writeFailed.emit({ path, error: state.error!, fromKernel: true });
      return { ...withoutContent(placeholder(path)), size: 0 };
    }
    this._fileChanged.emit({ type: 'save', oldValue: null, newValue: saved });
    return saved;
  }

  /** Revoke the blob URL a kernel read (its last part `id`). */
  private _releaseBlob(id: string): void {
    const blob = this._kernelBlobs.get(id);
    if (blob) {
      clearTimeout(blob.timer);
      this._kernelBlobs.delete(id);
      URL.revokeObjectURL(blob.url);
    }
  }

  /** The answers to the kernel's reserved paths. */
  private async _kernelGet(
    request: ReturnType<typeof parseKernelPath> & object
  ): Promise<IModel> {
    let content: string;
    if (request.kind === 'status') {
      const status = this._kernelStatus.get(request.id) ?? {
        ok: false,
        errno: 'EIO',
        message:
          'The page lost track of this write; it may not have been stored.'
      };
      content = JSON.stringify(status);
    } else if (request.kind === 'channel') {
      content = JSON.stringify({ name: this._kernelChannel });
    } else if (request.kind === 'blob') {
      // one range of the file, never the whole (see kernelAccess.ts)
      const reader = await this.openFile(request.path);
      const { record, size } = reader;
      const start = Math.min(request.start, size);
      const end = Math.min(request.end, size);
      const url = URL.createObjectURL(
        await reader.readBlob(start, end - start)
      );
      const id = url.slice(url.lastIndexOf('/') + 1);
      const timer = setTimeout(() => this._releaseBlob(id), KERNEL_BLOB_MS);
      this._kernelBlobs.set(id, { url, timer });
      const answer: IKernelBlobAnswer = {
        size,
        format: record.format ?? 'base64',
        version: isChunked(record)
          ? record.chunks.id
          : `${record.last_modified}/${size}`,
        url
      };
      content = JSON.stringify(answer);
    } else if (request.kind === 'release') {
      this._releaseBlob(request.id);
      content = '{}';
    } else if (request.kind === 'stored') {
      const ended = this._kernelStatus.get(request.id);
      const state = ended ? null : this._kernelState(request.id, request.path);
      if (state) {
        await this._kernelStored(state, request.bytes, true);
      }
      const answer: IKernelStoredAnswer = {
        ok: state ? !state.error : !!ended?.ok,
        stored: state ? state.writer.size : 0
      };
      content = JSON.stringify(answer);
    } else {
      const model = await this.get(request.path);
      if (model.type === 'directory') {
        throw notFound(request.path);
      }
      const bytes = await this.readRange(
        request.path,
        request.start,
        request.end
      );
      content = JSON.stringify({
        size: model.size ?? 0,
        format: model.format,
        data: bytesToBase64(bytes)
      });
    }
    return {
      name: '',
      path: '',
      type: 'file',
      format: 'text',
      mimetype: 'application/json',
      content,
      size: content.length,
      writable: false,
      created: '',
      last_modified: ''
    };
  }

  /** A stored or shipped file with its content in the requested format. */
  private async _withContent(
    model: IModel,
    requested?: Contents.FileFormat
  ): Promise<IModel> {
    const stored = model as IStoredModel;
    const format = requested ?? model.format;
    if (!isChunked(stored)) {
      if (!requested || requested === model.format) {
        return model;
      }
      const converted = bytesToContent(
        contentBytes(model.format, model.content),
        requested
      );
      return { ...model, ...converted };
    }
    const problem = wholeReadProblem(stored, format);
    if (problem) {
      throw new Error(problem);
    }
    const bytes = await this.store.readBytes(stored);
    return { ...publicModel(stored), ...bytesToContent(bytes, format) };
  }

  /** The folder `path` with its children (stored first, then shipped). */
  private async _folder(path: string, exists: boolean): Promise<IModel> {
    const prefix = path ? `${path}/` : '';
    const childKeys = (await this.store.keys()).filter(
      key =>
        key.startsWith(prefix) &&
        !key.slice(prefix.length).includes('/') &&
        key !== path
    );
    const children = new Map<string, IModel>();
    for (const record of await this.store.getRecords(childKeys)) {
      children.set(record.name, withoutContent(record));
    }
    for (const file of (await this._shipped.folder(path)).values()) {
      if (!children.has(file.name)) {
        children.set(file.name, withoutContent(file));
      }
    }
    if (path && !exists && children.size === 0) {
      throw notFound(path);
    }
    const epoch = new Date(0).toISOString();
    return {
      name: basename(path),
      path,
      last_modified: epoch,
      created: epoch,
      format: 'json',
      mimetype: 'application/json',
      content: [...children.values()],
      size: 0,
      writable: true,
      type: 'directory'
    };
  }

  private async _ensureDirectory(path: string): Promise<void> {
    if (!path) {
      return;
    }
    const model = await this.get(path).catch(() => null);
    if (!model || model.type !== 'directory') {
      throw new Error(`Directory does not exist: ${path}`);
    }
  }

  private async _incrementCounter(type: string): Promise<number> {
    const counter = ((await this.store.getCounter(type)) ?? -1) + 1;
    await this.store.setCounter(type, counter);
    return counter;
  }

  private _provider(id?: string): IContentProvider | null {
    const registry = this.contentProviderRegistry as
      IContentProviderRegistryLike | undefined;
    return (id && registry?.getProvider(id)) || null;
  }

  private _shipped: ShippedContents;
  private _fileTypes: Record<string, IFileTypeInfo>;
  private _downloads: StreamedDownloads | null;
  private _now: () => Date;
  private _isDisposed = false;
  private _fileChanged = new Signal<Contents.IDrive, Contents.IChangedArgs>(
    this
  );
  private _writeFailed = new Signal<this, IWriteFailure>(this);
  private _uploads = new Map<string, IUploadState>();
  private _kernelWrites = new Map<string, IKernelWriteState>();
  private _kernelStatus = new Map<string, IKernelWriteStatus>();
  private _kernelChannel: string | null = null;
  private _kernelBlobs = new Map<
    string,
    { url: string; timer: ReturnType<typeof setTimeout> }
  >();
  private _stopListening = new Set<() => void>();
}
