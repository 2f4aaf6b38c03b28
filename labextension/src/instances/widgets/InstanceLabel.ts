import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { ICurrentInstance } from '../tokens';

/**
 * The instance's name in the top bar; a button that opens the switcher.
 * Text only, never HTML.
 */
export class InstanceLabel extends Widget {
  constructor(
    private readonly _instance: ICurrentInstance,
    onClick: () => void,
    private readonly _trans: TranslationBundle
  ) {
    super({ node: document.createElement('button') });
    this.addClass('jp-LumlInstanceLabel');
    this.node.setAttribute('type', 'button');
    this._name = document.createElement('span');
    this._name.className = 'jp-LumlInstanceLabel-name';
    this._state = document.createElement('span');
    this._state.className = 'jp-LumlInstanceLabel-state';
    this.node.append(this._name, this._state);
    this.node.addEventListener('click', onClick);
    _instance.changed.connect(this._update, this);
    this._update();
  }

  private _update(): void {
    const { name, deleted } = this._instance;
    const trans = this._trans;
    this._name.textContent = name;
    this._state.textContent = deleted ? ' ' + trans.__('(deleted)') : '';
    this.toggleClass('jp-mod-deleted', deleted);
    // The name goes in after formatting: gettext would turn a '%% ' in it into '%'.
    const what = (
      deleted
        ? trans.__('Instance “%1” was deleted from this browser', '%1')
        : trans.__('Instance “%1”: click to switch instance', '%1')
    )
      .split('%1')
      .join(name);
    this.node.title = what;
    this.node.setAttribute('aria-label', what);
  }

  private _name: HTMLSpanElement;
  private _state: HTMLSpanElement;
}
