import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { alwaysAsync, installWaitAsyncShim } from '../../kernel/waitAsyncShim';

describe('waitAsync shim', () => {
  it('turns a synchronous not-equal answer into a resolved promise', async () => {
    const native = () => ({ async: false, value: 'not-equal' });
    const result = alwaysAsync(native)(new Int32Array(1), 0, 0);
    assert.equal(result.async, true);
    assert.equal(await result.value, 'not-equal');
  });

  it('passes an asynchronous answer through unchanged', () => {
    const promise = Promise.resolve('ok');
    const native = () => ({ async: true, value: promise });
    assert.equal(alwaysAsync(native)(new Int32Array(1), 0, 0).value, promise);
  });

  it('works on the real Atomics when the value already changed', async () => {
    const atomics = { waitAsync: Atomics.waitAsync };
    assert.equal(installWaitAsyncShim(atomics), true);
    const cell = new Int32Array(new SharedArrayBuffer(4));
    cell[0] = 1;
    const result = atomics.waitAsync(cell, 0, 0);
    assert.equal(await result.value, 'not-equal');
  });

  it('installs once and skips a runtime without waitAsync', () => {
    const atomics = { waitAsync: () => ({ async: true, value: 1 }) };
    installWaitAsyncShim(atomics);
    const first = atomics.waitAsync;
    installWaitAsyncShim(atomics);
    assert.equal(atomics.waitAsync, first);
    assert.equal(installWaitAsyncShim({}), false);
  });
});
