/**
 * Failed writes, told so a user can act on them. The drive never leaves a
 * file half-written: a failed write keeps the previous content.
 */

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
export class StorageWriteError extends Error {
  constructor(
    readonly path: string,
    readonly failure: WriteFailure,
    message: string,
    readonly cause?: unknown
  ) {
    super(message);
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
  const what = `“${path}” (${mib(size)})`;
  const kept = 'The file keeps its previous content.';
  if (isQuota(error)) {
    return new StorageWriteError(
      path,
      'quota',
      `Not enough browser storage to save ${what}. ${kept} Free space by ` +
        'deleting files or instances you no longer need, then save again.',
      error
    );
  }
  if (isTooLarge(error)) {
    return new StorageWriteError(
      path,
      'too-large',
      `The browser refused to store ${what}: ${describe(error)}. ${kept}`,
      error
    );
  }
  return new StorageWriteError(
    path,
    'storage',
    `The browser could not save ${what}: ${describe(error)}. ${kept}`,
    error
  );
}
