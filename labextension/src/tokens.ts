import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import type { DefaultState, IContentDiff } from './defaults';
import type {
  BackupReader,
  IBackupContents,
  IBackupInstance,
  IRestoreLimits,
  IRestorePreview,
  IRestoreResult
} from './backup';
import type {
  IBackupOutcome,
  IBackupRequest,
  IRestoreRequest
} from './backupService';
import type { IPushRecord, PushRecords } from './pushRecords';
import type {
  IPreparedModel,
  IPushOptions,
  IPushProgress,
  IPushResult
} from './pushService';
import { LumlReadResult } from './format';
import type { RegistryClient } from './registryClient';
import type { IConnectionReport, KeySource } from './registryConnection';

/**
 * Where the app runs: entirely in the browser (JupyterLite) or against a
 * Jupyter server. Features that only make sense in one of them ask this.
 */
export type HostKind = 'browser' | 'server';

/**
 * Facts about the deployed site, fixed at build time.
 */
export interface ISiteInfo {
  /** The product name shown to users. */
  readonly productName: string;
  /** The version of the site build (the Python package's version). */
  readonly siteVersion: string;
  /** Where the app runs. */
  readonly host: HostKind;
  /** Where the Python runtime is loaded from. */
  readonly pyodideSource: 'vendored' | 'cdn' | 'none';
}

export const ISiteInfo = new Token<ISiteInfo>(
  'luml-notebooks:ISiteInfo',
  'Facts about the deployed LUML Notebooks site, fixed at build time.'
);

export type { DefaultState };

/**
 * One default file and its state.
 */
export interface IDefaultStatus {
  /** The file's path in the instance. */
  readonly path: string;
  readonly state: DefaultState;
  /** sha256 of the version the site ships now. */
  readonly shippedHash: string;
  /** sha256 of the shipped version the user's copy started from, when known. */
  readonly baseHash: string | null;
}

/**
 * The shipped version of a default compared with the user's copy: cells
 * (type and source) for notebooks, lines for other text.
 */
export interface IDefaultComparison extends IContentDiff {
  readonly path: string;
  readonly state: DefaultState;
}

/**
 * The site's default files (the notebooks and data every instance starts
 * with) and where the user's copies stand against the shipped versions.
 */
export interface IDefaultNotebooks {
  /** Whether the site ships defaults (never with a Jupyter server). */
  readonly enabled: boolean;
  /** Resolves when every default's state is first known. */
  readonly ready: Promise<void>;
  /** Emitted when a state changes. */
  readonly changed: ISignal<IDefaultNotebooks, void>;
  /** Every default with its state, by path. */
  readonly statuses: ReadonlyArray<IDefaultStatus>;
  /** Whether a path is a default file. */
  isDefault(path: string): boolean;
  /** A default's state; null if the path is not a default. */
  status(path: string): IDefaultStatus | null;
  /** Check every default again. */
  refresh(): Promise<void>;
  /** The difference between the shipped version and the user's copy. */
  compare(path: string): Promise<IDefaultComparison>;
  /** Where a reset would keep the user's copy (`<name>-my-edits.<ext>`). */
  keptCopyPath(path: string): Promise<string>;
  /**
   * Bring back the shipped version. With `keepCopy`, the user's copy is first
   * saved beside it and checked; it is never lost when something fails.
   */
  reset(
    path: string,
    options: { keepCopy: boolean }
  ): Promise<{ path: string; keptAs: string | null }>;
  /**
   * Defaults with a newer shipped version the user has not been told about;
   * they count as told from now on.
   */
  takeUpdateNotices(): Promise<IDefaultStatus[]>;
}

export const IDefaultNotebooks = new Token<IDefaultNotebooks>(
  'luml-notebooks:IDefaultNotebooks',
  'The default files shipped with the site and the state of the user copies.'
);

/**
 * Backup of an instance's files to one zip, and restore from one. The
 * current instance is the default; every method also takes another
 * instance's contents, for the instances page.
 */
export interface IBackupService {
  /** The instance backed up by default. */
  instance: IBackupInstance;
  /** Emits when a backup completes. */
  readonly backedUp: ISignal<
    IBackupService,
    { instanceId: string; time: Date }
  >;
  /** When an instance (the current one by default) was last backed up here. */
  lastBackupTime(instanceId?: string): Date | null;
  backup(request?: IBackupRequest): Promise<IBackupOutcome>;
  open(file: Blob, limits?: Partial<IRestoreLimits>): Promise<BackupReader>;
  preview(
    reader: BackupReader,
    contents?: IBackupContents
  ): Promise<IRestorePreview>;
  restore(
    reader: BackupReader,
    request: IRestoreRequest
  ): Promise<IRestoreResult>;
}

export const IBackupService = new Token<IBackupService>(
  'luml-notebooks:IBackupService',
  "Backs up an instance's files to one zip and restores them from one."
);

/**
 * An instance of this browser, as listed for switching.
 */
export interface IInstanceSummary {
  readonly id: string;
  /** The name; empty for a database made without one. */
  readonly fullname: string;
  readonly createdAt: Date | null;
}

/**
 * The instance this JupyterLab tab shows.
 */
export interface ICurrentInstance {
  readonly id: string;
  /** The name as shown (a placeholder when the instance has none). */
  readonly name: string;
  /** True once the instance was deleted (in another tab or window). */
  readonly deleted: boolean;
  /** Emits when the name changes or the instance is deleted. */
  readonly changed: ISignal<ICurrentInstance, void>;
  /** Rename; rejects with a message a user can act on. */
  rename(fullname: string): Promise<void>;
  /** The names of the other instances (a new name must differ). */
  otherNames(): Promise<string[]>;
  /** Check that the instance still exists; marks it deleted if not. */
  check(): Promise<boolean>;
}

/**
 * The instances of this browser, seen from JupyterLab.
 */
export interface IInstances {
  /** The instance of this tab; null when JupyterLab runs on a server. */
  readonly current: ICurrentInstance | null;
  /** Every instance of this browser, oldest first. */
  list(): Promise<IInstanceSummary[]>;
  /** The link that opens instance `id`. */
  link(id: string): string;
  /** The instances page. */
  readonly pageUrl: string;
}

export const IInstances = new Token<IInstances>(
  'luml-notebooks:IInstances',
  "The browser's notebook instances and the one this tab shows."
);

/**
 * A model file found in the instance's storage, with what its headers say.
 */
export interface IDiscoveredModel {
  /** Path in the contents manager (no leading slash). */
  readonly path: string;
  /** The file name (last path segment). */
  readonly name: string;
  /** File size in bytes. */
  readonly size: number;
  /** ISO 8601 time of the last change, as the contents manager reports it. */
  readonly lastModified: string;
  /** The metadata, or why the file could not be read as a model. */
  readonly result: LumlReadResult;
}

/**
 * What changed in the list of models since the last `changed` emission.
 */
export interface IModelsChange {
  /** Paths added, updated or removed. */
  readonly paths: readonly string[];
  /** Models that moved without a change of content. */
  readonly renamed: readonly { oldPath: string; newPath: string }[];
}

/**
 * Knows every model file (`.luml`, `.dfs`, `.fnnx`, `.pyfnx`) of the instance
 * and keeps the list current as files are saved, renamed and deleted, in this
 * tab and in other tabs of the same instance.
 */
export interface IModelDiscovery {
  /** Emitted when the list of models (or the scan state) changes. */
  readonly changed: ISignal<IModelDiscovery, IModelsChange>;
  /** Known models, sorted by path. */
  readonly models: readonly IDiscoveredModel[];
  /** Resolves when the first full scan is done. */
  readonly ready: Promise<void>;
  /** True while a full scan walks the folders. */
  readonly scanning: boolean;
  /** Paths of model files waiting to be read (or being read). */
  readonly pending: readonly string[];
  /** The model at a path, if known. */
  get(path: string): IDiscoveredModel | undefined;
  /**
   * Check a file or folder again (the whole instance without a path) and
   * update the list; resolves when done.
   */
  refresh(path?: string): Promise<void>;
}

export const IModelDiscovery = new Token<IModelDiscovery>(
  'luml-notebooks:IModelDiscovery',
  'Knows the model files of the instance and their metadata.'
);

/**
 * Which LUML Registry the site talks to, with which API key. The URL comes
 * from the settings (or the site's build); the key is kept in this browser
 * only, per Registry URL, never in settings, notebooks or URLs.
 */
export interface IRegistryConnection {
  /** The Registry URL in use. */
  readonly url: string;
  /** The URL the site was built with (or the hosted platform). */
  readonly defaultUrl: string;
  /** Why the user's URL setting is ignored, if it is. */
  readonly urlProblem: string | undefined;
  /** Where the key in use comes from. */
  readonly keySource: KeySource;
  /** Emitted when the URL or the key changes. */
  readonly changed: ISignal<any, void>;
  /** Resolves once a key served by the local Registry (if any) is known. */
  readonly ready: Promise<void>;
  /** Remember a key for the current URL (null forgets it). */
  setApiKey(key: string | null): void;
  /** A client bound to the current URL and key. */
  createClient(): RegistryClient;
  /** Validate the key and list the organizations it sees. */
  testConnection(signal?: AbortSignal): Promise<IConnectionReport>;
}

export const IRegistryConnection = new Token<IRegistryConnection>(
  'luml-notebooks:IRegistryConnection',
  'The LUML Registry the site pushes to, and its API key.'
);

/**
 * Pushes model files of this instance to the Registry and remembers what was
 * pushed where ("in the Registry"). The Models panel and the file browser
 * open the push dialog with the `luml-notebooks:push-model` command.
 */
export interface IModelPusher {
  /** Emitted after each successful push. */
  readonly pushed: ISignal<any, IPushResult>;
  /** What this instance pushed; `changed` fires on every new record. */
  readonly records: PushRecords;
  /** Read, check and hash a model file (never changes it). */
  prepare(
    path: string,
    options?: {
      signal?: AbortSignal;
      onProgress?: (progress: IPushProgress) => void;
    }
  ): Promise<IPreparedModel>;
  /** Create the artifact, upload, confirm; throws a `PushError`. */
  push(model: IPreparedModel, options: IPushOptions): Promise<IPushResult>;
  /** An earlier push of these bytes to that collection, if any. */
  findDuplicate(
    model: IPreparedModel,
    registryUrl: string,
    collectionId: string
  ): IPushRecord | undefined;
  /**
   * Open the push dialog for a model file (the `push-model` command calls
   * this); resolves with the result, or undefined when the user closed it.
   */
  openPushDialog(path: string): Promise<IPushResult | undefined>;
}

export const IModelPusher = new Token<IModelPusher>(
  'luml-notebooks:IModelPusher',
  'Pushes model files to the LUML Registry and remembers what was pushed.'
);
