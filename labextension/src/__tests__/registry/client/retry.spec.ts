import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { textMessage } from '../../../common/messages';

import { RegistryError } from '../../../registry/client/registryErrors';
import { backoffDelay, withRetry } from '../../../registry/client/retry';

const FAST_RETRY = { retries: 3, baseDelayMs: 5, maxDelayMs: 20 };

describe('backoff and retry', () => {
  it('doubles the wait from the base, capped, with jitter between half and all', () => {
    const options = { baseDelayMs: 1000, maxDelayMs: 5000 };
    assert.deepEqual(
      [1, 2, 3, 4].map(a => backoffDelay(a, options, () => 1)),
      [1000, 2000, 4000, 5000]
    );
    assert.deepEqual(
      [1, 2, 3, 4].map(a => backoffDelay(a, options, () => 0)),
      [500, 1000, 2000, 2500]
    );
  });

  it('retries transient failures only, a few times', async () => {
    let calls = 0;
    const waits: number[] = [];
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) {
          throw new RegistryError('server', textMessage('boom'), {
            status: 503
          });
        }
        return 'ok';
      },
      FAST_RETRY,
      { onRetry: (_attempt, delay) => waits.push(delay) }
    );
    assert.equal(result, 'ok');
    assert.equal(calls, 3);
    assert.equal(waits.length, 2);

    calls = 0;
    await assert.rejects(
      withRetry(async () => {
        calls++;
        throw new RegistryError('rejected', textMessage('no'));
      }, FAST_RETRY),
      { kind: 'rejected' }
    );
    assert.equal(calls, 1);

    calls = 0;
    await assert.rejects(
      withRetry(async () => {
        calls++;
        throw new RegistryError('network', textMessage('down'));
      }, FAST_RETRY),
      { kind: 'network' }
    );
    assert.equal(calls, 4);
  });

  it('stops waiting at once when cancelled', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const promise = withRetry(
      async () => {
        throw new RegistryError('network', textMessage('down'));
      },
      { retries: 5, baseDelayMs: 60_000 },
      { signal: controller.signal }
    );
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(promise, { kind: 'cancelled' });
    assert.ok(Date.now() - started < 10_000);
  });

  it('waits at least what Retry-After asks', async () => {
    const waits: number[] = [];
    let calls = 0;
    await withRetry(
      async () => {
        if (calls++ === 0) {
          throw new RegistryError('rate-limited', textMessage('slow'), {
            status: 429,
            retryAfterMs: 50
          });
        }
      },
      FAST_RETRY,
      { onRetry: (_a, delay) => waits.push(delay) }
    );
    assert.deepEqual(waits, [50]);
  });
});
