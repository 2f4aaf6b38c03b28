import { ISignal, Signal } from '@lumino/signaling';

import type { IStateStore } from './pushRecords';

/**
 * The sha256 of model files this instance already hashed, by the id of the
 * stored content: browser storage gives every write of a file new content
 * under a new id (a rename keeps it), so a hash found here is the hash of
 * exactly those bytes, never of an older version of the file. Kept in the
 * instance's state database, so a push after a reload needs no hashing.
 */

export interface IKnownHash {
  /** The id of the stored content (see `storage/schema.ts`). */
  contentId: string;
  size: number;
  sha256: string;
  /** Where the content was when hashed (for people reading the state). */
  path: string;
  /** ISO 8601. */
  hashedAt: string;
}

export const MODEL_HASHES_STATE_KEY = 'luml-notebooks:model-hashes';
export const MAX_KNOWN_HASHES = 200;

interface IStored {
  version: 1;
  hashes: IKnownHash[];
}

export class ModelHashes {
  readonly ready: Promise<void>;

  constructor(private readonly _state: IStateStore | null) {
    this.ready = this._load();
  }

  /** Emitted with each newly known hash. */
  get added(): ISignal<this, IKnownHash> {
    return this._added;
  }

  /** The sha256 of content `contentId` of `size` bytes, if known. */
  get(contentId: string, size: number): string | undefined {
    const known = this._byId.get(contentId);
    return known && known.size === size ? known.sha256 : undefined;
  }

  async remember(hash: IKnownHash): Promise<void> {
    await this.ready;
    this._byId.delete(hash.contentId);
    this._byId.set(hash.contentId, hash);
    // the oldest go first
    for (const id of this._byId.keys()) {
      if (this._byId.size <= MAX_KNOWN_HASHES) {
        break;
      }
      this._byId.delete(id);
    }
    this._added.emit(hash);
    await this._save();
  }

  private async _load(): Promise<void> {
    if (!this._state) {
      return;
    }
    try {
      const stored = (await this._state.fetch(MODEL_HASHES_STATE_KEY)) as
        Partial<IStored> | undefined;
      const hashes = Array.isArray(stored?.hashes) ? stored.hashes : [];
      for (const hash of hashes.filter(isKnownHash)) {
        this._byId.set(hash.contentId, hash);
      }
    } catch {
      this._byId.clear();
    }
  }

  private async _save(): Promise<void> {
    if (!this._state) {
      return;
    }
    const value: IStored = { version: 1, hashes: [...this._byId.values()] };
    // one write at a time, in order
    this._saving = this._saving
      .catch(() => undefined)
      .then(() => this._state!.save(MODEL_HASHES_STATE_KEY, value as any));
    await this._saving;
  }

  private readonly _byId = new Map<string, IKnownHash>();
  private readonly _added = new Signal<this, IKnownHash>(this);
  private _saving: Promise<unknown> = Promise.resolve();
}

function isKnownHash(value: unknown): value is IKnownHash {
  if (!value || typeof value !== 'object') {
    return false;
  }
  const h = value as { [key: string]: unknown };
  return (
    ['contentId', 'sha256', 'path', 'hashedAt'].every(
      k => typeof h[k] === 'string'
    ) &&
    typeof h.size === 'number' &&
    /^[0-9a-f]{64}$/.test(h.sha256 as string)
  );
}
