import { ISignal, Signal } from '@lumino/signaling';

/**
 * What this instance pushed to which Registry: so a model can show as "in the
 * Registry", and pushing the same bytes to the same collection again warns
 * first. Kept in the instance's state database (never anything secret), and
 * also the failures the Registry could not be told about yet.
 */

export interface IPushRecord {
  path: string;
  sha256: string;
  size: number;
  registryUrl: string;
  organizationId: string;
  orbitId: string;
  collectionId: string;
  collectionName?: string;
  orbitName?: string;
  artifactId: string;
  artifactName: string;
  /** ISO 8601. */
  pushedAt: string;
}

/** An artifact left `pending_upload` because marking it failed did not get through. */
export interface IUnreportedFailure {
  registryUrl: string;
  organizationId: string;
  orbitId: string;
  collectionId: string;
  artifactId: string;
  /** ISO 8601. */
  failedAt: string;
}

/** The part of JupyterLab's IStateDB this needs. */
export interface IStateStore {
  fetch(id: string): Promise<unknown>;
  save(id: string, value: any): Promise<unknown>;
}

export const PUSH_RECORDS_STATE_KEY = 'luml-notebooks:registry-pushes';
export const MAX_RECORDS = 1000;

interface IStored {
  version: 1;
  records: IPushRecord[];
  unreported: IUnreportedFailure[];
}

export class PushRecords {
  private _records: IPushRecord[] = [];
  private _unreported: IUnreportedFailure[] = [];
  private _changed = new Signal<this, void>(this);
  private _saving: Promise<unknown> = Promise.resolve();
  readonly ready: Promise<void>;

  constructor(private readonly _state: IStateStore | null) {
    this.ready = this._load();
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Every record, newest first. */
  all(): IPushRecord[] {
    return [...this._records];
  }

  /** Records of the file at `path`, newest first. */
  forPath(path: string): IPushRecord[] {
    return this._records.filter(r => r.path === path);
  }

  /** An earlier push of the same bytes to the same collection. */
  findDuplicate(
    sha256: string,
    registryUrl: string,
    collectionId: string
  ): IPushRecord | undefined {
    return this._records.find(
      r =>
        r.sha256 === sha256 &&
        r.registryUrl === registryUrl &&
        r.collectionId === collectionId
    );
  }

  async add(record: IPushRecord): Promise<void> {
    await this.ready;
    this._records = [record, ...this._records].slice(0, MAX_RECORDS);
    await this._save();
  }

  /** Follow a rename or move of a file or folder. */
  async renamePath(oldPath: string, newPath: string): Promise<void> {
    await this.ready;
    let touched = false;
    this._records = this._records.map(r => {
      if (r.path === oldPath || r.path.startsWith(oldPath + '/')) {
        touched = true;
        return { ...r, path: newPath + r.path.slice(oldPath.length) };
      }
      return r;
    });
    if (touched) {
      await this._save();
    }
  }

  unreported(registryUrl: string): IUnreportedFailure[] {
    return this._unreported.filter(f => f.registryUrl === registryUrl);
  }

  async addUnreported(failure: IUnreportedFailure): Promise<void> {
    await this.ready;
    this._unreported = [
      failure,
      ...this._unreported.filter(f => f.artifactId !== failure.artifactId)
    ].slice(0, MAX_RECORDS);
    await this._save();
  }

  async removeUnreported(artifactId: string): Promise<void> {
    await this.ready;
    const before = this._unreported.length;
    this._unreported = this._unreported.filter(
      f => f.artifactId !== artifactId
    );
    if (this._unreported.length !== before) {
      await this._save();
    }
  }

  private async _load(): Promise<void> {
    if (!this._state) {
      return;
    }
    try {
      const stored = (await this._state.fetch(PUSH_RECORDS_STATE_KEY)) as
        Partial<IStored> | undefined;
      // stored data may come from an older or damaged state: keep what is valid
      this._records = (Array.isArray(stored?.records) ? stored.records : [])
        .filter(isRecord)
        .slice(0, MAX_RECORDS);
      this._unreported = (
        Array.isArray(stored?.unreported) ? stored.unreported : []
      ).filter(isUnreported);
    } catch {
      this._records = [];
      this._unreported = [];
    }
  }

  private async _save(): Promise<void> {
    this._changed.emit();
    if (!this._state) {
      return;
    }
    const value: IStored = {
      version: 1,
      records: this._records,
      unreported: this._unreported
    };
    // one write at a time, in order
    this._saving = this._saving
      .catch(() => undefined)
      .then(() => this._state!.save(PUSH_RECORDS_STATE_KEY, value as any));
    await this._saving;
  }
}

const STRING_FIELDS: (keyof IPushRecord)[] = [
  'path',
  'sha256',
  'registryUrl',
  'organizationId',
  'orbitId',
  'collectionId',
  'artifactId',
  'artifactName',
  'pushedAt'
];

function isRecord(value: unknown): value is IPushRecord {
  if (!value || typeof value !== 'object') {
    return false;
  }
  const r = value as { [key: string]: unknown };
  return (
    STRING_FIELDS.every(f => typeof r[f] === 'string') &&
    typeof r.size === 'number'
  );
}

function isUnreported(value: unknown): value is IUnreportedFailure {
  if (!value || typeof value !== 'object') {
    return false;
  }
  const f = value as { [key: string]: unknown };
  return [
    'registryUrl',
    'organizationId',
    'orbitId',
    'collectionId',
    'artifactId',
    'failedAt'
  ].every(k => typeof f[k] === 'string');
}
