import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { IDefaultComparison } from '../tokens';
import { stateLabel } from './stateLabels';

/** What the view's buttons do; the plugin runs the commands. */
export interface IDefaultDiffActions {
  openYours(path: string): void;
  reset(path: string): void;
}

const MARKS = { added: '+', removed: '−', context: ' ' } as const;

/**
 * Shows how the user's copy of a default differs from the shipped version:
 * a line diff, for notebooks of the cells' types and sources. Text only.
 */
export class DefaultDiffView extends Widget {
  constructor(
    comparison: IDefaultComparison,
    actions: IDefaultDiffActions,
    trans: TranslationBundle
  ) {
    super();
    this._trans = trans;
    this.addClass('jp-LumlDefaults-diff');
    this.node.tabIndex = -1;
    const { path } = comparison;

    const header = document.createElement('div');
    header.className = 'jp-LumlDefaults-header';
    const title = document.createElement('h2');
    title.textContent = path;
    const summary = document.createElement('p');
    summary.className = 'jp-LumlDefaults-summary';
    summary.textContent = this._summary(comparison);
    const legend = document.createElement('p');
    legend.className = 'jp-LumlDefaults-legend';
    const removed = document.createElement('span');
    removed.className = 'jp-LumlDefaults-line-removed';
    removed.textContent = trans.__(
      '%1 only in the shipped version',
      MARKS.removed
    );
    const added = document.createElement('span');
    added.className = 'jp-LumlDefaults-line-added';
    added.textContent = trans.__('%1 only in your copy', MARKS.added);
    legend.append(removed, added);

    const buttons = document.createElement('div');
    buttons.className = 'jp-LumlDefaults-buttons';
    const open = document.createElement('button');
    open.className = 'jp-mod-styled';
    open.textContent = trans.__('Open your copy');
    open.addEventListener('click', () => actions.openYours(path));
    const reset = document.createElement('button');
    reset.className = 'jp-mod-styled jp-mod-warn';
    reset.textContent = trans.__('Reset to shipped version…');
    reset.disabled = comparison.state === 'shipped';
    reset.addEventListener('click', () => actions.reset(path));
    buttons.append(open, reset);
    header.append(title, summary, legend, buttons);
    this.node.appendChild(header);

    if (comparison.kind !== 'binary' && !comparison.same) {
      this.node.appendChild(this._hunks(comparison));
    }
  }

  private _summary(comparison: IDefaultComparison): string {
    const trans = this._trans;
    const state = stateLabel(comparison.state, trans);
    if (comparison.same) {
      return comparison.kind === 'notebook'
        ? trans.__(
            'Your copy has the same cells as the shipped version (%1). Outputs and metadata are not compared.',
            state
          )
        : trans.__('Your copy is the same as the shipped version (%1).', state);
    }
    if (comparison.kind === 'binary') {
      return trans.__(
        'Your copy differs from the shipped version (%1). It is not text, so no line differences can be shown.',
        state
      );
    }
    const counts = trans.__(
      '%1 line(s) only in the shipped version, %2 only in your copy (%3).',
      comparison.removed,
      comparison.added,
      state
    );
    const what =
      comparison.kind === 'notebook'
        ? trans.__(
            'Cell types and sources are compared; outputs and metadata are not.'
          )
        : trans.__('Lines are compared.');
    return `${counts} ${what}`;
  }

  private _hunks(comparison: IDefaultComparison): HTMLElement {
    const trans = this._trans;
    const body = document.createElement('div');
    body.className = 'jp-LumlDefaults-hunks';
    body.setAttribute(
      'aria-label',
      trans.__('Differences in %1', comparison.path)
    );
    for (const hunk of comparison.hunks) {
      const heading = document.createElement('div');
      heading.className = 'jp-LumlDefaults-hunk';
      heading.textContent = trans.__(
        'Shipped line %1, your line %2',
        hunk.shippedStart,
        hunk.yoursStart
      );
      body.appendChild(heading);
      for (const line of hunk.lines) {
        const row = document.createElement('div');
        row.className = `jp-LumlDefaults-line jp-LumlDefaults-line-${line.change}`;
        const mark = document.createElement('span');
        mark.className = 'jp-LumlDefaults-mark';
        mark.textContent = MARKS[line.change];
        mark.setAttribute('aria-hidden', 'true');
        const text = document.createElement('span');
        text.className = 'jp-LumlDefaults-text';
        text.textContent = line.text;
        if (line.change !== 'context') {
          text.setAttribute(
            'aria-label',
            line.change === 'added'
              ? trans.__('Only in your copy: %1', line.text)
              : trans.__('Only in the shipped version: %1', line.text)
          );
        }
        row.append(mark, text);
        body.appendChild(row);
      }
    }
    return body;
  }

  private _trans: TranslationBundle;
}
