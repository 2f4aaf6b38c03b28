import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

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
