/**
 * An instance's files read and written straight in its browser storage, the
 * way the instance's drive keeps them (`storage/`), for pages that run
 * without JupyterLab (the instances page backs up and restores instances
 * that are not open).
 *
 * Records and chunks go through the storage layer's `FileStore`, the one
 * home of the record format: files up to `INLINE_LIMIT` keep JupyterLite
 * 0.8's record (content inline: JSON for notebooks and `.json` files saved
 * as JSON, a string for text, base64 for bytes), larger ones are stored as
 * chunks and a record that names them. Folders are records of type
 * `directory`; earlier versions of a file sit in `checkpoints` under the
 * same key. Files shipped with the site are listed in
 * `api/contents/<folder>/all.json` and fetched from `files/<path>`; a stored
 * record shadows a shipped file of the same path.
 */
import { FileStore } from '../storage/fileStore';
import { IFileTypeInfo, mimetypeOf } from '../storage/formats';
import {
  FILES_STORE,
  IStoredModel,
  isChunked,
  publicModel
} from '../storage/schema';
import { bytesToBase64 } from './base64';
import { BinaryParts, IBackupContents, IContentsModelLike } from './contents';
import { isTextPath } from './compression';

export type { IFileTypeInfo };

/** Records read per transaction when a folder is listed. */
const RECORDS_PER_READ = 256;

/** What the site ships, as JupyterLite's `all.json` listings describe it. */
export interface IShippedFiles {
  /** The shipped entries directly in `dir`, by name. */
  folder(dir: string): Promise<Map<string, IContentsModelLike>>;
  /** A shipped file's bytes, or null when it cannot be fetched. */
  bytes(path: string): Promise<Uint8Array | null>;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function clean(path: string): string {
  return path.replace(/^\/+/, '').replace(/\/+$/, '');
}

function notFound(path: string): Error {
  return new Error(`No file or folder ${JSON.stringify(path)} in the instance`);
}

/** Whether database `name` exists with a `files` store; never creates it. */
async function checkInstance(factory: IDBFactory, name: string): Promise<void> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open(name);
    request.onupgradeneeded = () => request.transaction?.abort();
    request.onsuccess = () => resolve(request.result);
    request.onerror = event => {
      event.preventDefault();
      reject(
        new Error(
          request.error?.name === 'AbortError'
            ? 'The instance no longer exists in this browser.'
            : `The browser could not open the instance: ${request.error?.message}`
        )
      );
    };
  });
  const hasFiles = db.objectStoreNames.contains(FILES_STORE);
  db.close();
  if (!hasFiles) {
    throw new Error('The instance has no file storage yet.');
  }
}

/**
 * The contents of one instance database, as `IBackupContents`, so the
 * backup writer and the restorer work on it exactly as they do on
 * JupyterLab's contents manager. A file kept in chunks is read chunk by
 * chunk and handed over as binary parts (`BinaryParts`), never as one
 * base64 string; a large file saved here is stored in chunks, and its
 * record switches only once every chunk is stored.
 */
export class StorageContents implements IBackupContents {
  private constructor(
    private readonly _store: FileStore,
    private readonly _shipped: IShippedFiles | null,
    private readonly _fileTypes: Record<string, IFileTypeInfo>,
    private readonly _now: () => Date
  ) {}

  /**
   * Opens the database `name`; fails when the browser has no such database
   * or it has no `files` store (an open never creates one). An instance
   * made before chunked storage gets its `chunks` store, as opening it in
   * JupyterLab would.
   */
  static async open(
    factory: IDBFactory,
    name: string,
    options: {
      shipped?: IShippedFiles | null;
      fileTypes?: Record<string, IFileTypeInfo>;
      now?: () => Date;
    } = {}
  ): Promise<StorageContents> {
    await checkInstance(factory, name);
    const store = new FileStore({ indexedDB: factory, name });
    await store.database();
    return new StorageContents(
      store,
      options.shipped ?? null,
      options.fileTypes ?? {},
      options.now ?? (() => new Date())
    );
  }

  /** Restored binary files come as parts and are stored chunk by chunk. */
  readonly takesBinaryParts = true;

  close(): void {
    this._store.close();
  }

  async get(
    path: string,
    options: { content?: boolean } = {}
  ): Promise<IContentsModelLike> {
    path = clean(path);
    if (path === '') {
      return this._folder('', rootModel(), options.content);
    }
    const stored = await this._store.getRecord(path);
    if (stored) {
      if (stored.type === 'directory') {
        return this._folder(path, stored, options.content);
      }
      if (!options.content) {
        return { ...publicModel(stored), content: null };
      }
      return isChunked(stored) ? this._chunkedContent(stored) : stored;
    }
    const shipped = await this._shippedModel(path);
    if (!shipped) {
      throw notFound(path);
    }
    if (shipped.type === 'directory') {
      return this._folder(path, shipped, options.content);
    }
    return options.content ? this._shippedContent(shipped) : shipped;
  }

  async save(
    path: string,
    options: { type?: any; format?: any; content?: any; name?: string } = {}
  ): Promise<IContentsModelLike> {
    path = clean(path);
    await this._ensureFolder(dirname(path));
    const name = options.name || basename(path);
    const now = this._now().toISOString();
    let type: string = options.type || 'file';
    if (name.toLowerCase().endsWith('.ipynb')) {
      type = 'notebook';
    }
    const base = {
      name,
      path,
      last_modified: now,
      created: now,
      format: options.format || 'base64',
      mimetype: mimetypeOf(name, this._fileTypes),
      content: null,
      size: 0,
      writable: true,
      type
    } as IStoredModel;
    // a file saved over another keeps its creation time
    if (type === 'directory') {
      await this._store.putRecord(path, base, { keepCreated: true });
      return base;
    }
    const item = await this._store.putContent(
      path,
      base,
      options.content || '',
      { keepCreated: true }
    );
    return publicModel(item);
  }

  async delete(path: string): Promise<void> {
    this._knownFolders.clear();
    path = clean(path);
    const prefix = `${path}/`;
    const keys = (await this._store.keys()).filter(
      key => key === path || key.startsWith(prefix)
    );
    // records, their chunks and checkpoints, in one transaction
    await this._store.deleteRecords(keys);
  }

  async rename(path: string, newPath: string): Promise<IContentsModelLike> {
    this._knownFolders.clear();
    path = clean(path);
    newPath = clean(newPath);
    const file = await this.get(path);
    await this._ensureFolder(dirname(newPath));
    const modified = this._now().toISOString();
    const prefix = `${path}/`;
    const moves: [string, string][] = (await this._store.keys())
      .filter(key => key === path || key.startsWith(prefix))
      .map(key => [key, newPath + key.slice(path.length)]);
    if (!moves.some(([from]) => from === path)) {
      // shipped: a stored copy under the new name
      const shipped = await this.get(path, { content: true });
      await this._store.putRecord(newPath, {
        ...(shipped as IStoredModel),
        name: basename(newPath),
        path: newPath,
        last_modified: modified,
        ...(shipped.type === 'directory' ? { content: null } : {})
      } as IStoredModel);
    }
    // chunks are keyed by content, not path: they stay where they are
    await this._store.moveRecords(moves, (record, to) => ({
      ...record,
      name: basename(to),
      path: to,
      ...(to === newPath ? { last_modified: modified } : {})
    }));
    if (file.type === 'directory' && this._shipped) {
      const moved = new Set(moves.map(([from]) => from));
      for (const child of (await this._shipped.folder(path)).values()) {
        const from = `${path}/${child.name}`;
        if (!moved.has(from)) {
          await this.rename(from, `${newPath}/${child.name}`);
        }
      }
    }
    return {
      ...file,
      name: basename(newPath),
      path: newPath,
      last_modified: modified,
      content: null
    };
  }

  /** A chunked file's bytes, read one chunk at a time into binary parts. */
  private async _chunkedContent(
    record: IStoredModel
  ): Promise<IContentsModelLike> {
    const parts: Uint8Array[] = [];
    for await (const chunk of this._store.reader(record).chunks()) {
      parts.push(chunk);
    }
    return { ...publicModel(record), content: new BinaryParts(parts) };
  }

  private async _folder(
    path: string,
    model: IContentsModelLike,
    content?: boolean
  ): Promise<IContentsModelLike> {
    const folder = {
      ...model,
      name: basename(path),
      path,
      type: 'directory',
      format: 'json',
      size: 0,
      content: null as IContentsModelLike[] | null
    };
    if (!content) {
      return folder;
    }
    // the children's records, without their contents
    const children = new Map<string, IContentsModelLike>();
    const prefix = path ? `${path}/` : '';
    const keys = (await this._store.keys()).filter(key => {
      const name = key.slice(prefix.length);
      return key.startsWith(prefix) && name && !name.includes('/');
    });
    // a batch of records per transaction: a folder may hold thousands of
    // files, and a batch of (at most 4 MiB) inline contents fits in memory
    for (let i = 0; i < keys.length; i += RECORDS_PER_READ) {
      const batch = keys.slice(i, i + RECORDS_PER_READ);
      for (const record of await this._store.getRecords(batch)) {
        const key = record.path;
        children.set(key.slice(prefix.length), {
          ...publicModel(record),
          path: key,
          content: null
        });
      }
    }
    if (this._shipped) {
      for (const [name, shipped] of await this._shipped.folder(path)) {
        if (!children.has(name)) {
          children.set(name, shipped);
        }
      }
    }
    folder.content = [...children.values()];
    return folder;
  }

  private async _ensureFolder(path: string): Promise<void> {
    if (!path || this._knownFolders.has(path)) {
      return;
    }
    const model = await this.get(path).catch(() => null);
    if (!model || model.type !== 'directory') {
      throw new Error(`Directory does not exist: ${path}`);
    }
    this._knownFolders.add(path);
  }

  /**
   * Folders seen to exist, so that saving thousands of files into one (a
   * restore) does not read its record each time; forgotten on any delete
   * or rename.
   */
  private readonly _knownFolders = new Set<string>();

  private async _shippedModel(
    path: string
  ): Promise<IContentsModelLike | null> {
    if (!this._shipped) {
      return null;
    }
    const listing = await this._shipped.folder(dirname(path));
    return listing.get(basename(path)) ?? null;
  }

  /** A shipped file with its content, in the format the drive would give. */
  private async _shippedContent(
    model: IContentsModelLike
  ): Promise<IContentsModelLike> {
    const bytes = await this._shipped!.bytes(model.path);
    if (!bytes) {
      throw new Error(
        `Could not fetch ${JSON.stringify(model.path)} from the site.`
      );
    }
    const text = decodeUtf8(bytes);
    const jsonLike =
      model.type === 'notebook' ||
      /\.(ipynb|[^/]*json[^/]*)$/i.test(model.path);
    if (text !== null && jsonLike) {
      try {
        return {
          ...model,
          format: 'json',
          content: JSON.parse(text),
          size: bytes.length
        };
      } catch {
        // not JSON after all: kept as it is below
      }
    }
    if (text !== null && isTextPath(model.path)) {
      return { ...model, format: 'text', content: text, size: bytes.length };
    }
    return {
      ...model,
      format: 'base64',
      content: bytesToBase64(bytes),
      size: bytes.length
    };
  }
}

function rootModel(): IContentsModelLike {
  return {
    name: '',
    path: '',
    type: 'directory',
    format: 'json',
    last_modified: new Date(0).toISOString()
  };
}

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * The files a JupyterLite site ships, read from its `all.json` listings and
 * `files/` folder (what the drive layers under the stored files).
 */
export class SiteShippedFiles implements IShippedFiles {
  constructor(
    private readonly _baseUrl: string,
    private readonly _allJsonFile: string,
    private readonly _fetch: typeof fetch = (...args) => fetch(...args)
  ) {}

  async folder(dir: string): Promise<Map<string, IContentsModelLike>> {
    let cached = this._folders.get(dir);
    if (!cached) {
      cached = this._load(dir);
      this._folders.set(dir, cached);
    }
    return cached;
  }

  async bytes(path: string): Promise<Uint8Array | null> {
    try {
      const response = await this._fetch(this._url(`files/${encode(path)}`));
      return response.ok ? new Uint8Array(await response.arrayBuffer()) : null;
    } catch {
      return null;
    }
  }

  private async _load(dir: string): Promise<Map<string, IContentsModelLike>> {
    const out = new Map<string, IContentsModelLike>();
    if (!this._allJsonFile) {
      return out;
    }
    const folder = dir ? `${encode(dir)}/` : '';
    try {
      const response = await this._fetch(
        this._url(`api/contents/${folder}${this._allJsonFile}`)
      );
      if (!response.ok) {
        return out;
      }
      const listing = await response.json();
      for (const item of listing?.content ?? []) {
        if (item && typeof item.name === 'string') {
          out.set(item.name, {
            ...item,
            path: clean(String(item.path ?? item.name)),
            content: null
          });
        }
      }
    } catch {
      // no listing: the site ships nothing here
    }
    return out;
  }

  private _url(path: string): string {
    return new URL(path, this._baseUrl.replace(/\/?$/, '/')).href;
  }

  private readonly _folders = new Map<
    string,
    Promise<Map<string, IContentsModelLike>>
  >();
}

function encode(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
