import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { caretDownIcon, caretUpIcon } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { el } from '../common/dom';
import type { ModelsPanel, ModelsSortKey } from './ModelsPanel';

/**
 * The toolbar factory name of the Models panel: the key of its items under
 * `jupyter.lab.toolbars` in the settings schema.
 */
export const MODELS_TOOLBAR = 'LumlModels';

/** Builds one toolbar item for the panel it is given. */
export type ModelsToolbarItemFactory = (panel: ModelsPanel) => Widget;

/**
 * The panel's own toolbar items, by the name the settings schema gives them.
 * Items that run a command (Refresh) need no factory: the toolbar registry
 * builds a button for any item that names a command.
 */
export function modelsToolbarFactories(
  translator: ITranslator
): Record<string, ModelsToolbarItemFactory> {
  const trans = translator.load('luml_notebooks');
  return {
    filter: panel => new ModelsFilter(panel, trans),
    sort: panel => new ModelsSort(panel, trans),
    order: panel => new ModelsOrder(panel, trans)
  };
}

/**
 * A toolbar item that shows a part of the panel's view (filter, sort key,
 * order). It follows the panel only while it is on the toolbar: a settings
 * change rebuilds the items, and a removed item is detached, not disposed.
 */
abstract class ModelsViewItem extends Widget {
  constructor(panel: ModelsPanel, node: HTMLElement) {
    super({ node });
    this.panel = panel;
  }

  /** Show what the panel's view now is. */
  protected abstract sync(): void;

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.panel.viewChanged.connect(this.sync, this);
    this.sync();
  }

  protected onBeforeDetach(msg: Message): void {
    this.panel.viewChanged.disconnect(this.sync, this);
    super.onBeforeDetach(msg);
  }

  protected readonly panel: ModelsPanel;
}

/** The filter box: rows whose metadata does not hold the text are hidden. */
class ModelsFilter extends ModelsViewItem {
  constructor(panel: ModelsPanel, trans: TranslationBundle) {
    const input = el('input', 'jp-LumlModels-filter jp-mod-styled');
    super(panel, input);
    this._input = input;
    input.type = 'search';
    input.placeholder = trans.__('Filter by name, tag, path…');
    input.setAttribute('aria-label', trans.__('Filter models'));
    input.addEventListener('input', () => {
      panel.filter = input.value;
    });
    // the toolbar moves between its items with the arrow keys; in a text
    // box they move the caret
    input.addEventListener('keydown', event => {
      if (TEXT_KEYS.has(event.key)) {
        event.stopPropagation();
      }
    });
  }

  protected sync(): void {
    if (this._input.value !== this.panel.filter) {
      this._input.value = this.panel.filter;
    }
  }

  protected onBeforeDetach(msg: Message): void {
    super.onBeforeDetach(msg);
    // A settings change puts every item back at once. A filter taken off
    // the toolbar for good must not go on hiding rows nobody can unhide.
    const panel = this.panel;
    void Promise.resolve().then(() => {
      if (
        !panel.isDisposed &&
        !panel.toolbar.node.querySelector('.jp-LumlModels-filter')
      ) {
        panel.filter = '';
      }
    });
  }

  private readonly _input: HTMLInputElement;
}

const TEXT_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'Home', 'End']);

/** The sort key: last change, name or size. */
class ModelsSort extends ModelsViewItem {
  constructor(panel: ModelsPanel, trans: TranslationBundle) {
    const label = el('label', 'jp-LumlModels-sortLabel', trans.__('Sort by'));
    super(panel, label);
    this._select = el('select', 'jp-LumlModels-sort');
    label.appendChild(this._select);
    const keys: [ModelsSortKey, string][] = [
      ['modified', trans.__('Last change')],
      ['name', trans.__('Name')],
      ['size', trans.__('Size')]
    ];
    for (const [value, text] of keys) {
      const option = el('option', undefined, text);
      option.value = value;
      this._select.appendChild(option);
    }
    this._select.addEventListener('change', () => {
      panel.sortKey = this._select.value as ModelsSortKey;
    });
  }

  protected sync(): void {
    this._select.value = this.panel.sortKey;
  }

  private readonly _select: HTMLSelectElement;
}

/** Ascending or descending order; a click reverses it. */
class ModelsOrder extends ModelsViewItem {
  constructor(panel: ModelsPanel, trans: TranslationBundle) {
    const button = el('button', 'jp-LumlModels-toolButton jp-LumlModels-order');
    super(panel, button);
    this._button = button;
    this._trans = trans;
    button.type = 'button';
    button.addEventListener('click', () => {
      panel.ascending = !panel.ascending;
    });
  }

  protected sync(): void {
    const ascending = this.panel.ascending;
    const trans = this._trans;
    this._button.replaceChildren(
      (ascending ? caretUpIcon : caretDownIcon).element({ tag: 'span' })
    );
    const label = ascending
      ? trans.__('Ascending order')
      : trans.__('Descending order');
    this._button.title = trans.__('%1 (click to reverse)', label);
    this._button.setAttribute('aria-label', label);
    this._button.setAttribute('aria-pressed', String(ascending));
  }

  private readonly _button: HTMLButtonElement;
  private readonly _trans: TranslationBundle;
}
