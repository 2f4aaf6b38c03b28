import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { IDefaultNotebooks, IDefaultStatus } from '../tokens';
import { stateDescription, stateLabel } from './stateLabels';

/**
 * What the panel's buttons do; the plugin runs the commands.
 */
export interface IDefaultsPanelActions {
  open(path: string): void;
  compare(path: string): void;
  reset(path: string): void;
}

/**
 * The Default Notebooks view: every default file with its state, and the
 * actions on it. Built by hand; every path is set as text.
 */
export class DefaultsPanel extends Widget {
  constructor(
    defaults: IDefaultNotebooks,
    actions: IDefaultsPanelActions,
    trans: TranslationBundle
  ) {
    super();
    this._defaults = defaults;
    this._actions = actions;
    this._trans = trans;
    this.addClass('jp-LumlDefaults-panel');
    this.node.tabIndex = -1;

    const header = document.createElement('div');
    header.className = 'jp-LumlDefaults-header';
    const title = document.createElement('h2');
    title.textContent = trans.__('Default Notebooks');
    const intro = document.createElement('p');
    intro.textContent = trans.__(
      'These files ship with the site. Your edits are kept in this browser, and a site update never overwrites them: when a newer version is shipped, compare it with your copy and reset when you are ready. Deleting a default brings back the shipped version.'
    );
    const refresh = document.createElement('button');
    refresh.className = 'jp-mod-styled jp-LumlDefaults-refresh';
    refresh.textContent = trans.__('Check again');
    refresh.addEventListener('click', () => {
      void this._defaults.refresh();
    });
    header.append(title, intro, refresh);

    this._table = document.createElement('table');
    this._table.className = 'jp-LumlDefaults-table';
    const head = this._table.createTHead().insertRow();
    for (const label of [
      trans.__('File'),
      trans.__('State'),
      trans.__('Actions')
    ]) {
      const cell = document.createElement('th');
      cell.scope = 'col';
      cell.textContent = label;
      head.appendChild(cell);
    }
    this._body = this._table.createTBody();
    this._empty = document.createElement('p');
    this._empty.className = 'jp-LumlDefaults-empty';
    this._empty.textContent = trans.__('This site ships no default files.');

    this.node.append(header, this._table, this._empty);
    defaults.changed.connect(this._render, this);
    this._render();
  }

  dispose(): void {
    this._defaults.changed.disconnect(this._render, this);
    super.dispose();
  }

  private _render(): void {
    const statuses = this._defaults.statuses;
    this._empty.hidden = statuses.length > 0;
    this._table.hidden = statuses.length === 0;
    this._body.replaceChildren(...statuses.map(s => this._row(s)));
  }

  private _row(status: IDefaultStatus): HTMLTableRowElement {
    const row = document.createElement('tr');
    row.className = `jp-LumlDefaults-row jp-LumlDefaults-${status.state}`;
    row.dataset.path = status.path;

    const file = row.insertCell();
    file.className = 'jp-LumlDefaults-path';
    file.textContent = status.path;

    const state = row.insertCell();
    const badge = document.createElement('span');
    badge.className = 'jp-LumlDefaults-state';
    badge.textContent = stateLabel(status.state, this._trans);
    badge.title = stateDescription(status.state, this._trans);
    state.appendChild(badge);

    const actions = row.insertCell();
    actions.className = 'jp-LumlDefaults-actions';
    const changed = status.state !== 'shipped';
    const trans = this._trans;
    actions.append(
      this._button(trans.__('Open'), trans.__('Open %1', status.path), () =>
        this._actions.open(status.path)
      ),
      this._button(
        trans.__('Compare'),
        trans.__(
          'Compare your copy of %1 with the shipped version',
          status.path
        ),
        () => this._actions.compare(status.path),
        !changed
      ),
      this._button(
        trans.__('Reset to shipped version…'),
        trans.__('Bring back the shipped version of %1', status.path),
        () => this._actions.reset(status.path),
        !changed
      )
    );
    return row;
  }

  private _button(
    label: string,
    title: string,
    onClick: () => void,
    disabled = false
  ): HTMLButtonElement {
    const button = document.createElement('button');
    button.className = 'jp-mod-styled jp-LumlDefaults-action';
    button.textContent = label;
    button.title = title;
    button.setAttribute('aria-label', title);
    button.disabled = disabled;
    button.addEventListener('click', onClick);
    return button;
  }

  private _defaults: IDefaultNotebooks;
  private _actions: IDefaultsPanelActions;
  private _trans: TranslationBundle;
  private _table: HTMLTableElement;
  private _body: HTMLTableSectionElement;
  private _empty: HTMLElement;
}
