/**
 * Clear messages when a write fails because browser storage is full (or
 * the instance is gone). IndexedDB refuses a write
 * that would pass the quota and aborts its transaction, so the record that
 * was there stays as it was: the message can say so.
 */
import { IMessage, IMessageCarrier, renderMessage } from '../common/messages';
import { storageMessage } from './messages';
import type { Contents } from '@jupyterlab/services';

/**
 * Whether `error` is the browser refusing a write for lack of space, as it
 * comes from storage or already explained by the write guard.
 */
export function isQuotaError(error: unknown): boolean {
  if (!error || typeof error !== 'object') {
    return false;
  }
  if (error instanceof StorageFullError) {
    return true;
  }
  const { name, code, message } = error as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
  };
  return (
    name === 'QuotaExceededError' ||
    name === 'NS_ERROR_DOM_QUOTA_REACHED' ||
    code === 22 ||
    (typeof message === 'string' && /quota/i.test(message))
  );
}

/** The message shown when `path` could not be written. */
function storageFullMessage(path: string): IMessage {
  return path
    ? storageMessage('full', { path })
    : storageMessage('fullUnnamed');
}

/** An Error with the clear message, keeping the browser's error as cause. */
export class StorageFullError extends Error implements IMessageCarrier {
  readonly userMessage: IMessage;

  constructor(
    readonly path: string,
    readonly cause: unknown
  ) {
    const userMessage = storageFullMessage(path);
    super(renderMessage(userMessage));
    this.userMessage = userMessage;
    this.name = 'StorageFullError';
  }
}

type WritingMethod =
  'save' | 'newUntitled' | 'copy' | 'rename' | 'createCheckpoint';

const WRITING_METHODS: readonly WritingMethod[] = [
  'save',
  'newUntitled',
  'copy',
  'rename',
  'createCheckpoint'
];

/** A write refused because the tab's instance was deleted. */
export class InstanceDeletedError extends Error implements IMessageCarrier {
  readonly userMessage: IMessage;

  constructor(
    readonly path: string,
    readonly cause: unknown
  ) {
    const userMessage = path
      ? storageMessage('instanceDeleted', { path })
      : storageMessage('instanceDeletedUnnamed');
    super(renderMessage(userMessage));
    this.userMessage = userMessage;
    this.name = 'InstanceDeletedError';
  }
}

export interface IWriteGuardOptions {
  /** Called each time a write fails for lack of space. */
  onFull: (error: StorageFullError) => void;
  /** Whether the tab's instance was deleted (writes then fail). */
  isDeleted: () => boolean;
}

/**
 * Make the drive's writing methods fail with clear errors instead of the
 * browser's terse ones: `StorageFullError` when storage is full,
 * `InstanceDeletedError` once the instance is gone.
 */
export function guardDriveWrites(
  drive: Contents.IDrive,
  options: IWriteGuardOptions
): void {
  const target = drive as unknown as Record<
    WritingMethod,
    (...args: unknown[]) => Promise<unknown>
  >;
  for (const method of WRITING_METHODS) {
    const original = target[method];
    if (typeof original !== 'function') {
      continue;
    }
    target[method] = async (...args: unknown[]) => {
      try {
        return await original.apply(drive, args);
      } catch (error) {
        const path = method === 'newUntitled' ? '' : String(args[0] ?? '');
        if (options.isDeleted()) {
          throw new InstanceDeletedError(path, error);
        }
        if (!isQuotaError(error)) {
          throw error;
        }
        const full = new StorageFullError(path, error);
        options.onFull(full);
        throw full;
      }
    };
  }
}
