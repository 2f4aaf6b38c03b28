import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import {
  IChoiceList,
  IPushDialogModelOptions,
  PushDialogModel,
  PushDialogPhase
} from '../pushDialogModel';
import type { IPushResult } from '../pushService';
import { button, el } from '../../common/dom';

export interface IPushDialogOptions extends IPushDialogModelOptions {
  /** Opens the Registry connection settings (URL and key). */
  openConnectionSettings: () => Promise<unknown>;
  trans: TranslationBundle;
}

let nextId = 0;

/**
 * The push dialog: where to (organization, orbit, collection, read live from
 * the Registry), what (name, description, tags from the manifest), then a
 * progress bar with bytes and speed, and Cancel. Modal, keyboard operable;
 * every string from a file or the Registry is set as text. What it shows
 * and does is a `PushDialogModel`; this renders it and forwards the user's
 * actions.
 */
export class PushDialog extends Widget {
  /** Open the dialog; resolves with the result, or undefined when closed. */
  static open(options: IPushDialogOptions): Promise<IPushResult | undefined> {
    const dialog = new PushDialog(options);
    Widget.attach(dialog, document.body);
    return dialog._closed;
  }

  private readonly _id = `jp-LumlPush-${++nextId}`;
  private readonly _model: PushDialogModel;
  private _resolve!: (result: IPushResult | undefined) => void;
  private readonly _closed = new Promise<IPushResult | undefined>(
    resolve => (this._resolve = resolve)
  );
  /** The lists the pickers show, to rebuild their options only on change. */
  private readonly _shownChoices = new Map<HTMLSelectElement, IChoiceList>();

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

  private constructor(private readonly _options: IPushDialogOptions) {
    super();
    const trans = _options.trans;
    this._model = new PushDialogModel(_options);
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

    this._fileLine = el('div', 'jp-LumlPush-file');
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
    this._org.onchange = () =>
      void this._model.selectOrganization(this._org.value);
    this._orbit.onchange = () =>
      void this._model.selectOrbit(this._orbit.value);
    this._collection.onchange = () =>
      this._model.selectCollection(this._collection.value);

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
      input.addEventListener('input', () =>
        this._model.editFields({
          name: this._name.value,
          description: this._description.value,
          tags: this._tags.value
        })
      );
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

    this._model.changed.connect(this._render, this);
    this._model.keyRequested.connect(this._askForKey, this);
    this._render();
  }

  get state(): PushDialogPhase {
    return this._model.phase;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._model.dispose();
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
    void this._model.start();
    this._cancelButton.focus();
  }

  protected onBeforeDetach(): void {
    this.node.removeEventListener('keydown', this);
  }

  // -- user actions -----------------------------------------------------------

  private async _push(): Promise<void> {
    const result = await this._model.push();
    if (result && !this.isDisposed) {
      this._resolve(result);
      this.dispose();
    }
  }

  private _cancel(): void {
    if (this._model.cancel()) {
      this._resolve(undefined);
      this.dispose();
    }
  }

  private _saveKey(): void {
    // accepted → the connection changes and the lists load again
    if (this._model.saveKey(this._keyInput.value)) {
      this._keyInput.value = '';
    }
  }

  private _askForKey(): void {
    this._keyInput.value = '';
    // shown before focusing: a hidden input cannot take focus
    this._keyBox.hidden = false;
    this._keyInput.focus();
  }

  private async _openConnection(): Promise<void> {
    await this._options.openConnectionSettings();
    if (!this.isDisposed) {
      this._content
        .querySelector<HTMLElement>('.jp-LumlPush-connection')
        ?.focus();
    }
  }

  // -- rendering --------------------------------------------------------------

  private _render(): void {
    const model = this._model;
    const file = model.file;
    this._fileLine.textContent = file.text;
    this._fileLine.title = file.title;
    if (file.isError) {
      this._fileLine.dataset.kind = 'error';
    } else {
      delete this._fileLine.dataset.kind;
    }
    this._registryLine.textContent = model.registryText;
    this._keyBox.hidden = model.keyPrompt === null;
    this._keyMessage.textContent = model.keyPrompt ?? '';

    const pushing = model.phase === 'pushing';
    this._showChoices(this._org, model.organizations, pushing);
    this._showChoices(this._orbit, model.orbits, pushing);
    this._showChoices(this._collection, model.collections, pushing);
    const fields = model.fields;
    setValue(this._name, fields.name);
    setValue(this._description, fields.description);
    setValue(this._tags, fields.tags);
    for (const input of [this._name, this._description, this._tags]) {
      input.disabled = pushing;
    }

    const warning = model.duplicateWarning;
    this._warning.textContent = warning ?? '';
    this._warning.hidden = warning === undefined;

    const progress = model.progress;
    this._progressBox.hidden = progress === null;
    if (progress) {
      this._progress.value = progress.fraction;
      this._progressText.textContent = progress.text;
    }

    const message = model.message;
    this._message.textContent = message?.text ?? '';
    if (message) {
      this._message.dataset.kind = message.kind;
    } else {
      delete this._message.dataset.kind;
    }

    this._cancelButton.disabled = model.cancelling;
    this._cancelButton.textContent = model.cancelLabel;
    this._pushButton.textContent = model.pushLabel;
    this._pushButton.disabled = !model.canPush;
  }

  private _showChoices(
    select: HTMLSelectElement,
    list: IChoiceList,
    locked: boolean
  ): void {
    if (this._shownChoices.get(select)?.choices !== list.choices) {
      select.replaceChildren();
      if (list.choices.length === 0 && list.placeholder) {
        const option = document.createElement('option');
        option.value = '';
        option.textContent = list.placeholder;
        select.appendChild(option);
      }
      for (const { value, label } of list.choices) {
        const option = document.createElement('option');
        option.value = value;
        option.textContent = label;
        select.appendChild(option);
      }
    }
    this._shownChoices.set(select, list);
    if (list.choices.length > 0) {
      select.value = list.value;
    }
    select.disabled = locked || !list.value;
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

/** Set a form control's value only when it differs: typing is not disturbed. */
function setValue(
  control: HTMLInputElement | HTMLTextAreaElement,
  value: string
): void {
  if (control.value !== value) {
    control.value = value;
  }
}
