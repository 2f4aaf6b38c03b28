import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { apiKeyProblem } from '../apiKeyStore';
import {
  IPreparedModel,
  IPushProgress,
  IPushResult,
  parseTags,
  PushError
} from '../pushService';
import { ICollection, IOrbit, IOrganization } from '../client/apiTypes';
import { RegistryClient } from '../client/registryClient';
import { isCancelled, RegistryError } from '../client/registryErrors';
import { IModelPusher, IRegistryConnection } from '../tokens';
import { formatBytes } from '../../common/byteSize';
import { describeTransfer, TransferMeter } from '../transferMeter';
import { button, el } from '../../common/dom';
import { errorText } from '../../common/errors';

export interface IPushDialogOptions {
  path: string;
  pusher: Pick<IModelPusher, 'prepare' | 'push' | 'findDuplicate' | 'records'>;
  connection: IRegistryConnection;
  /** Opens the Registry connection settings (URL and key). */
  openConnectionSettings: () => Promise<unknown>;
  trans: TranslationBundle;
}

/** Which collection types may hold which artifact type (the platform's rule). */
const HOLDS: { [artifactType: string]: string[] } = {
  model: ['model', 'model_dataset', 'model_experiment', 'mixed'],
  dataset: ['dataset', 'model_dataset', 'dataset_experiment', 'mixed'],
  experiment: ['experiment', 'dataset_experiment', 'model_experiment', 'mixed']
};
const KNOWN_COLLECTION_TYPES = new Set(Object.values(HOLDS).flat());

type State = 'loading' | 'ready' | 'pushing' | 'failed';

let nextId = 0;

/**
 * The push dialog: where to (organization, orbit, collection, read live from
 * the Registry), what (name, description, tags from the manifest), then a
 * progress bar with bytes and speed, and Cancel. Modal, keyboard operable;
 * every string from a file or the Registry is set as text.
 */
export class PushDialog extends Widget {
  /** Open the dialog; resolves with the result, or undefined when closed. */
  static open(options: IPushDialogOptions): Promise<IPushResult | undefined> {
    const dialog = new PushDialog(options);
    Widget.attach(dialog, document.body);
    return dialog._closed;
  }

  private readonly _id = `jp-LumlPush-${++nextId}`;
  private _state: State = 'loading';
  private _model?: IPreparedModel;
  private _client?: RegistryClient;
  private _organizations: IOrganization[] = [];
  private _orbits: IOrbit[] = [];
  private _collections: ICollection[] = [];
  private _loadToken = 0;
  private _preparing = new AbortController();
  private _pushing?: AbortController;
  private _fieldsTouched = false;
  private _resolve!: (result: IPushResult | undefined) => void;
  private readonly _closed = new Promise<IPushResult | undefined>(
    resolve => (this._resolve = resolve)
  );

  private _content: HTMLElement;
  private _fileLine: HTMLElement;
  private _registryLine: HTMLElement;
  private _keyBox: HTMLElement;
  private _keyInput: HTMLInputElement;
  private _keyMessage: HTMLElement;
  private _org: HTMLSelectElement;
  private _orbit: HTMLSelectElement;
  private _collection: HTMLSelectElement;
  private _name: HTMLInputElement;
  private _description: HTMLTextAreaElement;
  private _tags: HTMLInputElement;
  private _warning: HTMLElement;
  private _progressBox: HTMLElement;
  private _progress: HTMLProgressElement;
  private _progressText: HTMLElement;
  private _message: HTMLElement;
  private _cancelButton: HTMLButtonElement;
  private _pushButton: HTMLButtonElement;

  private readonly _trans: TranslationBundle;

  private constructor(private readonly _options: IPushDialogOptions) {
    super();
    const trans = (this._trans = _options.trans);
    this.addClass('jp-Dialog');
    this.addClass('jp-ThemedContainer');
    this.addClass('jp-LumlPush');
    const fileName = _options.path.split('/').pop() ?? _options.path;

    this._content = el('div', 'jp-Dialog-content jp-LumlPush-content');
    this._content.setAttribute('role', 'dialog');
    this._content.setAttribute('aria-modal', 'true');
    this._content.setAttribute('aria-labelledby', `${this._id}-title`);
    this.node.appendChild(this._content);

    const header = el('div', 'jp-Dialog-header');
    const title = el(
      'div',
      'jp-Dialog-title',
      trans.__('Push %1 to the Registry', fileName)
    );
    title.id = `${this._id}-title`;
    header.appendChild(title);
    this._content.appendChild(header);

    const body = el('div', 'jp-Dialog-body jp-LumlPush-body');
    this._content.appendChild(body);

    this._fileLine = el(
      'div',
      'jp-LumlPush-file',
      trans.__('Reading %1…', _options.path)
    );
    body.appendChild(this._fileLine);

    const registryRow = el('div', 'jp-LumlPush-registry');
    this._registryLine = el('span', 'jp-LumlPush-registryUrl');
    const change = button(trans.__('Connection…'), 'jp-LumlPush-connection');
    change.title = trans.__('Set the Registry URL and API key');
    change.onclick = () => void this._openConnection();
    registryRow.append(this._registryLine, change);
    body.appendChild(registryRow);

    // shown when the key is missing or refused
    this._keyBox = el('div', 'jp-LumlPush-keyBox');
    this._keyBox.hidden = true;
    this._keyMessage = el('div', 'jp-LumlPush-keyMessage');
    this._keyInput = document.createElement('input');
    this._keyInput.type = 'password';
    this._keyInput.autocomplete = 'off';
    this._keyInput.spellcheck = false;
    this._keyInput.placeholder = trans.__('dfs_…');
    this._keyInput.className = 'jp-mod-styled jp-LumlPush-keyInput';
    this._keyInput.id = `${this._id}-key`;
    this._keyInput.setAttribute('aria-label', trans.__('API key'));
    const saveKey = button(trans.__('Save Key'), 'jp-LumlPush-saveKey');
    saveKey.onclick = () => this._saveKey();
    this._keyInput.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        event.preventDefault();
        event.stopPropagation();
        this._saveKey();
      }
    });
    const keyRow = el('div', 'jp-LumlPush-keyRow');
    keyRow.append(this._keyInput, saveKey);
    this._keyBox.append(this._keyMessage, keyRow);
    body.appendChild(this._keyBox);

    const grid = el('div', 'jp-LumlPush-grid');
    body.appendChild(grid);
    this._org = this._select(grid, 'org', trans.__('Organization'));
    this._orbit = this._select(grid, 'orbit', trans.__('Orbit'));
    this._collection = this._select(grid, 'collection', trans.__('Collection'));
    this._org.onchange = () => void this._loadOrbits();
    this._orbit.onchange = () => void this._loadCollections();
    this._collection.onchange = () => this._refresh();

    this._name = document.createElement('input');
    this._name.type = 'text';
    this._field(grid, 'name', trans.__('Name'), this._name);
    this._description = document.createElement('textarea');
    this._description.rows = 3;
    this._field(
      grid,
      'description',
      trans.__('Description'),
      this._description
    );
    this._tags = document.createElement('input');
    this._tags.type = 'text';
    this._tags.placeholder = trans.__('comma-separated');
    this._field(grid, 'tags', trans.__('Tags'), this._tags);
    for (const input of [this._name, this._description, this._tags]) {
      input.addEventListener('input', () => (this._fieldsTouched = true));
    }

    this._warning = el('div', 'jp-LumlPush-warning');
    this._warning.setAttribute('role', 'status');
    this._warning.hidden = true;
    body.appendChild(this._warning);

    this._progressBox = el('div', 'jp-LumlPush-progress');
    this._progressBox.hidden = true;
    this._progress = document.createElement('progress');
    this._progress.max = 1;
    this._progress.value = 0;
    this._progress.setAttribute('aria-label', trans.__('Upload progress'));
    this._progressText = el('div', 'jp-LumlPush-progressText');
    this._progressText.setAttribute('aria-live', 'polite');
    this._progressBox.append(this._progress, this._progressText);
    body.appendChild(this._progressBox);

    this._message = el('div', 'jp-LumlPush-message');
    this._message.setAttribute('role', 'alert');
    body.appendChild(this._message);

    const footer = el('div', 'jp-Dialog-footer');
    const buttons = el('div', 'jp-Dialog-footerButtons');
    this._cancelButton = button(
      trans.__('Cancel'),
      'jp-Dialog-button jp-mod-reject jp-LumlPush-cancel'
    );
    this._cancelButton.onclick = () => this._cancel();
    this._pushButton = button(
      trans.__('Push'),
      'jp-Dialog-button jp-mod-accept jp-LumlPush-push'
    );
    this._pushButton.onclick = () => void this._push();
    buttons.append(this._cancelButton, this._pushButton);
    footer.appendChild(buttons);
    this._content.appendChild(footer);

    _options.connection.changed.connect(this._onConnectionChanged, this);
    this._refresh();
  }

  get state(): string {
    return this._state;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._preparing.abort();
    this._pushing?.abort();
    this._options.connection.changed.disconnect(
      this._onConnectionChanged,
      this
    );
    super.dispose();
  }

  handleEvent(event: Event): void {
    if (event.type !== 'keydown') {
      return;
    }
    const key = event as KeyboardEvent;
    if (key.key === 'Escape') {
      key.preventDefault();
      key.stopPropagation();
      this._cancel();
    } else if (key.key === 'Tab') {
      this._trapFocus(key);
    } else if (
      key.key === 'Enter' &&
      key.target instanceof HTMLInputElement &&
      key.target !== this._keyInput
    ) {
      key.preventDefault();
      void this._push();
    }
  }

  protected onAfterAttach(): void {
    this.node.addEventListener('keydown', this);
    void this._prepare();
    void this._loadOrganizations();
    this._cancelButton.focus();
  }

  protected onBeforeDetach(): void {
    this.node.removeEventListener('keydown', this);
  }

  // -- preparing the file ---------------------------------------------------

  private async _prepare(): Promise<void> {
    const { path, pusher } = this._options;
    try {
      const model = await pusher.prepare(path, {
        signal: this._preparing.signal,
        onProgress: progress => this._showPreparing(progress)
      });
      if (this.isDisposed) {
        return;
      }
      this._model = model;
      const summary = model.info.summary;
      this._fileLine.textContent = [
        summary.name ?? model.fileName,
        summary.version ? `v${summary.version}` : '',
        formatBytes(model.size),
        `sha256 ${model.sha256.slice(0, 12)}…`
      ]
        .filter(Boolean)
        .join(' · ');
      this._fileLine.title = `${path}\nsha256 ${model.sha256}`;
      if (!this._fieldsTouched) {
        const manifestTags = (model.info.manifest as { tags?: unknown }).tags;
        this._name.value =
          summary.name?.trim() || model.fileName.replace(/\.[^.]+$/, '');
        this._description.value = summary.description ?? '';
        this._tags.value = (
          Array.isArray(manifestTags)
            ? manifestTags.filter(t => typeof t === 'string')
            : summary.producerTags
        ).join(', ');
      }
      this._renderCollections();
    } catch (error) {
      if (this.isDisposed || this._preparing.signal.aborted) {
        return;
      }
      // on the file's own line: loading the lists clears the message area
      this._fileLine.textContent = errorText(error);
      this._fileLine.dataset.kind = 'error';
      this._state = 'failed';
    }
    this._refresh();
  }

  private _showPreparing(progress: IPushProgress): void {
    if (progress.phase === 'hashing' && progress.total > 0) {
      const percent = Math.floor((progress.loaded / progress.total) * 100);
      this._fileLine.textContent = this._trans.__(
        'Computing the checksum of %1… %2%',
        formatBytes(progress.total),
        percent
      );
    }
  }

  // -- organizations, orbits, collections -----------------------------------

  private _onConnectionChanged(): void {
    if (this._state !== 'pushing') {
      void this._loadOrganizations();
    }
  }

  private async _loadOrganizations(): Promise<void> {
    const token = ++this._loadToken;
    const { connection } = this._options;
    await connection.ready;
    if (this.isDisposed || token !== this._loadToken) {
      return;
    }
    this._registryLine.textContent = this._trans.__(
      'Registry: %1',
      connection.url
    );
    this._keyBox.hidden = true;
    this._clearMessage();
    this._orbits = [];
    this._collections = [];
    fill(this._orbit, [], '');
    fill(this._collection, [], '');
    try {
      this._client = connection.createClient();
      loading(this._org, this._trans);
      const organizations = await this._client.listOrganizations();
      if (this.isDisposed || token !== this._loadToken) {
        return;
      }
      this._organizations = organizations;
      if (organizations.length === 0) {
        fill(this._org, [], this._trans.__('No organization'));
        this._showMessage(
          this._trans.__(
            'This API key belongs to no organization: use a key created in an organization on the platform.'
          ),
          'error'
        );
      } else {
        const last = this._lastTarget();
        fill(
          this._org,
          organizations.map(o => ({ value: o.id, label: o.name })),
          '',
          last?.organizationId
        );
        await this._loadOrbits();
      }
    } catch (error) {
      if (token === this._loadToken && !this.isDisposed) {
        fill(this._org, [], this._trans.__('Not loaded'));
        this._showLoadError(error);
      }
    }
    this._refresh();
  }

  private async _loadOrbits(): Promise<void> {
    const token = ++this._loadToken;
    const org = this._org.value;
    fill(this._collection, [], '');
    if (!org || !this._client) {
      fill(this._orbit, [], '');
      this._refresh();
      return;
    }
    loading(this._orbit, this._trans);
    try {
      const orbits = await this._client.listOrbits(org);
      if (this.isDisposed || token !== this._loadToken) {
        return;
      }
      this._orbits = orbits;
      if (orbits.length === 0) {
        fill(this._orbit, [], this._trans.__('No orbit'));
        this._showMessage(
          this._trans.__(
            'This organization has no orbit yet: create one on the platform first.'
          ),
          'error'
        );
      } else {
        this._clearMessage();
        fill(
          this._orbit,
          orbits.map(o => ({ value: o.id, label: o.name })),
          '',
          this._lastTarget()?.orbitId
        );
        await this._loadCollections();
      }
    } catch (error) {
      if (token === this._loadToken && !this.isDisposed) {
        fill(this._orbit, [], this._trans.__('Not loaded'));
        this._showLoadError(error);
      }
    }
    this._refresh();
  }

  private async _loadCollections(): Promise<void> {
    const token = ++this._loadToken;
    const org = this._org.value;
    const orbit = this._orbit.value;
    if (!org || !orbit || !this._client) {
      fill(this._collection, [], '');
      this._refresh();
      return;
    }
    loading(this._collection, this._trans);
    try {
      const collections = await this._client.listAllCollections(org, orbit);
      if (this.isDisposed || token !== this._loadToken) {
        return;
      }
      this._collections = collections;
      this._clearMessage();
      this._renderCollections();
    } catch (error) {
      if (token === this._loadToken && !this.isDisposed) {
        fill(this._collection, [], this._trans.__('Not loaded'));
        this._showLoadError(error);
      }
    }
    this._refresh();
  }

  private _renderCollections(): void {
    if (this._collections.length === 0 && !this._orbit.value) {
      return;
    }
    const artifactType = this._model
      ? this._model.info.isModel
        ? 'model'
        : (this._model.info.summary.artifactType ?? 'model')
      : 'model';
    const fits = this._collections.filter(
      c =>
        !c.type ||
        !KNOWN_COLLECTION_TYPES.has(c.type) ||
        (HOLDS[artifactType] ?? []).includes(c.type)
    );
    const previous = this._collection.value || this._lastTarget()?.collectionId;
    if (fits.length === 0) {
      fill(this._collection, [], this._trans.__('No collection'));
      if (this._collections.length > 0 || this._orbit.value) {
        this._showMessage(
          this._trans.__(
            'This orbit has no collection that can hold a %1: create one on the platform, or choose another orbit.',
            artifactType
          ),
          'error'
        );
      }
    } else {
      fill(
        this._collection,
        fits.map(c => ({
          value: c.id,
          label:
            c.type && c.type !== artifactType ? `${c.name} (${c.type})` : c.name
        })),
        '',
        previous
      );
    }
    this._refresh();
  }

  private _showLoadError(error: unknown): void {
    const kind = error instanceof RegistryError ? error.kind : '';
    if (kind === 'missing-key' || kind === 'unauthorized') {
      this._keyMessage.textContent = errorText(error);
      this._keyBox.hidden = false;
      this._keyInput.value = '';
      this._keyInput.focus();
    } else {
      this._showMessage(errorText(error), 'error');
    }
  }

  private _saveKey(): void {
    const key = this._keyInput.value.trim();
    const problem = apiKeyProblem(key);
    if (problem) {
      this._keyMessage.textContent = problem;
      return;
    }
    this._keyInput.value = '';
    // changed → the lists load again with the new key
    this._options.connection.setApiKey(key);
  }

  private async _openConnection(): Promise<void> {
    await this._options.openConnectionSettings();
    if (!this.isDisposed) {
      this._content
        .querySelector<HTMLElement>('.jp-LumlPush-connection')
        ?.focus();
    }
  }

  /** The target of the latest push to this Registry, to preselect it. */
  private _lastTarget() {
    const url = this._options.connection.url;
    return this._options.pusher.records.all().find(r => r.registryUrl === url);
  }

  // -- pushing --------------------------------------------------------------

  private async _push(): Promise<void> {
    if (!this._canPush()) {
      return;
    }
    const model = this._model!;
    const org = this._organizations.find(o => o.id === this._org.value);
    const orbit = this._orbits.find(o => o.id === this._orbit.value);
    const collection = this._collections.find(
      c => c.id === this._collection.value
    );
    this._pushing = new AbortController();
    this._state = 'pushing';
    this._clearMessage();
    this._refresh();
    const meter = new TransferMeter(model.size);
    this._progressBox.hidden = false;
    this._progress.value = 0;
    try {
      const result = await this._options.pusher.push(model, {
        target: {
          organizationId: this._org.value,
          orbitId: this._orbit.value,
          collectionId: this._collection.value,
          organizationName: org?.name,
          orbitName: orbit?.name,
          collectionName: collection?.name
        },
        name: this._name.value.trim() || undefined,
        description: this._description.value,
        tags: parseTags(this._tags.value),
        signal: this._pushing.signal,
        onProgress: progress => this._showProgress(progress, meter)
      });
      this._resolve(result);
      this.dispose();
    } catch (error) {
      if (this.isDisposed) {
        return;
      }
      const cancelled =
        (error instanceof PushError && error.cancelled) || isCancelled(error);
      this._state = cancelled ? 'ready' : 'failed';
      this._progressBox.hidden = true;
      this._showMessage(errorText(error), cancelled ? 'info' : 'error');
      if (
        error instanceof PushError &&
        (error.kind === 'unauthorized' || error.kind === 'missing-key')
      ) {
        this._showLoadError(error.cause);
      }
    } finally {
      this._pushing = undefined;
      if (!this.isDisposed) {
        this._refresh();
      }
    }
  }

  private _showProgress(progress: IPushProgress, meter: TransferMeter): void {
    if (this.isDisposed) {
      return;
    }
    if (progress.retry) {
      const seconds = Math.max(1, Math.round(progress.retry.delayMs / 1000));
      this._progressText.textContent = this._trans.__(
        '%1 Trying again in %2 s (retry %3).',
        progress.retry.reason,
        seconds,
        progress.retry.attempt
      );
      return;
    }
    switch (progress.phase) {
      case 'creating':
        this._progressText.textContent = this._trans.__(
          'Creating the artifact…'
        );
        break;
      case 'uploading': {
        const snapshot = meter.update(progress.loaded);
        this._progress.value = progress.total
          ? progress.loaded / progress.total
          : 0;
        this._progressText.textContent = this._trans.__(
          'Uploading: %1',
          describeTransfer(snapshot)
        );
        break;
      }
      case 'confirming':
        this._progress.value = 1;
        this._progressText.textContent = this._trans.__(
          'Confirming the upload…'
        );
        break;
      case 'reporting':
        this._progressText.textContent = this._trans.__(
          'The upload did not finish; telling the Registry…'
        );
        break;
    }
  }

  private _cancel(): void {
    if (this._pushing) {
      this._cancelButton.disabled = true;
      this._progressText.textContent = this._trans.__('Cancelling…');
      this._pushing.abort();
      return;
    }
    this._resolve(undefined);
    this.dispose();
  }

  // -- rendering --------------------------------------------------------------

  private _canPush(): boolean {
    return (
      this._state !== 'pushing' &&
      this._model !== undefined &&
      !!this._collection.value &&
      this._keyBox.hidden
    );
  }

  private _refresh(): void {
    if (this._model && this._state === 'loading') {
      this._state = 'ready';
    }
    const pushing = this._state === 'pushing';
    for (const control of [
      this._org,
      this._orbit,
      this._collection,
      this._name,
      this._description,
      this._tags
    ]) {
      control.disabled =
        pushing || (control instanceof HTMLSelectElement && !control.value);
    }
    this._cancelButton.disabled = false;
    this._cancelButton.textContent = pushing
      ? this._trans.__('Cancel Push')
      : this._trans.__('Cancel');
    const duplicate =
      this._model && this._collection.value
        ? this._options.pusher.findDuplicate(
            this._model,
            this._options.connection.url,
            this._collection.value
          )
        : undefined;
    if (duplicate && !pushing) {
      const when = new Date(duplicate.pushedAt).toLocaleString();
      this._warning.textContent = this._trans.__(
        'These exact bytes were already pushed to %1 on %2 as artifact %3. Pushing again creates another artifact.',
        duplicate.collectionName ?? this._trans.__('this collection'),
        when,
        duplicate.artifactId
      );
      this._warning.hidden = false;
    } else {
      this._warning.hidden = true;
    }
    this._pushButton.textContent =
      this._state === 'failed' && this._model
        ? this._trans.__('Retry')
        : duplicate
          ? this._trans.__('Push Again')
          : this._trans.__('Push');
    this._pushButton.disabled = !this._canPush();
  }

  private _showMessage(text: string, kind: 'error' | 'info'): void {
    this._message.textContent = text;
    this._message.dataset.kind = kind;
  }

  private _clearMessage(): void {
    this._message.textContent = '';
    delete this._message.dataset.kind;
  }

  private _select(
    parent: HTMLElement,
    key: string,
    label: string
  ): HTMLSelectElement {
    const select = document.createElement('select');
    this._field(parent, key, label, select);
    return select;
  }

  private _field(
    parent: HTMLElement,
    key: string,
    label: string,
    control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement
  ): void {
    control.id = `${this._id}-${key}`;
    control.classList.add('jp-mod-styled', `jp-LumlPush-${key}`);
    const labelNode = el('label', 'jp-LumlPush-label', label);
    (labelNode as HTMLLabelElement).htmlFor = control.id;
    parent.append(labelNode, control);
  }

  private _trapFocus(event: KeyboardEvent): void {
    const focusable = Array.from(
      this._content.querySelectorAll<HTMLElement>(
        'button, input, select, textarea, [tabindex]:not([tabindex="-1"])'
      )
    ).filter(
      e => !(e as HTMLButtonElement).disabled && e.offsetParent !== null
    );
    if (focusable.length === 0) {
      return;
    }
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }
}

function fill(
  select: HTMLSelectElement,
  options: { value: string; label: string }[],
  emptyText: string,
  preferred?: string
): void {
  select.replaceChildren();
  if (options.length === 0) {
    if (emptyText) {
      const option = document.createElement('option');
      option.value = '';
      option.textContent = emptyText;
      select.appendChild(option);
    }
    select.disabled = true;
    return;
  }
  for (const { value, label } of options) {
    const option = document.createElement('option');
    option.value = value;
    option.textContent = label;
    select.appendChild(option);
  }
  select.value =
    preferred && options.some(o => o.value === preferred)
      ? preferred
      : options[0].value;
  select.disabled = false;
}

function loading(select: HTMLSelectElement, trans: TranslationBundle): void {
  fill(select, [], trans.__('Loading…'));
}
