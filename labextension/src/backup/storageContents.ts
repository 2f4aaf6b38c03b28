/**
 * An instance's files read and written straight in its browser storage, the
 * way JupyterLite 0.8's `BrowserStorageDrive` keeps them, for pages that run
 * without JupyterLab (the instances page backs up and restores instances
 * that are not open).
 *
 * The drive (through localforage's IndexedDB driver) keeps one record per
 * path in the `files` store of the instance's database: a whole
 * `Contents.IModel` with its content inline, JSON for notebooks and `.json`
 * files saved as JSON, a string for text and a base64 string for bytes.
 * Folders are records of type `directory`. Earlier versions of a file sit in
 * `checkpoints` under the same key. Files shipped with the site are listed in
 * `api/contents/<folder>/all.json` and fetched from `files/<path>`; a stored
 * record shadows a shipped file of the same path.
 */
import { bytesToBase64 } from './base64';
import { IBackupContents, IContentsModelLike } from './contents';
import { isTextPath } from './compression';

const FILES = 'files';
const CHECKPOINTS = 'checkpoints';

/** What the site ships, as JupyterLite's `all.json` listings describe it. */
export interface IShippedFiles {
  /** The shipped entries directly in `dir`, by name. */
  folder(dir: string): Promise<Map<string, IContentsModelLike>>;
  /** A shipped file's bytes, or null when it cannot be fetched. */
  bytes(path: string): Promise<Uint8Array | null>;
}

/** A file type as `jupyter-lite.json`'s `fileTypes` describes it. */
export interface IFileTypeInfo {
  extensions?: string[];
  mimeTypes?: string[];
}

/** Fallbacks for the mimetypes the drive would give common files. */
const MIME_TYPES: Record<string, string> = {
  '.ipynb': 'application/x-ipynb+json',
  '.json': 'application/json',
  '.py': 'text/x-python',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.html': 'text/html',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.zip': 'application/zip'
};

/** The mimetype the drive gives a file name (site file types first). */
export function mimetypeOf(
  name: string,
  fileTypes: Record<string, IFileTypeInfo> = {}
): string {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot).toLowerCase() : '';
  if (!ext) {
    return 'application/octet-stream';
  }
  for (const type of Object.values(fileTypes)) {
    if (type?.extensions?.includes(ext) && type.mimeTypes?.length) {
      return type.mimeTypes[0];
    }
  }
  return MIME_TYPES[ext] ?? 'application/octet-stream';
}

/** The bytes JupyterLite records as a model's `size`, by its format. */
export function storedSize(format: string, content: unknown): number {
  if (!content) {
    return 0;
  }
  if (format === 'json') {
    return new TextEncoder().encode(JSON.stringify(content)).length;
  }
  if (format === 'text' && typeof content === 'string') {
    return new TextEncoder().encode(content).length;
  }
  if (format === 'base64' && typeof content === 'string') {
    const padding = (content.match(/=+$/) || [''])[0].length;
    return (content.length * 3) / 4 - padding;
  }
  return 0;
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

/**
 * The contents of one instance database, as `IBackupContents`, so the
 * backup writer and the restorer work on it exactly as they do on
 * JupyterLab's contents manager. Nothing is ever created but records in the
 * existing `files` store.
 */
export class StorageContents implements IBackupContents {
  private constructor(
    private readonly _db: IDBDatabase,
    private readonly _shipped: IShippedFiles | null,
    private readonly _fileTypes: Record<string, IFileTypeInfo>,
    private readonly _now: () => Date
  ) {}

  /**
   * Opens the database `name`; fails when the browser has no such database
   * or it has no `files` store (an open never creates one).
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
    // never hold up a tab that upgrades or deletes the instance
    db.onversionchange = () => db.close();
    if (!db.objectStoreNames.contains(FILES)) {
      db.close();
      throw new Error('The instance has no file storage yet.');
    }
    return new StorageContents(
      db,
      options.shipped ?? null,
      options.fileTypes ?? {},
      options.now ?? (() => new Date())
    );
  }

  close(): void {
    this._db.close();
  }

  async get(
    path: string,
    options: { content?: boolean } = {}
  ): Promise<IContentsModelLike> {
    path = clean(path);
    if (path === '') {
      return this._folder('', rootModel(), options.content);
    }
    const stored = await this._record(path);
    if (stored) {
      if (stored.type === 'directory') {
        return this._folder(path, stored, options.content);
      }
      return options.content ? stored : { ...stored, content: null };
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
    const format: string = options.format || 'base64';
    const content = options.content || '';
    const existing = await this._record(path);
    const item = {
      name,
      path,
      last_modified: now,
      created: (existing as { created?: string } | null)?.created ?? now,
      format,
      mimetype: mimetypeOf(name, this._fileTypes),
      content,
      size: storedSize(format, content),
      writable: true,
      type
    };
    await this._request(FILES, 'readwrite', store => store.put(item, path));
    return item;
  }

  async delete(path: string): Promise<void> {
    path = clean(path);
    const prefix = `${path}/`;
    const keys = (await this._keys()).filter(
      key => key === path || key.startsWith(prefix)
    );
    await this._write(tx => {
      for (const key of keys) {
        tx.objectStore(FILES).delete(key);
        if (tx.objectStoreNames.contains(CHECKPOINTS)) {
          tx.objectStore(CHECKPOINTS).delete(key);
        }
      }
    });
  }

  async rename(path: string, newPath: string): Promise<IContentsModelLike> {
    path = clean(path);
    newPath = clean(newPath);
    const file = await this.get(path, { content: true });
    await this._ensureFolder(dirname(newPath));
    const moved = {
      ...file,
      name: basename(newPath),
      path: newPath,
      last_modified: this._now().toISOString(),
      ...(file.type === 'directory' ? { content: null } : {})
    };
    await this._request(FILES, 'readwrite', store => store.put(moved, newPath));
    await this._write(tx => {
      tx.objectStore(FILES).delete(path);
      if (tx.objectStoreNames.contains(CHECKPOINTS)) {
        tx.objectStore(CHECKPOINTS).delete(path);
      }
    });
    if (file.type === 'directory' && Array.isArray(file.content)) {
      for (const child of file.content as IContentsModelLike[]) {
        await this.rename(`${path}/${child.name}`, `${newPath}/${child.name}`);
      }
    }
    return moved;
  }

  /** Every path stored, without reading a record. */
  private async _keys(): Promise<string[]> {
    const keys = await this._request(FILES, 'readonly', store =>
      store.getAllKeys()
    );
    return (keys as IDBValidKey[]).filter(
      (key): key is string => typeof key === 'string'
    );
  }

  private async _record(path: string): Promise<IContentsModelLike | null> {
    const value = await this._request(FILES, 'readonly', store =>
      store.get(path)
    );
    return value && typeof value === 'object'
      ? (value as IContentsModelLike)
      : null;
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
    const children = new Map<string, IContentsModelLike>();
    const prefix = path ? `${path}/` : '';
    const keys = (await this._keys()).filter(key => {
      const name = key.slice(prefix.length);
      return key.startsWith(prefix) && name && !name.includes('/');
    });
    for (const [key, record] of await this._withoutContent(keys)) {
      children.set(key.slice(prefix.length), record);
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
    if (!path) {
      return;
    }
    const model = await this.get(path).catch(() => null);
    if (!model || model.type !== 'directory') {
      throw new Error(`Directory does not exist: ${path}`);
    }
  }

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

  /**
   * Records without their contents, read one after another in a single
   * transaction: one record in memory at a time (a folder may hold large
   * files), and no transaction per record (a folder may hold thousands).
   */
  private _withoutContent(
    keys: string[]
  ): Promise<Map<string, IContentsModelLike>> {
    const out = new Map<string, IContentsModelLike>();
    if (!keys.length) {
      return Promise.resolve(out);
    }
    return new Promise((resolve, reject) => {
      const tx = this._db.transaction(FILES, 'readonly');
      const store = tx.objectStore(FILES);
      let next = 0;
      const read = () => {
        const key = keys[next++];
        const request = store.get(key);
        request.onsuccess = () => {
          const value = request.result;
          if (value && typeof value === 'object') {
            out.set(key, { ...value, path: key, content: null });
          }
          if (next < keys.length) {
            read();
          }
        };
      };
      read();
      tx.oncomplete = () => resolve(out);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('Storage read aborted'));
    });
  }

  private _request<T>(
    store: string,
    mode: IDBTransactionMode,
    make: (store: IDBObjectStore) => IDBRequest<T>
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const tx = this._db.transaction(store, mode);
      const request = make(tx.objectStore(store));
      let result: T;
      request.onsuccess = () => {
        result = request.result;
      };
      // resolved once committed: a full disk fails the transaction
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error ?? request.error);
      tx.onabort = () => reject(tx.error ?? new Error('Storage write aborted'));
    });
  }

  private _write(change: (tx: IDBTransaction) => void): Promise<void> {
    const stores = this._db.objectStoreNames.contains(CHECKPOINTS)
      ? [FILES, CHECKPOINTS]
      : [FILES];
    return new Promise((resolve, reject) => {
      const tx = this._db.transaction(stores, 'readwrite');
      change(tx);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('Storage write aborted'));
    });
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
