/**
 * The instances of this browser, kept as the LUML platform expects: one
 * IndexedDB database `jl_<id>` per instance with a `meta` store whose key
 * `info` holds `{ createdAt, fullname }`.
 *
 * Only IndexedDB and Web Storage are used, so the same code runs on the
 * instances page, before JupyterLab boots, inside JupyterLab and in tests.
 */
import {
  IRandomSource,
  databaseName,
  instanceIdOf,
  newInstanceId
} from './ids';
import { checkInstanceName } from './names';
import { RECORDS_STORE_NAME } from '../defaults/defaultsStore';
import { IInstanceStats, StatsAccumulator } from './stats';
import { CHUNKS_STORE } from '../storage/schema';
import { WebStorage, localStorageOrNull } from '../common/webStorage';

export const META_STORE = 'meta';
export const INFO_KEY = 'info';

/**
 * Stores JupyterLite 0.8 opens in an instance database (contents, settings,
 * workspaces, and localforage's own probe). Creating them with the database
 * means localforage never has to upgrade it, so two tabs opening a new
 * instance at once do not race on version changes.
 */
export const JUPYTERLITE_STORES = [
  'files',
  'counters',
  'checkpoints',
  'settings',
  'statedb',
  'local-forage-detect-blob-support'
] as const;

/**
 * Every store the app opens in an instance database: JupyterLite's and our
 * own. A store missing when the app opens the database makes localforage
 * upgrade it while JupyterLite is using it, and writes in flight then (the
 * saved layout, for one) can be lost.
 */
export const INSTANCE_STORES = [
  ...JUPYTERLITE_STORES,
  RECORDS_STORE_NAME,
  CHUNKS_STORE
] as const;

/** The stores of `INSTANCE_STORES` a database lacks. */
export function missingStores(present: Iterable<string>): string[] {
  const have = new Set(present);
  return INSTANCE_STORES.filter(name => !have.has(name));
}

/** localStorage key of the instance opened last. */
export const LAST_INSTANCE_KEY = 'luml-notebooks:last-instance';

/** localStorage key under which backups record when they last ran. */
export function lastBackupKey(id: string): string {
  return `luml-notebooks:last-backup:${id}`;
}

/** What the `meta` store says about an instance. */
export interface IInstanceInfo {
  readonly id: string;
  /** The name; empty when the database has no `meta` record. */
  readonly fullname: string;
  readonly createdAt: Date | null;
}

/** The record in `meta` under `info`; other fields are kept as found. */
interface IMetaInfo {
  createdAt?: unknown;
  fullname?: unknown;
  [key: string]: unknown;
}

/** An error whose message a user can act on. */
export class InstanceError extends Error {
  constructor(
    message: string,
    readonly reason: 'name' | 'not-found' | 'storage' | 'unsupported'
  ) {
    super(message);
    this.name = 'InstanceError';
  }
}

/** Serializes changes to the instance list across tabs (Web Locks). */
export interface ILockManager {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export interface IInstanceStoreOptions {
  indexedDB: IDBFactory;
  random: IRandomSource;
  /** Where the last used instance and backup times are kept. */
  storage?: WebStorage | null;
  locks?: ILockManager | null;
  now?: () => Date;
}

const LOCK_NAME = 'luml-notebooks:instances';

export class InstanceStore {
  constructor(options: IInstanceStoreOptions) {
    this._idb = options.indexedDB;
    this._random = options.random;
    this._storage = options.storage ?? null;
    this._locks = options.locks ?? null;
    this._now = options.now ?? (() => new Date());
  }

  /** Every instance of this browser, oldest first. */
  async list(): Promise<IInstanceInfo[]> {
    const ids = await this._instanceIds();
    const found = await Promise.all(ids.map(id => this.get(id)));
    const infos = found.filter((info): info is IInstanceInfo => !!info);
    return infos.sort(compareInstances);
  }

  /** The instance `id`, or null when this browser has no such instance. */
  async get(id: string): Promise<IInstanceInfo | null> {
    const db = await this._openExisting(id);
    if (!db) {
      return null;
    }
    try {
      const meta = await readMeta(db);
      return toInfo(id, meta);
    } finally {
      db.close();
    }
  }

  /** Whether this browser has the instance, without ever creating it. */
  async exists(id: string): Promise<boolean> {
    const db = await this._openExisting(id);
    db?.close();
    return !!db;
  }

  /**
   * Add the stores the app uses that instance `id` lacks (an instance made by
   * an older version, or by the platform), before the app opens it: one
   * upgrade here, with nobody else using the database, instead of one under
   * JupyterLite's feet.
   */
  async addMissingStores(id: string): Promise<void> {
    let db = await this._openExisting(id);
    if (!db) {
      throw notFound(id);
    }
    const missing = missingStores(Array.from(db.objectStoreNames));
    const version = db.version + 1;
    db.close();
    if (missing.length === 0) {
      return;
    }
    db = await upgrade(this._idb, databaseName(id), version, upgraded => {
      for (const name of missingStores(Array.from(upgraded.objectStoreNames))) {
        upgraded.createObjectStore(name);
      }
    });
    db.close();
  }

  /** Create an instance; the name must pass `checkInstanceName`. */
  async create(fullname: string): Promise<IInstanceInfo> {
    return this._locked(async () => {
      const others = (await this.list()).map(info => info.fullname);
      const check = checkInstanceName(fullname, others);
      if (!check.ok) {
        throw new InstanceError(check.message, 'name');
      }
      const id = newInstanceId(this._random);
      const createdAt = this._now();
      const info: IMetaInfo = {
        createdAt: createdAt.toISOString(),
        fullname: check.name
      };
      await this._createDatabase(id, info);
      return { id, fullname: check.name, createdAt };
    });
  }

  /** Give instance `id` a new name. */
  async rename(id: string, fullname: string): Promise<IInstanceInfo> {
    return this._locked(async () => {
      const all = await this.list();
      const current = all.find(info => info.id === id);
      if (!current) {
        throw notFound(id);
      }
      const others = all.filter(info => info.id !== id);
      const check = checkInstanceName(
        fullname,
        others.map(info => info.fullname)
      );
      if (!check.ok) {
        throw new InstanceError(check.message, 'name');
      }
      await this._writeMeta(id, meta => ({
        ...meta,
        createdAt: meta.createdAt ?? this._now().toISOString(),
        fullname: check.name
      }));
      return { ...current, fullname: check.name };
    });
  }

  /**
   * Delete every database of instance `id` and check that none is left.
   * `onBlocked` runs while another tab still holds the database open.
   */
  async delete(id: string, onBlocked?: () => void): Promise<void> {
    await this._locked(async () => {
      await new Promise<void>((resolve, reject) => {
        const request = this._idb.deleteDatabase(databaseName(id));
        request.onsuccess = () => resolve();
        request.onerror = () =>
          reject(
            new InstanceError(
              `The browser could not delete the instance: ${describe(request.error)}`,
              'storage'
            )
          );
        request.onblocked = () => onBlocked?.();
      });
      if ((await this._instanceIds()).includes(id)) {
        throw new InstanceError(
          'The browser still lists the instance after deleting it; reload and try again.',
          'storage'
        );
      }
      this._storage?.removeItem(lastBackupKey(id));
      if (this.lastUsed === id) {
        this._storage?.removeItem(LAST_INSTANCE_KEY);
      }
    });
  }

  /** Size, files, models and last change of instance `id`. */
  async stats(id: string): Promise<IInstanceStats> {
    const db = await this._openExisting(id);
    if (!db) {
      throw notFound(id);
    }
    try {
      const sums = new StatsAccumulator();
      await eachValue(db, 'files', value => sums.addFile(value));
      await eachValue(db, 'checkpoints', value => sums.addCheckpoints(value));
      return sums.stats;
    } finally {
      db.close();
    }
  }

  /** The instance opened last in this browser, if remembered. */
  get lastUsed(): string | null {
    try {
      return this._storage?.getItem(LAST_INSTANCE_KEY) ?? null;
    } catch {
      return null;
    }
  }

  set lastUsed(id: string | null) {
    try {
      if (id) {
        this._storage?.setItem(LAST_INSTANCE_KEY, id);
      } else {
        this._storage?.removeItem(LAST_INSTANCE_KEY);
      }
    } catch {
      // storage may be full or blocked: remembering is only a convenience
    }
  }

  /** When a backup of instance `id` last completed, if ever. */
  lastBackup(id: string): Date | null {
    let raw: string | null = null;
    try {
      raw = this._storage?.getItem(lastBackupKey(id)) ?? null;
    } catch {
      return null;
    }
    return parseDate(raw === null || isNaN(Number(raw)) ? raw : Number(raw));
  }

  private async _instanceIds(): Promise<string[]> {
    if (typeof this._idb.databases !== 'function') {
      throw new InstanceError(
        'This browser cannot list its databases, so it cannot manage instances. Update the browser.',
        'unsupported'
      );
    }
    const databases = await this._idb.databases();
    const ids = databases
      .map(db => (db.name ? instanceIdOf(db.name) : null))
      .filter((id): id is string => id !== null);
    return [...new Set(ids)];
  }

  /**
   * Open an instance database only if it exists: opening a missing one would
   * create it, so the creation is aborted and null returned.
   */
  private _openExisting(id: string): Promise<IDBDatabase | null> {
    return new Promise((resolve, reject) => {
      const request = this._idb.open(databaseName(id));
      request.addEventListener('upgradeneeded', event => {
        if ((event as IDBVersionChangeEvent).oldVersion === 0) {
          request.transaction?.abort();
        }
      });
      request.onsuccess = () => {
        const db = request.result;
        // never hold up another tab's upgrade or delete
        db.onversionchange = () => db.close();
        resolve(db);
      };
      request.onerror = event => {
        event.preventDefault();
        // An open without a version only upgrades a database that did not
        // exist, and that upgrade is aborted on purpose (here or by the
        // guard in a JupyterLab tab).
        if (request.error?.name === 'AbortError') {
          resolve(null);
        } else {
          reject(
            new InstanceError(
              `The browser could not open the instance: ${describe(request.error)}`,
              'storage'
            )
          );
        }
      };
    });
  }

  private _createDatabase(id: string, info: IMetaInfo): Promise<void> {
    return new Promise((resolve, reject) => {
      const request = this._idb.open(databaseName(id), 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore(META_STORE).put(info, INFO_KEY);
        for (const name of INSTANCE_STORES) {
          db.createObjectStore(name);
        }
      };
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
      request.onerror = event => {
        event.preventDefault();
        reject(
          new InstanceError(
            `The browser could not create the instance: ${describe(request.error)}`,
            'storage'
          )
        );
      };
    });
  }

  /** Update the `info` record, adding the `meta` store if it is missing. */
  private async _writeMeta(
    id: string,
    update: (meta: IMetaInfo) => IMetaInfo
  ): Promise<void> {
    let db = await this._openExisting(id);
    if (!db) {
      throw notFound(id);
    }
    if (!db.objectStoreNames.contains(META_STORE)) {
      const version = db.version + 1;
      db.close();
      db = await upgrade(this._idb, databaseName(id), version, upgraded => {
        upgraded.createObjectStore(META_STORE);
      });
    }
    try {
      const meta = (await readMeta(db)) ?? {};
      await request(
        db
          .transaction(META_STORE, 'readwrite')
          .objectStore(META_STORE)
          .put(update(meta), INFO_KEY)
      );
    } finally {
      db.close();
    }
  }

  private _locked<T>(callback: () => Promise<T>): Promise<T> {
    return this._locks ? this._locks.request(LOCK_NAME, callback) : callback();
  }

  private _idb: IDBFactory;
  private _random: IRandomSource;
  private _storage: IInstanceStoreOptions['storage'];
  private _locks: ILockManager | null;
  private _now: () => Date;
}

function compareInstances(a: IInstanceInfo, b: IInstanceInfo): number {
  const time = (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0);
  return (
    time || a.fullname.localeCompare(b.fullname) || a.id.localeCompare(b.id)
  );
}

function toInfo(id: string, meta: IMetaInfo | null): IInstanceInfo {
  return {
    id,
    fullname: typeof meta?.fullname === 'string' ? meta.fullname : '',
    createdAt: parseDate(meta?.createdAt)
  };
}

function parseDate(value: unknown): Date | null {
  if (typeof value !== 'string' && typeof value !== 'number') {
    return null;
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function notFound(id: string): InstanceError {
  return new InstanceError(
    `This browser has no instance with id “${id}”; it may have been deleted.`,
    'not-found'
  );
}

function describe(error: DOMException | null): string {
  return error ? `${error.name}: ${error.message}` : 'unknown error';
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function readMeta(db: IDBDatabase): Promise<IMetaInfo | null> {
  if (!db.objectStoreNames.contains(META_STORE)) {
    return null;
  }
  const value = await request(
    db.transaction(META_STORE, 'readonly').objectStore(META_STORE).get(INFO_KEY)
  );
  return value && typeof value === 'object' ? (value as IMetaInfo) : null;
}

function eachValue(
  db: IDBDatabase,
  storeName: string,
  visit: (value: unknown) => void
): Promise<void> {
  if (!db.objectStoreNames.contains(storeName)) {
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const cursor = db
      .transaction(storeName, 'readonly')
      .objectStore(storeName)
      .openCursor();
    cursor.onsuccess = () => {
      const current = cursor.result;
      if (!current) {
        resolve();
        return;
      }
      visit(current.value);
      current.continue();
    };
    cursor.onerror = () => reject(cursor.error);
  });
}

function upgrade(
  idb: IDBFactory,
  name: string,
  version: number,
  change: (db: IDBDatabase) => void
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = idb.open(name, version);
    req.onupgradeneeded = () => change(req.result);
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = event => {
      event.preventDefault();
      reject(
        new InstanceError(
          `The browser could not update the instance: ${describe(req.error)}`,
          'storage'
        )
      );
    };
  });
}

/** The instance store of this browser. */
export function browserInstanceStore(): InstanceStore {
  if (typeof indexedDB === 'undefined') {
    throw new Error('This browser has no IndexedDB storage.');
  }
  return new InstanceStore({
    indexedDB,
    random: crypto,
    storage: localStorageOrNull(),
    locks: navigator.locks ?? null
  });
}
