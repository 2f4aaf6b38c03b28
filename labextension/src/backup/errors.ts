import { IMessage, IMessageCarrier, renderMessage } from '../common/messages';
import { backupMessage } from './messages';

/**
 * Why a backup or a restore stopped. Each code has a message a user can act
 * on; the code lets callers (and tests) tell the cases apart.
 */
export type BackupErrorCode =
  | 'not-a-zip'
  | 'truncated'
  | 'unsupported'
  | 'unsafe-path'
  | 'duplicate-path'
  | 'zip-bomb'
  | 'damaged'
  | 'crc-mismatch'
  | 'sha256-mismatch'
  | 'manifest'
  | 'conflict'
  | 'quota'
  | 'read-failed'
  | 'write-failed'
  | 'cancelled';

export class BackupError extends Error implements IMessageCarrier {
  /** `message` is the English text of `userMessage`. */
  constructor(
    readonly code: BackupErrorCode,
    readonly userMessage: IMessage
  ) {
    super(renderMessage(userMessage));
    this.name = 'BackupError';
  }
}

/** Throws a `cancelled` error when the signal is aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new BackupError('cancelled', backupMessage('cancelled'));
  }
}

// one test for a full disk, whether storage or the write guard reports it
export { isQuotaError } from '../storage/quotaGuard';

export { errorText as errorMessage } from '../common/errors';
