import { ISignal, Signal } from '@lumino/signaling';

import {
  BackupError,
  BackupReader,
  BackupWriter,
  backupFileName,
  BlobRandomAccess,
  IBackupContents,
  IBackupInstance,
  IBackupProgress,
  IBackupSummary,
  IInstanceListing,
  IRestoreLimits,
  IRestorePreview,
  IRestoreProgress,
  IRestoreResult,
  ConflictPolicy,
  Restorer,
  IZipSink
} from '.';
import { backupMessage } from './messages';
import { IBackupService } from './tokens';

export type SaveMethod = 'picker' | 'download';

export interface IBackupRequest {
  /** The instance to back up; the current one by default. */
  instance?: IBackupInstance;
  /** Its files; the current instance's by default. */
  contents?: IBackupContents;
  signal?: AbortSignal;
  onProgress?: (progress: IBackupProgress) => void;
  /**
   * `picker` asks where to save and writes there as the zip is produced
   * (where the browser has `showSaveFilePicker`); `download` builds a Blob.
   * Default: the picker when available.
   */
  saveWith?: SaveMethod;
}

export interface IBackupOutcome extends IBackupSummary {
  fileName: string;
  savedWith: SaveMethod;
}

export interface IRestoreRequest {
  policy: ConflictPolicy;
  contents?: IBackupContents;
  signal?: AbortSignal;
  onProgress?: (progress: IRestoreProgress) => void;
}

/** Bytes held in the JS heap before they move into a Blob part. */
const BLOB_PART = 4 * 1024 * 1024;
/** Bytes gathered before one write to a picked file (each write is a round trip). */
const FILE_BATCH = 4 * 1024 * 1024;
const LAST_BACKUP_KEY = 'luml-notebooks:last-backup:';

interface ISaveFilePicker {
  (options: {
    suggestedName: string;
    types: { description: string; accept: Record<string, string[]> }[];
  }): Promise<{
    createWritable(): Promise<{
      write(data: Blob): Promise<void>;
      close(): Promise<void>;
      abort(): Promise<void>;
    }>;
  }>;
}

/**
 * Backs up an instance to one zip and restores zips into an instance. The
 * current instance is the default; the instances page can pass any other
 * instance's contents.
 */
export class BackupService implements IBackupService {
  constructor(options: BackupService.IOptions) {
    this._contents = options.contents;
    this._siteVersion = options.siteVersion;
    this._instance = options.instance;
    this._storage = options.storage ?? globalThis.localStorage;
    this._list = options.list;
    this._readBytes = options.readBytes;
    this._openStorage = options.openStorage;
    this._browserStorage = options.browserStorage ?? true;
  }

  /** The instance backed up by default. */
  get instance(): IBackupInstance {
    return this._instance;
  }

  set instance(instance: IBackupInstance) {
    this._instance = instance;
  }

  /** Emits the instance id and time whenever a backup completes. */
  get backedUp(): ISignal<this, { instanceId: string; time: Date }> {
    return this._backedUp;
  }

  /** When the instance was last backed up in this browser, if ever. */
  lastBackupTime(instanceId = this._instance.id): Date | null {
    const value = this._storage?.getItem(LAST_BACKUP_KEY + instanceId);
    const time = value ? new Date(value) : null;
    return time && !isNaN(time.getTime()) ? time : null;
  }

  async backup(request: IBackupRequest = {}): Promise<IBackupOutcome> {
    const instance = request.instance ?? this._instance;
    const now = new Date();
    const fileName = backupFileName(instance.name, now);
    const picker = (globalThis as any).showSaveFilePicker as
      ISaveFilePicker | undefined;
    const usePicker =
      typeof picker === 'function' && request.saveWith !== 'download';
    // the picker needs the user's click: ask before anything is awaited
    const sink = usePicker
      ? await FileSink.create(picker, fileName)
      : new BlobSink();
    let stored: IOpenedStorage | null | undefined = null;
    try {
      // the fast listing knows the current instance's storage only; that
      // storage is read directly when it can be, so a large file moves in
      // chunks, never as one string (V8 stops near 383 MiB of base64)
      stored = request.contents ? null : await this._openStorage?.();
      const writer = request.contents
        ? new BackupWriter(request.contents)
        : new BackupWriter(
            stored ?? this._contents,
            this._list,
            stored ? undefined : this._readBytes
          );
      const summary = await writer.write(sink, {
        instance,
        siteVersion: this._siteVersion,
        now,
        signal: request.signal,
        onProgress: request.onProgress
      });
      if (sink instanceof FileSink) {
        await sink.close();
      } else {
        downloadBlob(sink.finish(), fileName);
      }
      this._storage?.setItem(LAST_BACKUP_KEY + instance.id, now.toISOString());
      this._backedUp.emit({ instanceId: instance.id, time: now });
      return {
        ...summary,
        fileName,
        savedWith: usePicker ? 'picker' : 'download'
      };
    } catch (error) {
      await sink.abort();
      throw error;
    } finally {
      stored?.close();
    }
  }

  /** Opens a picked zip, checking all that can be checked without expanding it. */
  open(file: Blob, limits?: Partial<IRestoreLimits>): Promise<BackupReader> {
    return BackupReader.open(new BlobRandomAccess(file), { limits });
  }

  preview(
    reader: BackupReader,
    contents?: IBackupContents
  ): Promise<IRestorePreview> {
    return this._restorer(contents).preview(reader);
  }

  async restore(
    reader: BackupReader,
    request: IRestoreRequest
  ): Promise<IRestoreResult> {
    return this._restorer(request.contents).restore(reader, {
      policy: request.policy,
      signal: request.signal,
      onProgress: request.onProgress,
      // a server's disk is not the browser's quota
      availableBytes: this._browserStorage
        ? await availableStorage()
        : undefined
    });
  }

  /**
   * Raw reads apply to this instance's own contents only; a server's disk
   * may fold case (Windows, macOS), browser storage never does.
   */
  private _restorer(contents?: IBackupContents): Restorer {
    return contents
      ? new Restorer(contents)
      : new Restorer(this._contents, this._readBytes, {
          foldsCase: !this._browserStorage
        });
  }

  private readonly _contents: IBackupContents;
  private readonly _siteVersion: string;
  private _instance: IBackupInstance;
  private readonly _storage: Storage | undefined;
  private readonly _list: BackupService.IOptions['list'];
  private readonly _readBytes: BackupService.IOptions['readBytes'];
  private readonly _openStorage: BackupService.IOptions['openStorage'];
  private readonly _browserStorage: boolean;
  private readonly _backedUp = new Signal<
    this,
    { instanceId: string; time: Date }
  >(this);
}

/** Storage opened for one backup, closed when it ends. */
export interface IOpenedStorage extends IBackupContents {
  close(): void;
}

export namespace BackupService {
  export interface IOptions {
    contents: IBackupContents;
    siteVersion: string;
    instance: IBackupInstance;
    /** Where the last backup time is remembered (localStorage by default). */
    storage?: Storage;
    /** A listing of `contents` that reads no file (see listBrowserStorage). */
    list?: () => Promise<IInstanceListing | null>;
    /** A file's raw bytes (a Jupyter server's `/files/`), when they can be had. */
    readBytes?: (path: string) => Promise<Uint8Array>;
    /** The current instance's browser storage, read directly for a backup. */
    openStorage?: () => Promise<IOpenedStorage>;
    /** Whether files live in browser storage, under its quota (default). */
    browserStorage?: boolean;
  }
}

/** The space the site may still use, when the browser says. */
async function availableStorage(): Promise<number | undefined> {
  try {
    const estimate = await navigator.storage?.estimate?.();
    if (estimate?.quota !== undefined && estimate.usage !== undefined) {
      return Math.max(0, estimate.quota - estimate.usage);
    }
  } catch {
    // no estimate: the restore still rolls back if a write fails
  }
  return undefined;
}

/** Collects the zip as Blob parts: the bytes leave the JS heap as they come. */
class BlobSink implements IZipSink {
  private readonly _parts: Blob[] = [];
  private _pending: Uint8Array[] = [];
  private _pendingBytes = 0;

  write(chunk: Uint8Array): void {
    this._pending.push(chunk);
    this._pendingBytes += chunk.length;
    if (this._pendingBytes >= BLOB_PART) {
      this._seal();
    }
  }

  finish(): Blob {
    this._seal();
    return new Blob(this._parts, { type: 'application/zip' });
  }

  async abort(): Promise<void> {
    this._parts.length = 0;
    this._pending = [];
  }

  private _seal(): void {
    if (this._pending.length) {
      this._parts.push(new Blob(this._pending as BlobPart[]));
      this._pending = [];
      this._pendingBytes = 0;
    }
  }
}

/** Writes the zip into the file the user picked, as it is produced. */
class FileSink implements IZipSink {
  static async create(picker: ISaveFilePicker, fileName: string) {
    let handle;
    try {
      handle = await picker({
        suggestedName: fileName,
        types: [
          {
            description: 'Zip archive',
            accept: { 'application/zip': ['.zip'] }
          }
        ]
      });
    } catch (error) {
      if ((error as Error)?.name === 'AbortError') {
        throw new BackupError('cancelled', backupMessage('noFileChosen'));
      }
      throw error;
    }
    return new FileSink(await handle.createWritable());
  }

  private constructor(
    private readonly _writable: Awaited<
      ReturnType<Awaited<ReturnType<ISaveFilePicker>>['createWritable']>
    >
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    this._pending.push(chunk);
    this._pendingBytes += chunk.length;
    if (this._pendingBytes >= FILE_BATCH) {
      await this._flush();
    }
  }

  async close(): Promise<void> {
    await this._flush();
    await this._writable.close();
  }

  /** Leaves the picked file as it was (the browser drops its temp file). */
  async abort(): Promise<void> {
    this._pending = [];
    await this._writable.abort().catch(() => undefined);
  }

  private async _flush(): Promise<void> {
    if (this._pending.length) {
      const blob = new Blob(this._pending as BlobPart[]);
      this._pending = [];
      this._pendingBytes = 0;
      await this._writable.write(blob);
    }
  }

  private _pending: Uint8Array[] = [];
  private _pendingBytes = 0;
}

function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // the download reads the Blob after this task: release it later
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
