import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { SidePanel } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { Panel, Widget } from '@lumino/widgets';

import { CommandIDs } from '../commands';
import { modelIcon } from '../common/icons';
import type { IPushRecord } from '../registry/pushRecords';
import { IDiscoveredModel, IModelDiscovery } from '../discovery/tokens';
import { el } from '../common/dom';
import { commandButton, updateCommandButton } from './modelActions';
import { formatBytes } from '../common/byteSize';
import { readFailureText } from '../format/lumlReader';
import {
  displayName,
  formatWhen,
  modelVersion,
  producerText
} from './modelText';
import type { IModelsPanel } from './tokens';

export type ModelsSortKey = 'name' | 'modified' | 'size';

/** Actions shown on each row, in order. */
const ROW_ACTIONS = [
  CommandIDs.inspectModel,
  CommandIDs.showModelInFileBrowser,
  CommandIDs.downloadModel,
  CommandIDs.pushModel,
  CommandIDs.deleteModel
];

const MAX_ROW_TAGS = 6;
const SELECTED = 'jp-mod-selected';
// the row actions are built once, for a path that stands for any model
const TEMPLATE_PATH = 'model.luml';

/** What the panel needs of the push records to show "in the Registry". */
export interface IPushRecordSource {
  forPath(path: string): readonly IPushRecord[];
  readonly changed: ISignal<unknown, void>;
}

export interface IModelsPanelOptions {
  discovery: IModelDiscovery;
  commands: CommandRegistry;
  translator?: ITranslator;
  /** Pushes to the Registry, when pushing is available. */
  pushRecords?: IPushRecordSource;
}

/**
 * The Models sidebar: every model file of the instance with what its
 * metadata says, a filter and a sort order. Rows are tab stops; Enter
 * inspects, Delete deletes (key bindings on `.jp-LumlModels-item:focus`),
 * arrows move between rows.
 *
 * A side panel: a header (title and count), a toolbar and the list. The
 * panel owns the view (filter, sort key, order); the toolbar's items, set
 * in the settings (`jupyter.lab.toolbars`), show and change it.
 */
export class ModelsPanel extends SidePanel implements IModelsPanel {
  constructor(options: IModelsPanelOptions) {
    super({ content: new Panel(), translator: options.translator });
    this._discovery = options.discovery;
    this._commands = options.commands;
    this._pushRecords = options.pushRecords ?? null;
    // ours: SidePanel keeps JupyterLab's own bundle as `_trans`
    this._bundle = (options.translator ?? nullTranslator).load(
      'luml_notebooks'
    );
    const trans = this._bundle;
    this.addClass('jp-LumlModels');
    this.title.icon = modelIcon;
    this.title.caption = trans.__('Models');

    const header = new Widget({ node: el('div', 'jp-LumlModels-header') });
    header.node.appendChild(
      el('h2', 'jp-LumlModels-title', trans.__('Models'))
    );
    this._count = el('span', 'jp-LumlModels-count');
    header.node.appendChild(this._count);
    this.header.addWidget(header);

    this.toolbar.addClass('jp-LumlModels-toolbar');
    this.toolbar.node.setAttribute('aria-label', trans.__('Models toolbar'));

    const body = new Widget();
    body.addClass('jp-LumlModels-body');
    this._status = el('div', 'jp-LumlModels-status');
    this._status.setAttribute('role', 'status');
    this._status.setAttribute('aria-live', 'polite');
    body.node.appendChild(this._status);

    this._list = el('ul', 'jp-LumlModels-list');
    this._list.setAttribute('aria-label', trans.__('Models'));
    this._list.addEventListener('keydown', this._onListKeydown);
    this._list.addEventListener('click', this._onListClick);
    body.node.appendChild(this._list);

    this._empty = el('div', 'jp-LumlModels-empty');
    body.node.appendChild(this._empty);
    this.content.addWidget(body);

    this._discovery.changed.connect(this._onModelsChanged, this);
    this._commands.commandChanged.connect(this._onCommandChanged, this);
    this._pushRecords?.changed.connect(this._onPushed, this);
  }

  /** The path of the selected model (the focused or last clicked row). */
  get selectedPath(): string | null {
    return this._selected;
  }

  /** Emitted when the selected model changes. */
  get selectionChanged(): ISignal<this, string | null> {
    return this._selectionChanged;
  }

  /** The filter: only models whose metadata holds this text are shown. */
  get filter(): string {
    return this._filter;
  }
  set filter(value: string) {
    if (this._filter !== value) {
      this._filter = value;
      this._emitViewChanged();
    }
  }

  /** What the models are sorted by. */
  get sortKey(): ModelsSortKey {
    return this._sortKey;
  }
  /** Sort by another key, in the order that suits it best. */
  set sortKey(key: ModelsSortKey) {
    if (this._sortKey !== key) {
      this._sortKey = key;
      // names read best A→Z; times and sizes biggest first
      this._ascending = key === 'name';
      this._emitViewChanged();
    }
  }

  /** Whether the models are in ascending order of the sort key. */
  get ascending(): boolean {
    return this._ascending;
  }
  set ascending(value: boolean) {
    if (this._ascending !== value) {
      this._ascending = value;
      this._emitViewChanged();
    }
  }

  /** Emitted when the filter, the sort key or the order changes. */
  get viewChanged(): ISignal<this, void> {
    return this._viewChanged;
  }

  /** Select (and focus) the row of a model. */
  select(path: string | null, focus = false): void {
    if (this._selected !== path) {
      this._rows.get(this._selected ?? '')?.classList.remove(SELECTED);
      this._selected = path;
      const row = this._rows.get(path ?? '');
      row?.classList.add(SELECTED);
      if (row && !row.hidden) {
        this._setTabStop(row);
      }
      this._selectionChanged.emit(path);
    }
    if (focus && path) {
      this._rows.get(path)?.focus();
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._discovery.changed.disconnect(this._onModelsChanged, this);
    this._commands.commandChanged.disconnect(this._onCommandChanged, this);
    this._pushRecords?.changed.disconnect(this._onPushed, this);
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    if (this._dirty) {
      this._render();
    }
  }

  protected onAfterAttach(msg: Message): void {
    this._render();
  }

  private _onModelsChanged(): void {
    this._render();
  }

  private _emitViewChanged(): void {
    this._viewChanged.emit();
    this._render();
  }

  /** A push was recorded: update the rows' Registry line in place. */
  private _onPushed(): void {
    for (const row of this._rows.values()) {
      const model = this._rowModels.get(row);
      if (model) {
        this._renderRegistry(row, model);
      }
    }
  }

  /** "In the Registry" under a model that was pushed from this instance. */
  private _renderRegistry(row: HTMLElement, model: IDiscoveredModel): void {
    row.querySelector('.jp-LumlModels-registry')?.remove();
    const record = this._pushRecords?.forPath(model.path)[0];
    if (!record) {
      return;
    }
    const trans = this._bundle;
    const collection = record.collectionName ?? trans.__('a collection');
    // pushed bytes are only known to match while the file is unchanged
    const unchanged =
      record.size === model.size &&
      Date.parse(model.lastModified) <= Date.parse(record.pushedAt);
    const line = el(
      'div',
      'jp-LumlModels-registry',
      unchanged
        ? trans.__(
            'In the Registry: %1 · artifact %2',
            collection,
            record.artifactId.slice(0, 8)
          )
        : trans.__(
            'An earlier version is in the Registry: %1 · artifact %2',
            collection,
            record.artifactId.slice(0, 8)
          )
    );
    line.dataset.state = unchanged ? 'pushed' : 'changed';
    line.title = trans.__(
      'Pushed %1 to %2, collection %3, as artifact %4',
      new Date(record.pushedAt).toLocaleString(),
      record.registryUrl,
      collection,
      record.artifactId
    );
    row.querySelector('.jp-LumlModels-path')?.before(line);
  }

  private _onCommandChanged(
    sender: CommandRegistry,
    args: CommandRegistry.ICommandChangedArgs
  ): void {
    if (args.type === 'added' || args.type === 'removed') {
      // plugins activated after the panel (push) bring row actions late
      if (args.id && ROW_ACTIONS.includes(args.id)) {
        this._rebuildActions();
      }
      return;
    }
    if (this._actions) {
      this._actions
        .querySelectorAll<HTMLButtonElement>('button[data-command]')
        .forEach(b =>
          updateCommandButton(this._commands, b, { path: TEMPLATE_PATH })
        );
    }
    for (const [path, row] of this._rows) {
      row
        .querySelectorAll<HTMLButtonElement>('button[data-command]')
        .forEach(b => updateCommandButton(this._commands, b, { path }));
    }
  }

  /** Rebuild the list; rows of unchanged models are reused. */
  private _render(): void {
    if (!this.isVisible) {
      this._dirty = true;
      return;
    }
    this._dirty = false;
    const start = performance.now();
    const all = [...this._discovery.models];
    sortModels(all, this._sortKey, this._ascending);
    const query = this._filter.trim().toLowerCase();

    const focusedPath = this._list.contains(document.activeElement)
      ? ((document.activeElement as HTMLElement).closest<HTMLElement>(
          '.jp-LumlModels-item'
        )?.dataset.path ?? null)
      : null;

    // Every model has a row, in order; the filter only hides rows, since
    // moving a thousand rows costs a full style and layout pass.
    const rows = new Map<string, HTMLElement>();
    const ordered: HTMLElement[] = [];
    const shown: HTMLElement[] = [];
    for (const model of all) {
      let row = this._rows.get(model.path);
      if (!row || this._rowModels.get(row) !== model) {
        row = this._createRow(model);
      }
      const visible = matches(model, query);
      if (row.hidden === visible) {
        row.hidden = !visible;
      }
      rows.set(model.path, row);
      ordered.push(row);
      if (visible) {
        shown.push(row);
      }
    }
    this._rows = rows;
    const current = this._list.children;
    if (
      current.length !== ordered.length ||
      ordered.some((row, i) => current[i] !== row)
    ) {
      this._list.replaceChildren(...ordered);
    }

    if (this._selected && !this._discovery.get(this._selected)) {
      // the selected model is gone: select its neighbour, keep focus there
      const next = shown[Math.min(this._selectedIndex, shown.length - 1)];
      this.select(
        next?.dataset.path ?? null,
        focusedPath !== null || this._focusLost()
      );
    } else if (focusedPath && rows.get(focusedPath)?.hidden === false) {
      rows.get(focusedPath)!.focus({ preventScroll: true });
    }
    this._setTabStop(
      shown.find(r => r.dataset.path === this._selected) ?? shown[0] ?? null
    );
    this._selectedIndex = Math.max(
      0,
      shown.findIndex(r => r.dataset.path === this._selected)
    );

    this._renderCount(shown.length, all.length);
    this._renderStatus();
    this._renderEmpty(shown.length, all.length);
    measure('luml-notebooks:models-panel-render', start, {
      rows: shown.length
    });
  }

  /**
   * Make one row the list's only tab stop, so Tab enters and leaves the
   * list in one step however many models it holds.
   */
  private _setTabStop(row: HTMLElement | null): void {
    if (this._tabStop === row) {
      return;
    }
    if (this._tabStop) {
      this._tabStop.tabIndex = -1;
    }
    this._tabStop = row;
    if (row) {
      row.tabIndex = 0;
    }
  }

  /** True when focus fell to the page because a focused row went away. */
  private _focusLost(): boolean {
    return (
      document.activeElement === document.body ||
      document.activeElement === null
    );
  }

  private _renderCount(shown: number, total: number): void {
    const trans = this._bundle;
    this._count.textContent =
      total === 0
        ? ''
        : shown === total
          ? `${total}`
          : trans.__('%1 of %2', shown, total);
    this._count.title =
      shown === total
        ? trans._n('%1 model', '%1 models', total)
        : trans.__('%1 of %2 models shown', shown, total);
  }

  private _renderStatus(): void {
    const pending = this._discovery.pending;
    const trans = this._bundle;
    let text = '';
    if (this._discovery.scanning) {
      text = trans.__('Looking for models…');
    } else if (pending.length === 1) {
      const name = pending[0].slice(pending[0].lastIndexOf('/') + 1);
      text = trans.__('Reading %1…', name);
    } else if (pending.length > 1) {
      text = trans.__('Reading %1 model files…', pending.length);
    }
    this._status.textContent = text;
    this._status.hidden = text === '';
  }

  private _renderEmpty(shown: number, total: number): void {
    const trans = this._bundle;
    this._empty.replaceChildren();
    if (total === 0 && this._discovery.scanning) {
      this._empty.hidden = true;
      return;
    }
    if (total === 0) {
      this._empty.appendChild(
        el('p', 'jp-LumlModels-emptyTitle', trans.__('No models yet'))
      );
      this._empty.appendChild(
        el(
          'p',
          undefined,
          trans.__(
            'A model shows up here as soon as a notebook saves it as a .luml file, in any folder of this instance. For example:'
          )
        )
      );
      this._empty.appendChild(
        el('code', 'jp-LumlModels-code', 'builder.save("my_model.luml")')
      );
      this._empty.appendChild(
        el(
          'code',
          'jp-LumlModels-code',
          'save_sklearn(estimator, inputs, path="my_model.luml")'
        )
      );
      this._empty.appendChild(
        el(
          'p',
          undefined,
          trans.__(
            'The notebook "Build a model" shows the whole way. Files with the older names .dfs, .fnnx and .pyfnx are listed too.'
          )
        )
      );
      this._empty.hidden = false;
      return;
    }
    if (shown === 0) {
      this._empty.appendChild(
        el(
          'p',
          undefined,
          trans.__('No model matches “%1”.', this._filter.trim())
        )
      );
      const clear = el(
        'button',
        'jp-mod-styled jp-LumlModels-clear',
        trans.__('Clear filter')
      );
      clear.type = 'button';
      clear.addEventListener('click', () => {
        this.filter = '';
        const box = this.toolbar.node.querySelector<HTMLElement>(
          '.jp-LumlModels-filter'
        );
        (box ?? this._tabStop)?.focus();
      });
      this._empty.appendChild(clear);
      this._empty.hidden = false;
      return;
    }
    this._empty.hidden = true;
  }

  private _createRow(model: IDiscoveredModel): HTMLElement {
    const row = el('li', 'jp-LumlModels-item');
    // one row is the list's tab stop (see _setTabStop); arrows move on
    row.tabIndex = -1;
    row.dataset.path = model.path;
    row.classList.toggle(SELECTED, model.path === this._selected);
    const name = displayName(model);
    const version = modelVersion(model);
    const ok = model.result.ok;
    row.setAttribute(
      'aria-label',
      ok
        ? version
          ? this._bundle.__('%1, version %2, %3', name, version, model.path)
          : `${name}, ${model.path}`
        : this._bundle.__('%1, unreadable, %2', model.name, model.path)
    );
    if (!ok) {
      row.classList.add('jp-mod-unreadable');
    }

    const top = el('div', 'jp-LumlModels-itemTop');
    top.appendChild(
      modelIcon.element({ tag: 'span', className: 'jp-LumlModels-itemIcon' })
    );
    top.appendChild(el('span', 'jp-LumlModels-name', name));
    if (version) {
      top.appendChild(el('span', 'jp-LumlModels-version', version));
    }
    row.appendChild(top);

    if (model.result.ok) {
      const summary = model.result.summary;
      if (summary.description) {
        row.appendChild(
          el('div', 'jp-LumlModels-description', summary.description)
        );
      }
    } else {
      const reason = el('div', 'jp-LumlModels-reason');
      reason.appendChild(
        el('strong', undefined, this._bundle.__('Unreadable: '))
      );
      reason.appendChild(
        document.createTextNode(readFailureText(model.result, this._trans))
      );
      row.appendChild(reason);
    }

    const details = el('div', 'jp-LumlModels-details');
    const producer = producerText(model);
    if (producer) {
      details.appendChild(el('span', 'jp-LumlModels-producer', producer));
    }
    details.appendChild(
      el('span', 'jp-LumlModels-size', formatBytes(model.size))
    );
    const when = formatWhen(model.lastModified);
    if (when.text) {
      const time = el('span', 'jp-LumlModels-modified', when.text);
      time.title = this._bundle.__('Last changed %1', when.title);
      details.appendChild(time);
    }
    row.appendChild(details);

    const tags = model.result.ok ? model.result.summary.producerTags : [];
    if (tags.length > 0) {
      const tagBox = el('div', 'jp-LumlModels-tags');
      for (const tag of tags.slice(0, MAX_ROW_TAGS)) {
        tagBox.appendChild(el('span', 'jp-LumlModels-tag', tag));
      }
      if (tags.length > MAX_ROW_TAGS) {
        tagBox.appendChild(
          el('span', 'jp-LumlModels-tag', `+${tags.length - MAX_ROW_TAGS}`)
        );
      }
      row.appendChild(tagBox);
    }

    const path = el('div', 'jp-LumlModels-path', model.path);
    path.title = model.path;
    row.appendChild(path);
    this._renderRegistry(row, model);

    // a copy of one prepared set of buttons: a list of a thousand rows
    // builds quickly; clicks are handled once, on the list
    row.appendChild(this._actionsTemplate().cloneNode(true));

    row.addEventListener('focus', () => this.select(model.path));
    row.addEventListener('mousedown', () => this.select(model.path));
    // the context menu acts on the row it was opened on
    row.addEventListener('contextmenu', () => this.select(model.path));
    row.addEventListener('dblclick', event => {
      if ((event.target as HTMLElement).closest('.jp-LumlModels-actions')) {
        return; // a quick second click on a button is not a request to open
      }
      void this._commands.execute(CommandIDs.inspectModel, {
        path: model.path
      });
    });
    this._rowModels.set(row, model);
    return row;
  }

  /** Build the row buttons again, as the commands now say. */
  private _rebuildActions(): void {
    if (!this._actions) {
      return; // not built yet: the first render builds them
    }
    this._actions = null;
    for (const [path, row] of this._rows) {
      const actions = this._actionsTemplate().cloneNode(true) as HTMLElement;
      row.querySelector('.jp-LumlModels-actions')?.replaceWith(actions);
      actions
        .querySelectorAll<HTMLButtonElement>('button[data-command]')
        .forEach(b => updateCommandButton(this._commands, b, { path }));
    }
  }

  /** The row actions, enabled as for any model path. */
  private _actionsTemplate(): HTMLElement {
    if (!this._actions) {
      const args = { path: TEMPLATE_PATH };
      this._actions = el('div', 'jp-LumlModels-actions');
      for (const id of ROW_ACTIONS) {
        const button = commandButton(this._commands, id, () => args, {
          className: 'jp-LumlModels-action',
          focusable: false
        });
        this._actions.appendChild(button);
      }
    }
    return this._actions;
  }

  private readonly _onListClick = (event: MouseEvent): void => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>(
      '.jp-LumlModels-action'
    );
    const path = button?.closest<HTMLElement>('.jp-LumlModels-item')?.dataset
      .path;
    const id = button?.dataset.command;
    if (!button || !path || !id || button.disabled) {
      return;
    }
    event.stopPropagation();
    void this._commands.execute(id, { path });
  };

  private readonly _onListKeydown = (event: KeyboardEvent): void => {
    const row = (event.target as HTMLElement).closest<HTMLElement>(
      '.jp-LumlModels-item'
    );
    if (!row || event.target !== row) {
      return;
    }
    const rows = (Array.from(this._list.children) as HTMLElement[]).filter(
      r => !r.hidden
    );
    const index = rows.indexOf(row);
    let target: HTMLElement | undefined;
    switch (event.key) {
      case 'ArrowDown':
        target = rows[index + 1];
        break;
      case 'ArrowUp':
        target = rows[index - 1];
        break;
      case 'Home':
        target = rows[0];
        break;
      case 'End':
        target = rows[rows.length - 1];
        break;
      default:
        return;
    }
    event.preventDefault();
    target?.focus();
  };

  private readonly _discovery: IModelDiscovery;
  private readonly _commands: CommandRegistry;
  private readonly _pushRecords: IPushRecordSource | null;
  private readonly _bundle: TranslationBundle;
  private readonly _count: HTMLElement;
  private readonly _status: HTMLElement;
  private readonly _list: HTMLUListElement;
  private readonly _empty: HTMLElement;
  private readonly _selectionChanged = new Signal<this, string | null>(this);
  private readonly _viewChanged = new Signal<this, void>(this);
  private readonly _rowModels = new WeakMap<HTMLElement, IDiscoveredModel>();
  private _rows = new Map<string, HTMLElement>();
  private _actions: HTMLElement | null = null;
  private _tabStop: HTMLElement | null = null;
  private _selected: string | null = null;
  private _selectedIndex = 0;
  private _filter = '';
  private _sortKey: ModelsSortKey = 'modified';
  private _ascending = false;
  private _dirty = true;
}

function matches(model: IDiscoveredModel, query: string): boolean {
  if (!query) {
    return true;
  }
  const fields = [model.path, displayName(model)];
  if (model.result.ok) {
    const s = model.result.summary;
    fields.push(
      s.version ?? '',
      s.description ?? '',
      s.producerName ?? '',
      ...s.producerTags
    );
  } else {
    fields.push('unreadable', model.result.reason);
  }
  return fields.some(f => f.toLowerCase().includes(query));
}

const collator = new Intl.Collator(undefined, {
  numeric: true,
  sensitivity: 'base'
});

function sortModels(
  models: IDiscoveredModel[],
  key: ModelsSortKey,
  ascending: boolean
): void {
  const sign = ascending ? 1 : -1;
  models.sort((a, b) => {
    let order = 0;
    if (key === 'size') {
      order = a.size - b.size;
    } else if (key === 'modified') {
      order = timeOf(a) - timeOf(b);
    }
    if (order === 0) {
      order = collator.compare(displayName(a), displayName(b));
    }
    if (order === 0) {
      order = collator.compare(a.path, b.path);
    }
    return sign * order;
  });
}

function timeOf(model: IDiscoveredModel): number {
  const t = Date.parse(model.lastModified);
  return Number.isNaN(t) ? 0 : t;
}

function measure(name: string, start: number, detail: unknown): void {
  try {
    performance.measure(name, { start, end: performance.now(), detail });
  } catch {
    // User Timing is a diagnostic aid; its absence changes nothing
  }
}
