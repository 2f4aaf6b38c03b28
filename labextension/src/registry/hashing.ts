import {
  digestBase64,
  DigestAborted,
  DigestMessage,
  IDigest,
  yieldToEventLoop
} from './base64Digest';

/** Below this many bytes, hashing on the main thread takes a few ms. */
export const WORKER_MIN_BYTES = 4 * 1024 * 1024;

export interface IDigestJob {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface IDigestResult extends IDigest {
  /** Where the work ran (shown in benchmarks, useful when debugging). */
  ranIn: 'worker' | 'main-thread';
}

/**
 * sha256 and the bytes of a base64 file: in a Web Worker for large files, so
 * the page stays responsive; on the main thread in 3 MiB steps that yield to
 * the event loop when the file is small or no worker can start.
 */
export async function digestFile(
  base64: string,
  job: IDigestJob = {}
): Promise<IDigestResult> {
  if (
    base64.length * 0.75 >= WORKER_MIN_BYTES &&
    typeof Worker !== 'undefined'
  ) {
    const inWorker = await digestInWorker(base64, job);
    if (inWorker) {
      return inWorker;
    }
  }
  const digest = await digestBase64(base64, {
    ...job,
    pause: yieldToEventLoop
  });
  return { ...digest, ranIn: 'main-thread' };
}

let nextId = 1;

/** Resolves undefined when the worker cannot start (then hash here). */
function digestInWorker(
  base64: string,
  job: IDigestJob
): Promise<IDigestResult | undefined> {
  let worker: Worker;
  try {
    // the bundler emits the worker as its own chunk next to the extension
    worker = new Worker(new URL('./hashWorker.js', import.meta.url));
  } catch {
    return Promise.resolve(undefined);
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    let started = false;
    const finish = () => {
      job.signal?.removeEventListener('abort', onAbort);
      worker.terminate();
    };
    const onAbort = () => {
      finish();
      reject(new DigestAborted());
    };
    if (job.signal?.aborted) {
      onAbort();
      return;
    }
    job.signal?.addEventListener('abort', onAbort, { once: true });
    worker.onmessage = (event: MessageEvent<DigestMessage>) => {
      const message = event.data;
      if (message.id !== id) {
        return;
      }
      started = true;
      if (message.type === 'progress') {
        job.onProgress?.(message.done, message.total);
      } else if (message.type === 'done') {
        finish();
        resolve({
          sha256: message.sha256,
          size: message.size,
          blob: message.blob,
          ranIn: 'worker'
        });
      } else {
        finish();
        reject(new Error(message.message));
      }
    };
    worker.onerror = event => {
      event.preventDefault();
      finish();
      // a worker that never ran (script not found, blocked): hash here instead
      if (started) {
        reject(new Error(event.message || 'the hashing worker failed'));
      } else {
        resolve(undefined);
      }
    };
    worker.postMessage({ id, base64 });
  });
}
