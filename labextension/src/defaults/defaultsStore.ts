import type { IEditRecord } from '.';

/**
 * Where the defaults tracker keeps what it knows, per instance.
 */
export interface IDefaultsStore {
  /** Paths that have a copy in browser storage; null when that cannot be told. */
  localCopies(): Promise<Set<string> | null>;
  records(): Promise<Map<string, IEditRecord>>;
  setRecord(path: string, record: IEditRecord): Promise<void>;
  removeRecord(path: string): Promise<void>;
}

/** The object store, beside the instance's files, that holds the records. */
export const RECORDS_STORE_NAME = 'luml-defaults';

/** The part of localforage the store uses. */
interface IForageInstance {
  keys(): Promise<string[]>;
  getItem<T>(key: string): Promise<T | null>;
  setItem<T>(key: string, value: T): Promise<T>;
  removeItem(key: string): Promise<void>;
  iterate<T, U>(callback: (value: T, key: string) => U): Promise<U>;
}

interface IForage {
  createInstance(options: Record<string, unknown>): IForageInstance;
}

/**
 * Records in a store of the instance's own database, so they go with the
 * instance (deleting the instance deletes them); the list of browser copies
 * from the drive's `files` store (keys only: no file content is read).
 */
export class BrowserDefaultsStore implements IDefaultsStore {
  constructor(options: BrowserDefaultsStore.IOptions) {
    const base = {
      name: options.storageName,
      version: 1,
      ...(options.drivers?.length ? { driver: options.drivers } : {})
    };
    this._files = options.localforage.createInstance({
      ...base,
      storeName: 'files'
    });
    this._records = options.localforage.createInstance({
      ...base,
      description: 'What LUML Notebooks knows about your copies of defaults',
      storeName: RECORDS_STORE_NAME
    });
  }

  async localCopies(): Promise<Set<string> | null> {
    try {
      return new Set(await this._files.keys());
    } catch (error) {
      console.warn('Could not list the files in browser storage', error);
      return null;
    }
  }

  async records(): Promise<Map<string, IEditRecord>> {
    const records = new Map<string, IEditRecord>();
    await this._records.iterate<IEditRecord, void>((value, key) => {
      if (value && typeof value.baseHash === 'string') {
        records.set(key, value);
      }
    });
    return records;
  }

  async setRecord(path: string, record: IEditRecord): Promise<void> {
    await this._records.setItem(path, record);
  }

  async removeRecord(path: string): Promise<void> {
    await this._records.removeItem(path);
  }

  private _files: IForageInstance;
  private _records: IForageInstance;
}

export namespace BrowserDefaultsStore {
  export interface IOptions {
    /** The localforage the app's drive uses (so both share connections). */
    localforage: IForage;
    /** The instance's contents storage name. */
    storageName: string;
    /** The drive's storage drivers, when the site sets them. */
    drivers?: string[] | null;
  }
}

/**
 * A store in memory: for a site without defaults, and for tests.
 */
export class MemoryDefaultsStore implements IDefaultsStore {
  /** Paths with a browser copy; null to act as if that could not be told. */
  copies: Set<string> | null = new Set();
  readonly saved = new Map<string, IEditRecord>();

  async localCopies(): Promise<Set<string> | null> {
    return this.copies ? new Set(this.copies) : null;
  }

  async records(): Promise<Map<string, IEditRecord>> {
    return new Map(this.saved);
  }

  async setRecord(path: string, record: IEditRecord): Promise<void> {
    this.saved.set(path, record);
  }

  async removeRecord(path: string): Promise<void> {
    this.saved.delete(path);
  }
}
