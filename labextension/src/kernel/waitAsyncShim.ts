/**
 * `Atomics.waitAsync` answers synchronously (`{async: false, value:
 * 'not-equal'}`) when the worker has already written its reply. The channel
 * that the Pyodide kernel uses in a cross-origin isolated page assumes a
 * promise in every case, so that race makes a kernel call throw "value.then is
 * not a function" and hang. Wrapping the result in a resolved promise keeps the
 * meaning ("already done") and lets the faster SharedArrayBuffer channel work.
 */

type WaitAsync = (
  typedArray: Int32Array | BigInt64Array,
  index: number,
  value: number | bigint,
  timeout?: number
) => { async: boolean; value: any };

const SHIMMED = Symbol.for('luml-notebooks:waitAsync-shimmed');

/** Return a `waitAsync` that always answers with a promise. */
export function alwaysAsync(native: WaitAsync): WaitAsync {
  const wrapped: WaitAsync = (typedArray, index, value, timeout) => {
    const result = native(typedArray, index, value, timeout);
    return result.async
      ? result
      : { async: true, value: Promise.resolve(result.value) };
  };
  (wrapped as any)[SHIMMED] = true;
  return wrapped;
}

/** Install the wrapper on `atomics` once; return whether it is in place. */
export function installWaitAsyncShim(atomics: any): boolean {
  const native = atomics?.waitAsync;
  if (typeof native !== 'function') {
    return false;
  }
  if (!native[SHIMMED]) {
    atomics.waitAsync = alwaysAsync(native.bind(atomics));
  }
  return true;
}
