/**
 * Retrying transient Registry failures with exponential backoff and jitter,
 * honouring Retry-After, and stopping at once when cancelled.
 */

import { cancelledError, RegistryError } from './registryErrors';

export interface IRetryOptions {
  /** Tries after the first one (default 3). */
  retries?: number;
  /** Wait before the first retry, in ms (default 1000). */
  baseDelayMs?: number;
  /** Longest wait between tries, in ms (default 15000). */
  maxDelayMs?: number;
}

const DEFAULT_RETRY: Required<IRetryOptions> = {
  retries: 3,
  baseDelayMs: 1000,
  maxDelayMs: 15000
};

/**
 * The wait before retry number `attempt` (1-based): the base doubled each
 * time, capped, with "equal jitter" (between half and all of it) so many
 * clients do not retry in step.
 */
export function backoffDelay(
  attempt: number,
  options: IRetryOptions = {},
  random: () => number = Math.random
): number {
  const { baseDelayMs, maxDelayMs } = { ...DEFAULT_RETRY, ...options };
  const full = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(full / 2 + (random() * full) / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelledError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface IRetryHooks {
  signal?: AbortSignal;
  /** Called before each wait: which retry comes, after how long, and why. */
  onRetry?: (attempt: number, delayMs: number, error: RegistryError) => void;
  /** Which errors to retry (default: transient ones). */
  shouldRetry?: (error: RegistryError) => boolean;
  random?: () => number;
}

/** Run `task`, retrying transient `RegistryError`s with backoff. */
export async function withRetry<T>(
  task: (attempt: number) => Promise<T>,
  options: IRetryOptions = {},
  hooks: IRetryHooks = {}
): Promise<T> {
  const retries = options.retries ?? DEFAULT_RETRY.retries;
  const shouldRetry = hooks.shouldRetry ?? ((e: RegistryError) => e.transient);
  for (let attempt = 0; ; attempt++) {
    if (hooks.signal?.aborted) {
      throw cancelledError();
    }
    try {
      return await task(attempt);
    } catch (error) {
      if (
        !(error instanceof RegistryError) ||
        attempt >= retries ||
        !shouldRetry(error) ||
        hooks.signal?.aborted
      ) {
        throw error;
      }
      const delay = Math.max(
        backoffDelay(attempt + 1, options, hooks.random),
        Math.min(error.options.retryAfterMs ?? 0, 60_000)
      );
      hooks.onRetry?.(attempt + 1, delay, error);
      await sleep(delay, hooks.signal);
    }
  }
}
