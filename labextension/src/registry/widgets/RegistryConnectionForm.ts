import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { apiKeyProblem } from '../apiKeyStore';
import { parseRegistryUrl } from '../client/registryUrl';
import { IConnectionReport, KeySource } from '../registryConnection';
import { button } from '../../common/dom';
import { renderMessage } from '../../common/messages';

export interface IConnectionFormValue {
  /** The URL as typed ('' means the site's default). */
  url: string;
  /** A new key, or '' to keep the saved one. */
  apiKey: string;
}

export interface IConnectionFormOptions {
  url: string;
  defaultUrl: string;
  keySource: KeySource;
  /** Try the typed values without saving them. */
  test: (value: IConnectionFormValue) => Promise<IConnectionReport>;
  trans: TranslationBundle;
}

function keySourceText(source: KeySource, trans: TranslationBundle): string {
  switch (source) {
    case 'browser':
      return trans.__('A key for this Registry is saved in this browser.');
    case 'local-registry':
      return trans.__(
        'Using the key of the local Registry that serves this site; a key entered here replaces it.'
      );
    default:
      return trans.__('No key is set for this Registry yet.');
  }
}

let nextId = 0;

/**
 * The body of the Registry connection dialog: URL, API key (masked, never
 * shown back), and a Test connection button. Strings are set as text only.
 */
export class RegistryConnectionForm extends Widget {
  private _url: HTMLInputElement;
  private _key: HTMLInputElement;
  private _result: HTMLElement;
  private _testing?: AbortController;

  constructor(private readonly _options: IConnectionFormOptions) {
    super();
    const trans = _options.trans;
    this.addClass('jp-LumlConnection');
    const id = `jp-LumlConnection-${++nextId}`;

    this._url = input(`${id}-url`, 'url');
    this._url.placeholder = _options.defaultUrl;
    this._url.value = _options.url === _options.defaultUrl ? '' : _options.url;
    this._url.spellcheck = false;
    field(
      this.node,
      trans.__('Registry URL'),
      this._url,
      trans.__("Empty: the site's default (%1).", _options.defaultUrl)
    );

    this._key = input(`${id}-key`, 'password');
    this._key.autocomplete = 'off';
    this._key.spellcheck = false;
    this._key.placeholder =
      _options.keySource === 'none'
        ? trans.__('dfs_…')
        : trans.__('•••••••• (saved)');
    const keyRow = document.createElement('div');
    keyRow.className = 'jp-LumlConnection-keyRow';
    keyRow.appendChild(this._key);
    const reveal = button(trans.__('Show'), 'jp-LumlConnection-reveal');
    reveal.setAttribute('aria-pressed', 'false');
    reveal.setAttribute('aria-label', trans.__('Show the key while typing'));
    reveal.onclick = () => {
      const show = this._key.type === 'password';
      this._key.type = show ? 'text' : 'password';
      reveal.textContent = show ? trans.__('Hide') : trans.__('Show');
      reveal.setAttribute('aria-pressed', String(show));
    };
    keyRow.appendChild(reveal);
    field(
      this.node,
      trans.__('API key'),
      keyRow,
      trans.__(
        '%1 Keys are kept in this browser only, never in notebooks, settings or backups.',
        keySourceText(_options.keySource, trans)
      ),
      this._key.id
    );

    const actions = document.createElement('div');
    actions.className = 'jp-LumlConnection-actions';
    const test = button(trans.__('Test connection'), 'jp-LumlConnection-test');
    test.onclick = () => void this._test(test);
    actions.appendChild(test);
    this.node.appendChild(actions);

    // an :invalid input makes the dialog disable its Save button
    this._url.addEventListener('input', () => this._validate());
    this._key.addEventListener('input', () => this._validate());

    this._result = document.createElement('div');
    this._result.className = 'jp-LumlConnection-result';
    this._result.setAttribute('role', 'status');
    this._result.setAttribute('aria-live', 'polite');
    this.node.appendChild(this._result);
  }

  getValue(): IConnectionFormValue {
    return { url: this._url.value.trim(), apiKey: this._key.value.trim() };
  }

  /** Why the typed values cannot be saved, if they cannot. */
  problem(): string | undefined {
    const value = this.getValue();
    if (value.url) {
      const parsed = parseRegistryUrl(value.url);
      if (!parsed.ok) {
        return renderMessage(parsed.userMessage, this._options.trans);
      }
    }
    return value.apiKey ? apiKeyProblem(value.apiKey) : undefined;
  }

  private _validate(): void {
    const value = this.getValue();
    const url = value.url ? parseRegistryUrl(value.url) : { ok: true as const };
    this._url.setCustomValidity(
      url.ok ? '' : renderMessage(url.userMessage, this._options.trans)
    );
    const keyProblem = value.apiKey ? apiKeyProblem(value.apiKey) : undefined;
    this._key.setCustomValidity(keyProblem ?? '');
    const problem = this.problem();
    if (problem) {
      this._show(problem, false);
    } else if (this._result.dataset.state === 'error') {
      this._show('', undefined);
    }
  }

  dispose(): void {
    this._testing?.abort();
    super.dispose();
  }

  protected onAfterAttach(): void {
    this._url.focus();
  }

  private async _test(trigger: HTMLButtonElement): Promise<void> {
    const problem = this.problem();
    if (problem) {
      this._show(problem, false);
      return;
    }
    this._testing?.abort();
    this._testing = new AbortController();
    trigger.disabled = true;
    this._show(this._options.trans.__('Testing…'), undefined);
    try {
      const report = await this._options.test(this.getValue());
      if (!this.isDisposed) {
        this._show(
          renderMessage(report.userMessage, this._options.trans),
          report.ok
        );
      }
    } finally {
      trigger.disabled = false;
    }
  }

  private _show(text: string, ok: boolean | undefined): void {
    this._result.textContent = text;
    // not .jp-mod-error: the dialog would read it as an invalid form
    this._result.dataset.state =
      ok === undefined ? 'info' : ok ? 'ok' : 'error';
  }
}

function input(id: string, type: string): HTMLInputElement {
  const element = document.createElement('input');
  element.id = id;
  element.type = type;
  element.className = 'jp-mod-styled jp-LumlConnection-input';
  return element;
}

function field(
  parent: HTMLElement,
  label: string,
  control: HTMLElement,
  help: string,
  labelFor?: string
): void {
  const row = document.createElement('div');
  row.className = 'jp-LumlConnection-field';
  const labelNode = document.createElement('label');
  labelNode.textContent = label;
  labelNode.htmlFor = labelFor ?? control.id;
  const helpNode = document.createElement('div');
  helpNode.className = 'jp-LumlConnection-help';
  helpNode.textContent = help;
  helpNode.id = `${labelNode.htmlFor}-help`;
  (control instanceof HTMLInputElement
    ? control
    : control.querySelector('input'))!.setAttribute(
    'aria-describedby',
    helpNode.id
  );
  row.append(labelNode, control, helpNode);
  parent.appendChild(row);
}
