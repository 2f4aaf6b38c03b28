import type { TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';

import { formatBytes } from '../common/byteSize';
import { errorText } from '../common/errors';
import { renderMessage } from '../common/messages';
import { apiKeyProblem } from './apiKeyStore';
import type { IPushRecord, PushRecords } from './pushRecords';
import {
  IPreparedModel,
  IPushProgress,
  IPushResult,
  parseTags,
  PushError
} from './pushService';
import { ICollection, IOrbit, IOrganization } from './client/apiTypes';
import { isCancelled, RegistryError } from './client/registryErrors';
import type { IModelPusher, IRegistryConnection } from './tokens';
import { describeTransfer, TransferMeter } from './transferMeter';

/**
 * What the push dialog shows and does, without the DOM: the file being
 * prepared, the organization → orbit → collection cascade read live from
 * the Registry, the key prompt, the form fields, the collection rules, the
 * duplicate warning and the progress of a push. The dialog widget renders
 * this and forwards the user's actions.
 */

/** The part of the Registry client the cascade reads. */
export interface IRegistryLister {
  listOrganizations(): Promise<IOrganization[]>;
  listOrbits(organizationId: string): Promise<IOrbit[]>;
  listAllCollections(
    organizationId: string,
    orbitId: string
  ): Promise<ICollection[]>;
}

export interface IPushDialogModelOptions {
  /** The model file to push. */
  path: string;
  pusher: Pick<IModelPusher, 'prepare' | 'push' | 'findDuplicate'> & {
    readonly records: Pick<PushRecords, 'all'>;
  };
  connection: Pick<
    IRegistryConnection,
    'url' | 'ready' | 'changed' | 'setApiKey'
  > & { createClient(): IRegistryLister };
  trans: Pick<TranslationBundle, '__'>;
}

/** Which collection types may hold which artifact type (the platform's rule). */
const HOLDS: { [artifactType: string]: string[] } = {
  model: ['model', 'model_dataset', 'model_experiment', 'mixed'],
  dataset: ['dataset', 'model_dataset', 'dataset_experiment', 'mixed'],
  experiment: ['experiment', 'dataset_experiment', 'model_experiment', 'mixed']
};
const KNOWN_COLLECTION_TYPES = new Set(Object.values(HOLDS).flat());

/**
 * Whether a collection may hold an artifact type. A collection of a type
 * this version does not know is offered: the Registry has the last word.
 */
export function collectionHolds(
  collectionType: string | undefined,
  artifactType: string
): boolean {
  return (
    !collectionType ||
    !KNOWN_COLLECTION_TYPES.has(collectionType) ||
    (HOLDS[artifactType] ?? []).includes(collectionType)
  );
}

export type PushDialogPhase =
  'loading' | 'ready' | 'pushing' | 'pushed' | 'failed';

export interface IChoice {
  readonly value: string;
  readonly label: string;
}

/** One of the three pickers: its choices, and the chosen one. */
export interface IChoiceList {
  readonly choices: readonly IChoice[];
  /** The chosen value; '' when there are no choices. */
  readonly value: string;
  /** Shown alone when there are no choices ('' shows nothing). */
  readonly placeholder: string;
}

export interface IPushFormFields {
  name: string;
  description: string;
  /** Comma-separated, as typed. */
  tags: string;
}

export interface IMessage {
  readonly text: string;
  readonly kind: 'error' | 'info';
}

export interface IPushDialogProgress {
  /** 0 to 1. */
  readonly fraction: number;
  readonly text: string;
}

const NO_CHOICES: IChoiceList = { choices: [], value: '', placeholder: '' };

export class PushDialogModel {
  constructor(private readonly _options: IPushDialogModelOptions) {
    this._trans = _options.trans;
    this._file = {
      text: this._trans.__('Reading %1…', _options.path),
      title: '',
      isError: false
    };
    _options.connection.changed.connect(this._onConnectionChanged, this);
  }

  /** Emitted after any change of what the dialog shows. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted when the key is missing or refused: ask for one. */
  get keyRequested(): ISignal<this, void> {
    return this._keyRequested;
  }

  get phase(): PushDialogPhase {
    return this._phase;
  }

  /** The file line: what the file is, how far reading it got, or why not. */
  get file(): { text: string; title: string; isError: boolean } {
    return this._file;
  }

  /** Which Registry the lists come from ('' until it is known). */
  get registryText(): string {
    return this._registryText;
  }

  /** Why a key is needed, when it is (null hides the key prompt). */
  get keyPrompt(): string | null {
    return this._keyPrompt;
  }

  get organizations(): IChoiceList {
    return this._organizations;
  }

  get orbits(): IChoiceList {
    return this._orbits;
  }

  get collections(): IChoiceList {
    return this._collections;
  }

  get fields(): Readonly<IPushFormFields> {
    return this._fields;
  }

  get message(): IMessage | null {
    return this._message;
  }

  /** The push under way (null when none). */
  get progress(): IPushDialogProgress | null {
    return this._progress;
  }

  /** True once Cancel was pressed during a push, until the push stops. */
  get cancelling(): boolean {
    return this._cancelling;
  }

  get canPush(): boolean {
    return (
      this._phase !== 'pushing' &&
      this._phase !== 'pushed' &&
      this._prepared !== undefined &&
      this._collections.value !== '' &&
      this._keyPrompt === null
    );
  }

  /** An earlier push of these bytes to the chosen collection, if any. */
  get duplicate(): IPushRecord | undefined {
    if (!this._prepared || !this._collections.value) {
      return undefined;
    }
    return this._options.pusher.findDuplicate(
      this._prepared,
      this._options.connection.url,
      this._collections.value
    );
  }

  /** Says that pushing again makes another artifact (not while pushing). */
  get duplicateWarning(): string | undefined {
    const duplicate = this.duplicate;
    if (!duplicate || this._phase === 'pushing') {
      return undefined;
    }
    return this._trans.__(
      'These exact bytes were already pushed to %1 on %2 as artifact %3. Pushing again creates another artifact.',
      duplicate.collectionName ?? this._trans.__('this collection'),
      new Date(duplicate.pushedAt).toLocaleString(),
      duplicate.artifactId
    );
  }

  get pushLabel(): string {
    if (this._phase === 'failed' && this._prepared) {
      return this._trans.__('Retry');
    }
    return this.duplicate
      ? this._trans.__('Push Again')
      : this._trans.__('Push');
  }

  get cancelLabel(): string {
    return this._phase === 'pushing'
      ? this._trans.__('Cancel Push')
      : this._trans.__('Cancel');
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Read the file and load the lists, side by side. */
  start(): Promise<void> {
    return Promise.all([this._prepare(), this._loadOrganizations()]).then(
      () => undefined
    );
  }

  selectOrganization(id: string): Promise<void> {
    this._organizations = { ...this._organizations, value: id };
    return this._loadOrbits();
  }

  selectOrbit(id: string): Promise<void> {
    this._orbits = { ...this._orbits, value: id };
    return this._loadCollections();
  }

  selectCollection(id: string): void {
    this._collections = { ...this._collections, value: id };
    this._emit();
  }

  /** The user typed in the form: the manifest no longer fills it. */
  editFields(fields: Partial<IPushFormFields>): void {
    this._fieldsEdited = true;
    this._fields = { ...this._fields, ...fields };
  }

  /**
   * Keep a pasted key for this Registry; the lists then load again. False,
   * with the reason in the key prompt, when the key cannot be right.
   */
  saveKey(key: string): boolean {
    const trimmed = key.trim();
    const problem = apiKeyProblem(trimmed);
    if (problem) {
      this._keyPrompt = problem;
      this._emit();
      return false;
    }
    this._options.connection.setApiKey(trimmed);
    return true;
  }

  /**
   * Push to the chosen collection. Resolves with the result, or undefined
   * when it cannot start or did not succeed (the message says why).
   */
  async push(): Promise<IPushResult | undefined> {
    if (!this.canPush) {
      return undefined;
    }
    const model = this._prepared!;
    const organizationId = this._organizations.value;
    const orbitId = this._orbits.value;
    const collectionId = this._collections.value;
    const pushing = (this._pushing = new AbortController());
    this._phase = 'pushing';
    this._message = null;
    this._progress = { fraction: 0, text: '' };
    this._emit();
    const meter = new TransferMeter(model.size);
    try {
      const result = await this._options.pusher.push(model, {
        target: {
          organizationId,
          orbitId,
          collectionId,
          organizationName: this._organizationList.find(
            o => o.id === organizationId
          )?.name,
          orbitName: this._orbitList.find(o => o.id === orbitId)?.name,
          collectionName: this._collectionList.find(c => c.id === collectionId)
            ?.name
        },
        name: this._fields.name.trim() || undefined,
        description: this._fields.description,
        tags: parseTags(this._fields.tags),
        signal: pushing.signal,
        onProgress: progress => this._showProgress(progress, meter)
      });
      this._phase = 'pushed';
      return result;
    } catch (error) {
      if (this._isDisposed) {
        return undefined;
      }
      const cancelled =
        (error instanceof PushError && error.cancelled) || isCancelled(error);
      this._phase = cancelled ? 'ready' : 'failed';
      this._progress = null;
      this._message = {
        text: errorText(error, this._trans),
        kind: cancelled ? 'info' : 'error'
      };
      if (
        error instanceof PushError &&
        (error.kind === 'unauthorized' || error.kind === 'missing-key')
      ) {
        this._showLoadError(error.cause);
      }
      return undefined;
    } finally {
      this._pushing = undefined;
      this._cancelling = false;
      if (!this._isDisposed) {
        this._emit();
      }
    }
  }

  /**
   * Cancel the push under way; true when there is none and the dialog
   * should close.
   */
  cancel(): boolean {
    if (!this._pushing) {
      return true;
    }
    this._cancelling = true;
    this._progress = {
      fraction: this._progress?.fraction ?? 0,
      text: this._trans.__('Cancelling…')
    };
    this._pushing.abort();
    this._emit();
    return false;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._preparing.abort();
    this._pushing?.abort();
    this._options.connection.changed.disconnect(
      this._onConnectionChanged,
      this
    );
    Signal.clearData(this);
  }

  // -- preparing the file ---------------------------------------------------

  private async _prepare(): Promise<void> {
    const { path, pusher } = this._options;
    try {
      const model = await pusher.prepare(path, {
        signal: this._preparing.signal,
        onProgress: progress => this._showPreparing(progress)
      });
      if (this._isDisposed) {
        return;
      }
      this._prepared = model;
      const summary = model.info.summary;
      this._file = {
        text: [
          summary.name ?? model.fileName,
          summary.version ? `v${summary.version}` : '',
          formatBytes(model.size),
          `sha256 ${model.sha256.slice(0, 12)}…`
        ]
          .filter(Boolean)
          .join(' · '),
        title: `${path}\nsha256 ${model.sha256}`,
        isError: false
      };
      if (!this._fieldsEdited) {
        this._fields = manifestFields(model);
      }
      if (this._phase === 'loading') {
        this._phase = 'ready';
      }
      this._chooseCollection();
    } catch (error) {
      if (this._isDisposed || this._preparing.signal.aborted) {
        return;
      }
      // on the file's own line: loading the lists clears the message
      this._file = {
        text: errorText(error, this._trans),
        title: '',
        isError: true
      };
      this._phase = 'failed';
    }
    this._emit();
  }

  private _showPreparing(progress: IPushProgress): void {
    if (this._isDisposed) {
      return;
    }
    if (progress.phase === 'hashing' && progress.total > 0) {
      const percent = Math.floor((progress.loaded / progress.total) * 100);
      this._file = {
        ...this._file,
        text: this._trans.__(
          'Computing the checksum of %1… %2%',
          formatBytes(progress.total),
          percent
        )
      };
      this._emit();
    }
  }

  // -- organizations, orbits, collections -----------------------------------

  private _onConnectionChanged(): void {
    if (this._phase !== 'pushing') {
      void this._loadOrganizations();
    }
  }

  /** Whether a later load (or disposal) made this one moot. */
  private _isStale(load: number): boolean {
    return this._isDisposed || load !== this._load;
  }

  private async _loadOrganizations(): Promise<void> {
    const load = ++this._load;
    const { connection } = this._options;
    await connection.ready;
    if (this._isStale(load)) {
      return;
    }
    this._registryText = this._trans.__('Registry: %1', connection.url);
    this._keyPrompt = null;
    this._message = null;
    this._orbitList = [];
    this._orbits = NO_CHOICES;
    this._forgetCollections();
    try {
      this._client = connection.createClient();
      this._organizations = this._placeholder(this._trans.__('Loading…'));
      this._emit();
      const organizations = await this._client.listOrganizations();
      if (this._isStale(load)) {
        return;
      }
      this._organizationList = organizations;
      if (organizations.length === 0) {
        this._organizations = this._placeholder(
          this._trans.__('No organization')
        );
        this._showError(
          this._trans.__(
            'This API key belongs to no organization: use a key created in an organization on the platform.'
          )
        );
      } else {
        this._organizations = choices(
          organizations.map(o => ({ value: o.id, label: o.name })),
          this._lastTarget()?.organizationId
        );
        await this._loadOrbits();
      }
    } catch (error) {
      if (!this._isStale(load)) {
        this._organizations = this._placeholder(this._trans.__('Not loaded'));
        this._showLoadError(error);
      }
    }
    this._emit();
  }

  private async _loadOrbits(): Promise<void> {
    const load = ++this._load;
    const organizationId = this._organizations.value;
    this._forgetCollections();
    if (!organizationId || !this._client) {
      this._orbits = NO_CHOICES;
      this._emit();
      return;
    }
    this._orbits = this._placeholder(this._trans.__('Loading…'));
    this._emit();
    try {
      const orbits = await this._client.listOrbits(organizationId);
      if (this._isStale(load)) {
        return;
      }
      this._orbitList = orbits;
      if (orbits.length === 0) {
        this._orbits = this._placeholder(this._trans.__('No orbit'));
        this._showError(
          this._trans.__(
            'This organization has no orbit yet: create one on the platform first.'
          )
        );
      } else {
        this._message = null;
        this._orbits = choices(
          orbits.map(o => ({ value: o.id, label: o.name })),
          this._lastTarget()?.orbitId
        );
        await this._loadCollections();
      }
    } catch (error) {
      if (!this._isStale(load)) {
        this._orbits = this._placeholder(this._trans.__('Not loaded'));
        this._showLoadError(error);
      }
    }
    this._emit();
  }

  private async _loadCollections(): Promise<void> {
    const load = ++this._load;
    const organizationId = this._organizations.value;
    const orbitId = this._orbits.value;
    this._forgetCollections();
    if (!organizationId || !orbitId || !this._client) {
      this._emit();
      return;
    }
    this._collections = this._placeholder(this._trans.__('Loading…'));
    this._emit();
    try {
      const collections = await this._client.listAllCollections(
        organizationId,
        orbitId
      );
      if (this._isStale(load)) {
        return;
      }
      this._collectionList = collections;
      this._collectionsLoaded = true;
      this._message = null;
      this._chooseCollection();
    } catch (error) {
      if (!this._isStale(load)) {
        this._collections = this._placeholder(this._trans.__('Not loaded'));
        this._showLoadError(error);
      }
    }
    this._emit();
  }

  private _forgetCollections(): void {
    this._collectionList = [];
    this._collectionsLoaded = false;
    this._collections = NO_CHOICES;
  }

  /**
   * Offer the collections that can hold the file's artifact type; until the
   * file is read, a model is assumed.
   */
  private _chooseCollection(): void {
    if (!this._collectionsLoaded) {
      return;
    }
    const artifactType = this._artifactType();
    const fits = this._collectionList.filter(c =>
      collectionHolds(c.type, artifactType)
    );
    const previous =
      this._collections.value || this._lastTarget()?.collectionId;
    if (fits.length === 0) {
      this._collections = this._placeholder(this._trans.__('No collection'));
      this._showError(
        this._trans.__(
          'This orbit has no collection that can hold a %1: create one on the platform, or choose another orbit.',
          artifactType
        )
      );
      return;
    }
    this._collections = choices(
      fits.map(c => ({
        value: c.id,
        label:
          c.type && c.type !== artifactType ? `${c.name} (${c.type})` : c.name
      })),
      previous
    );
  }

  private _artifactType(): string {
    const info = this._prepared?.info;
    if (!info || info.isModel) {
      return 'model';
    }
    return info.summary.artifactType ?? 'model';
  }

  /** A missing or refused key opens the key prompt; others are messages. */
  private _showLoadError(error: unknown): void {
    const kind = error instanceof RegistryError ? error.kind : '';
    if (kind === 'missing-key' || kind === 'unauthorized') {
      this._keyPrompt = errorText(error, this._trans);
      this._keyRequested.emit();
    } else {
      this._showError(errorText(error, this._trans));
    }
  }

  private _showError(text: string): void {
    this._message = { text, kind: 'error' };
  }

  private _placeholder(text: string): IChoiceList {
    return { choices: [], value: '', placeholder: text };
  }

  /** The target of the latest push to this Registry, to preselect it. */
  private _lastTarget(): IPushRecord | undefined {
    const url = this._options.connection.url;
    return this._options.pusher.records.all().find(r => r.registryUrl === url);
  }

  // -- pushing --------------------------------------------------------------

  private _showProgress(progress: IPushProgress, meter: TransferMeter): void {
    if (this._isDisposed) {
      return;
    }
    const fraction = this._progress?.fraction ?? 0;
    const trans = this._trans;
    if (progress.retry) {
      const seconds = Math.max(1, Math.round(progress.retry.delayMs / 1000));
      this._progress = {
        fraction,
        text: trans.__(
          '%1 Trying again in %2 s (retry %3).',
          progress.retry.userMessage
            ? renderMessage(progress.retry.userMessage, trans)
            : progress.retry.reason,
          seconds,
          progress.retry.attempt
        )
      };
    } else if (progress.phase === 'creating') {
      this._progress = { fraction, text: trans.__('Creating the artifact…') };
    } else if (progress.phase === 'uploading') {
      const snapshot = meter.update(progress.loaded);
      this._progress = {
        fraction: progress.total ? progress.loaded / progress.total : 0,
        text: trans.__('Uploading: %1', describeTransfer(snapshot))
      };
    } else if (progress.phase === 'confirming') {
      this._progress = {
        fraction: 1,
        text: trans.__('Confirming the upload…')
      };
    } else if (progress.phase === 'reporting') {
      this._progress = {
        fraction,
        text: trans.__('The upload did not finish; telling the Registry…')
      };
    } else {
      return;
    }
    this._emit();
  }

  private _emit(): void {
    if (this._isDisposed) {
      return;
    }
    // the bytes are read once the dialog is ready: read sooner, they slowed
    // its first requests down, and the user needs a moment to push anyway
    const body = this._prepared?.body;
    if (this.canPush && body && !(body instanceof Blob)) {
      body.readAhead?.();
    }
    this._changed.emit();
  }

  private readonly _trans: Pick<TranslationBundle, '__'>;
  private readonly _changed = new Signal<this, void>(this);
  private readonly _keyRequested = new Signal<this, void>(this);
  private _isDisposed = false;
  private _phase: PushDialogPhase = 'loading';
  private _file: { text: string; title: string; isError: boolean };
  private _prepared?: IPreparedModel;
  private _registryText = '';
  private _keyPrompt: string | null = null;
  private _client?: IRegistryLister;
  private _organizationList: IOrganization[] = [];
  private _orbitList: IOrbit[] = [];
  private _collectionList: ICollection[] = [];
  private _collectionsLoaded = false;
  private _organizations: IChoiceList = NO_CHOICES;
  private _orbits: IChoiceList = NO_CHOICES;
  private _collections: IChoiceList = NO_CHOICES;
  /** Counts list loads: an answer to an older one is dropped. */
  private _load = 0;
  private _fields: IPushFormFields = { name: '', description: '', tags: '' };
  private _fieldsEdited = false;
  private _message: IMessage | null = null;
  private _progress: IPushDialogProgress | null = null;
  private _cancelling = false;
  private readonly _preparing = new AbortController();
  private _pushing?: AbortController;
}

/** The form as the manifest fills it. */
function manifestFields(model: IPreparedModel): IPushFormFields {
  const summary = model.info.summary;
  const manifestTags = (model.info.manifest as { tags?: unknown }).tags;
  return {
    name: summary.name?.trim() || model.fileName.replace(/\.[^.]+$/, ''),
    description: summary.description ?? '',
    tags: (Array.isArray(manifestTags)
      ? manifestTags.filter(t => typeof t === 'string')
      : summary.producerTags
    ).join(', ')
  };
}

/** Choices with the preferred one chosen when offered, else the first. */
function choices(list: IChoice[], preferred?: string): IChoiceList {
  const value =
    preferred && list.some(c => c.value === preferred)
      ? preferred
      : list[0].value;
  return { choices: list, value, placeholder: '' };
}
