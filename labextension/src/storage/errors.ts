/**
 * Failed writes, told so a user can act on them. The drive never leaves a
 * file half-written: a failed write keeps the previous content.
 */

import { IMessage, IMessageCarrier, renderMessage } from '../common/messages';
import { storageMessage } from './messages';

/** Why a write failed; each maps to the errno Python gets. */
export type WriteFailure = 'quota' | 'too-large' | 'storage';

/** The errno name (Emscripten's `ERRNO_CODES`) for each failure. */
export const FAILURE_ERRNO: Record<WriteFailure, string> = {
  quota: 'ENOSPC',
  'too-large': 'EFBIG',
  storage: 'EIO'
};

function describe(error: unknown): string {
  if (error instanceof Error || error instanceof DOMException) {
    return error.message || error.name;
  }
  return String(error);
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** What failed and why, with the browser's error as `cause`. */
export class StorageWriteError extends Error implements IMessageCarrier {
  /** `message` is the English text of `userMessage`. */
  constructor(
    readonly path: string,
    readonly failure: WriteFailure,
    readonly userMessage: IMessage,
    readonly cause?: unknown
  ) {
    super(renderMessage(userMessage));
    // the quota guard and callers recognise a full disk by this name
    this.name =
      failure === 'quota' ? 'QuotaExceededError' : 'StorageWriteError';
  }

  get errno(): string {
    return FAILURE_ERRNO[this.failure];
  }
}

function isQuota(error: unknown): boolean {
  const { name, message } = (error ?? {}) as {
    name?: unknown;
    message?: unknown;
  };
  return (
    name === 'QuotaExceededError' ||
    (typeof message === 'string' && /quota/i.test(message))
  );
}

function isTooLarge(error: unknown): boolean {
  const { message } = (error ?? {}) as { message?: unknown };
  return typeof message === 'string' && /too large/i.test(message);
}

/** `error`, from writing `size` bytes to `path`, as a `StorageWriteError`. */
export function writeError(
  path: string,
  size: number,
  error: unknown
): StorageWriteError {
  if (error instanceof StorageWriteError) {
    return error;
  }
  const what = { path, size: mib(size) };
  if (isQuota(error)) {
    return new StorageWriteError(
      path,
      'quota',
      storageMessage('writeNoSpace', what),
      error
    );
  }
  if (isTooLarge(error)) {
    return new StorageWriteError(
      path,
      'too-large',
      storageMessage('writeRefused', { ...what, problem: describe(error) }),
      error
    );
  }
  return new StorageWriteError(
    path,
    'storage',
    storageMessage('writeFailed', { ...what, problem: describe(error) }),
    error
  );
}
