export interface IReadQueueOptions<T extends { path: string }> {
  /** Files read at the same time. */
  concurrency: number;
  /** Read one file; a rejection is logged and the queue goes on. */
  read(task: T): Promise<void>;
  /** A task made moot by a newer change is skipped, not read. */
  isStale(task: T): boolean;
  /** Called when the set of pending paths changes. */
  changed(): void;
}

/**
 * The model files waiting to be read: settling after a write, queued, or
 * being read. At most `concurrency` are read at once, so a scan of many
 * models does not fetch them all together.
 */
export class ReadQueue<T extends { path: string }> {
  constructor(options: IReadQueueOptions<T>) {
    this._concurrency = Math.max(1, options.concurrency);
    this._readTask = options.read;
    this._isStale = options.isStale;
    this._changed = options.changed;
  }

  /** Paths waiting or being read: settling first, then queued, then active. */
  get paths(): string[] {
    const paths = new Set<string>(this._timers.keys());
    this._queue.forEach(t => paths.add(t.path));
    this._active.forEach(p => paths.add(p));
    return [...paths];
  }

  has(path: string): boolean {
    return (
      this._timers.has(path) ||
      this._active.has(path) ||
      this._queue.some(t => t.path === path)
    );
  }

  /**
   * Run `start` once writes to a path have been quiet for `delay` ms; a
   * newer call for the same path replaces this one.
   */
  settle(path: string, delay: number, start: () => void): void {
    this.cancel(path);
    const handle = setTimeout(() => {
      this._timers.delete(path);
      start();
    }, delay);
    this._timers.set(path, handle);
  }

  /** Forget a path's settle timer (a queued or running read is skipped by `isStale`). */
  cancel(path: string): void {
    const timer = this._timers.get(path);
    if (timer !== undefined) {
      clearTimeout(timer);
      this._timers.delete(path);
      this._changed();
    }
  }

  enqueue(task: T): void {
    this._queue.push(task);
    this._changed();
    this._pump();
  }

  /** Count a read that runs outside the queue, so `drain` waits for it. */
  track(read: Promise<void>): void {
    this._inline.add(read);
    void read
      .catch(e => console.warn('Reading a model file failed', e))
      .finally(() => this._inline.delete(read));
  }

  /** Resolves when no read is queued or running. */
  async drain(): Promise<void> {
    await Promise.all([...this._inline]);
    if (this._queue.length === 0 && this._active.size === 0) {
      return;
    }
    return new Promise(resolve => this._drained.push(resolve));
  }

  /** Drop every timer and queued task; reads already running finish. */
  clear(): void {
    this._timers.forEach(t => clearTimeout(t));
    this._timers.clear();
    this._queue.length = 0;
  }

  private _pump(): void {
    while (this._active.size < this._concurrency && this._queue.length > 0) {
      const task = this._queue.shift()!;
      if (this._isStale(task)) {
        continue;
      }
      this._active.add(task.path);
      void this._readTask(task)
        .catch(e => console.warn(`Reading ${task.path} failed`, e))
        .finally(() => {
          this._active.delete(task.path);
          this._changed();
          this._pump();
        });
    }
    if (this._queue.length === 0 && this._active.size === 0) {
      const waiting = this._drained;
      this._drained = [];
      waiting.forEach(resolve => resolve());
    }
  }

  private readonly _concurrency: number;
  private readonly _readTask: (task: T) => Promise<void>;
  private readonly _isStale: (task: T) => boolean;
  private readonly _changed: () => void;
  private readonly _timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly _queue: T[] = [];
  private readonly _active = new Set<string>();
  private readonly _inline = new Set<Promise<void>>();
  private _drained: (() => void)[] = [];
}
