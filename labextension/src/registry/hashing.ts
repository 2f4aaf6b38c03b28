import {
  digestBase64,
  DigestAborted,
  hashChunksHere,
  DigestMessage,
  IChunkedFile,
  IDigest,
  IFileHash,
  StreamRequest,
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
  if (base64.length * 0.75 >= WORKER_MIN_BYTES) {
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

/**
 * sha256 of a file read chunk by chunk (browser storage): the chunks travel
 * to the Web Worker as they are read, so neither the page nor the worker
 * ever holds the whole file in one array. The upload keeps the chunks it
 * will send first as they pass (`storedBody`).
 */
export async function hashChunks(
  file: IChunkedFile,
  job: IDigestJob = {}
): Promise<IFileHash & { ranIn: IDigestResult['ranIn'] }> {
  if (file.size >= WORKER_MIN_BYTES) {
    const inWorker = await streamToWorker(file, job);
    if (inWorker) {
      return inWorker;
    }
  }
  const hash = await hashChunksHere(file, job);
  return { ...hash, ranIn: 'main-thread' };
}

let nextId = 1;

function startWorker(): Worker | undefined {
  if (typeof Worker === 'undefined') {
    return undefined;
  }
  try {
    // the bundler emits the worker as its own chunk next to the extension
    return new Worker(new URL('./hashWorker.js', import.meta.url));
  } catch {
    return undefined;
  }
}

/** Chunks waiting for the worker's acknowledgement: bounds the page's memory. */
const IN_FLIGHT = 2;

/** Resolves undefined when the worker cannot start (then hash here). */
async function streamToWorker(
  file: IChunkedFile,
  job: IDigestJob
): Promise<(IFileHash & { ranIn: IDigestResult['ranIn'] }) | undefined> {
  let inFlight = 0;
  let bytesHashed = 0;
  let wake: (() => void) | null = null;
  const resume = () => {
    const waiting = wake;
    wake = null;
    waiting?.();
  };
  const send = async (run: IWorkerRun) => {
    const post = (request: StreamRequest, transfer: Transferable[] = []) =>
      run.worker.postMessage(request, transfer);
    job.onProgress?.(0, file.size);
    for await (const chunk of file.chunks()) {
      while (inFlight >= IN_FLIGHT && !run.ended) {
        await new Promise<void>(resolve => (wake = resolve));
      }
      if (run.ended) {
        return;
      }
      inFlight += 1;
      // hand the chunk's memory over when the chunk owns all of it
      const owned =
        chunk.buffer instanceof ArrayBuffer &&
        chunk.byteOffset === 0 &&
        chunk.byteLength === chunk.buffer.byteLength;
      post(
        { id: run.id, type: 'chunk', bytes: chunk },
        owned ? [chunk.buffer] : []
      );
    }
    if (!run.ended) {
      post({ id: run.id, type: 'end' });
    }
  };
  const hashed = await inWorker(job, {
    onMessage: message => {
      if (message.type === 'ack') {
        inFlight -= 1;
        bytesHashed += message.size;
        job.onProgress?.(bytesHashed, file.size);
        resume();
      }
    },
    start: run => void send(run).catch(error => run.reject(error)),
    onEnd: resume
  });
  return (
    hashed && { sha256: hashed.sha256, size: hashed.size, ranIn: 'worker' }
  );
}

/** Resolves undefined when the worker cannot start (then hash here). */
function digestInWorker(
  base64: string,
  job: IDigestJob
): Promise<IDigestResult | undefined> {
  return inWorker(job, {
    onMessage: message => {
      if (message.type === 'progress') {
        job.onProgress?.(message.done, message.total);
      }
    },
    start: run => run.worker.postMessage({ id: run.id, base64 })
  });
}

/** One job in a fresh hashing worker, as its steps see it. */
interface IWorkerRun {
  readonly worker: Worker;
  readonly id: number;
  /** Whether the job has settled: then the worker is gone. */
  ended: boolean;
  reject(error: unknown): void;
}

/**
 * Runs one job in a fresh hashing worker: it settles once (the worker's
 * answer, an error, or the signal's abort), and resolves undefined when the
 * worker never started (script not found, blocked), so the caller hashes
 * on the page instead.
 */
function inWorker(
  job: IDigestJob,
  steps: {
    onMessage: (message: DigestMessage) => void;
    start: (run: IWorkerRun) => void;
    onEnd?: () => void;
  }
): Promise<IDigestResult | undefined> {
  const worker = startWorker();
  if (!worker) {
    return Promise.resolve(undefined);
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    let started = false;
    const end = (outcome: () => void) => {
      if (run.ended) {
        return;
      }
      run.ended = true;
      job.signal?.removeEventListener('abort', onAbort);
      worker.terminate();
      steps.onEnd?.();
      outcome();
    };
    const run: IWorkerRun = {
      worker,
      id,
      ended: false,
      reject: error => end(() => reject(error))
    };
    const onAbort = () => run.reject(new DigestAborted());
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
      if (message.type === 'done') {
        const { sha256, size, blob } = message;
        end(() =>
          resolve({ sha256, size, blob: blob!, ranIn: 'worker' as const })
        );
      } else if (message.type === 'error') {
        run.reject(new Error(message.message));
      } else {
        steps.onMessage(message);
      }
    };
    worker.onerror = event => {
      event.preventDefault();
      end(() =>
        started
          ? reject(new Error(event.message || 'the hashing worker failed'))
          : resolve(undefined)
      );
    };
    steps.start(run);
  });
}
