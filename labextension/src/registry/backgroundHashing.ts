import type {
  IDiscoveredModel,
  IModelDiscovery,
  IModelsChange
} from '../discovery/tokens';
import { DigestAborted, IChunkedFile, IFileHash } from './base64Digest';
import { IKnownHash, ModelHashes } from './modelHashes';

/**
 * Hashes the model files discovery finds, one at a time when the page is
 * idle, so that the push dialog has the sha256 the Registry asks for at once
 * instead of reading and hashing the whole file first. What it computed is
 * kept by content id (`ModelHashes`): a file written again has new content
 * and is hashed again, and a push never uses the hash of other bytes.
 */

/** The plugin whose settings (`push.json`) turn hashing ahead on and off. */
export const PUSH_PLUGIN_ID = 'luml-notebooks:push';

/** A stored file to hash: chunked files have a content id, others none. */
export interface IHashableFile extends IChunkedFile {
  readonly contentId?: string;
}

export interface IBackgroundHasherOptions {
  open(path: string): Promise<IHashableFile>;
  /** Hashes off the main thread (the hashing worker). */
  hash(file: IChunkedFile, job: { signal?: AbortSignal }): Promise<IFileHash>;
  hashes: ModelHashes;
  /** Resolves when the page has time (default: `requestIdleCallback`). */
  whenIdle?: () => Promise<void>;
  now?: () => Date;
  /** Whether to hash at all (default true); see `enabled`. */
  enabled?: boolean;
}

/** What the push asks before it hashes a file itself. */
export interface IHashLookup {
  /**
   * The sha256 of content `contentId` of `size` bytes when it is known or
   * being computed now (then it waits for it), else undefined.
   */
  find(contentId: string, size: number): Promise<string | undefined>;
  remember(hash: IKnownHash): Promise<void>;
  /** The hashes known so far. */
  readonly hashes: ModelHashes;
}

interface IJob {
  path: string;
  contentId: string;
  controller: AbortController;
  done: Promise<string | undefined>;
}

export class BackgroundHasher implements IHashLookup {
  constructor(private readonly _options: IBackgroundHasherOptions) {
    this._enabled = _options.enabled ?? true;
  }

  get hashes(): ModelHashes {
    return this._options.hashes;
  }

  /** Whether files are hashed ahead of a push (a setting). */
  get enabled(): boolean {
    return this._enabled;
  }

  set enabled(enabled: boolean) {
    if (enabled === this._enabled) {
      return;
    }
    this._enabled = enabled;
    if (!enabled) {
      this._queue.clear();
      this._job?.controller.abort();
    } else if (this._discovery) {
      this._scheduleAll(this._discovery);
    }
  }

  /** Hash these files when there is time (again only if they changed). */
  schedule(paths: readonly string[]): void {
    if (!this._enabled || this._disposed) {
      return;
    }
    for (const path of paths) {
      this._queue.add(path);
    }
    void this._run();
  }

  /** Hash the models `discovery` knows, and each one it finds or sees change. */
  follow(discovery: IModelDiscovery): void {
    this._discovery = discovery;
    void discovery.ready.then(() => this._scheduleAll(discovery));
    discovery.changed.connect(this._onModelsChanged, this);
  }

  private _scheduleAll(discovery: IModelDiscovery): void {
    this.schedule(discovery.models.filter(worthHashing).map(m => m.path));
  }

  private _onModelsChanged(
    discovery: IModelDiscovery,
    change: IModelsChange
  ): void {
    const models = change.paths.map(path => discovery.get(path));
    this.schedule(
      models
        .filter((m): m is IDiscoveredModel => !!m && worthHashing(m))
        .map(m => m.path)
    );
  }

  async find(contentId: string, size: number): Promise<string | undefined> {
    const { hashes } = this._options;
    await hashes.ready;
    const known = hashes.get(contentId, size);
    if (known) {
      return known;
    }
    const job = this._job;
    if (job?.contentId === contentId) {
      return job.done;
    }
    // the push hashes this one itself: another file can wait
    if (job) {
      this._queue.add(job.path);
      job.controller.abort();
    }
    return undefined;
  }

  remember(hash: IKnownHash): Promise<void> {
    return this._options.hashes.remember(hash);
  }

  /** Resolves once nothing is waiting to be hashed (tests, benchmarks). */
  get settled(): Promise<void> {
    return this._running ?? Promise.resolve();
  }

  dispose(): void {
    this._disposed = true;
    this._queue.clear();
    this._job?.controller.abort();
    this._discovery?.changed.disconnect(this._onModelsChanged, this);
  }

  private _run(): Promise<void> {
    if (!this._running) {
      this._running = this._drain().finally(() => {
        this._running = null;
      });
    }
    return this._running;
  }

  private async _drain(): Promise<void> {
    const whenIdle = this._options.whenIdle ?? idleCallback;
    while (this._enabled && !this._disposed && this._queue.size > 0) {
      await whenIdle();
      const path = this._queue.values().next().value;
      if (path === undefined || !this._enabled || this._disposed) {
        break;
      }
      this._queue.delete(path);
      try {
        await this._hashOne(path);
      } catch {
        // moved, deleted or rewritten while read: discovery says so
        // (and schedules it again) when there is something left to hash
      }
    }
  }

  private async _hashOne(path: string): Promise<void> {
    const { hashes } = this._options;
    await hashes.ready;
    const file = await this._options.open(path);
    const contentId = file.contentId;
    if (!contentId || hashes.get(contentId, file.size)) {
      return;
    }
    const controller = new AbortController();
    const hashing = this._options.hash(file, { signal: controller.signal });
    const done = hashing.then(
      hash => (hash.size === file.size ? hash.sha256 : undefined),
      () => undefined
    );
    this._job = { path, contentId, controller, done };
    try {
      const hash = await hashing;
      if (hash.size !== file.size) {
        return;
      }
      await hashes.remember({
        contentId,
        size: hash.size,
        sha256: hash.sha256,
        path,
        hashedAt: (this._options.now?.() ?? new Date()).toISOString()
      });
    } catch (error) {
      if (!(error instanceof DigestAborted)) {
        throw error;
      }
    } finally {
      this._job = null;
    }
  }

  private _enabled: boolean;
  private _disposed = false;
  private readonly _queue = new Set<string>();
  private _job: IJob | null = null;
  private _running: Promise<void> | null = null;
  private _discovery: IModelDiscovery | null = null;
}

/** A file discovery could read: the push takes only those. */
function worthHashing(model: IDiscoveredModel): boolean {
  return model.result.ok;
}

function idleCallback(): Promise<void> {
  return new Promise(resolve => {
    const idle = (
      globalThis as {
        requestIdleCallback?: (
          callback: () => void,
          options: { timeout: number }
        ) => number;
      }
    ).requestIdleCallback;
    if (typeof idle === 'function') {
      idle(() => resolve(), { timeout: 2000 });
    } else {
      setTimeout(resolve, 50);
    }
  });
}
