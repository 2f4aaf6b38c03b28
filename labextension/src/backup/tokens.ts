import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import type { BackupReader, IRestoreLimits } from './backupReader';
import type { IBackupContents } from './contents';
import type { IBackupInstance } from './manifest';
import type { IRestorePreview, IRestoreResult } from './restore';
import type {
  IBackupOutcome,
  IBackupRequest,
  IRestoreRequest
} from './backupService';

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
