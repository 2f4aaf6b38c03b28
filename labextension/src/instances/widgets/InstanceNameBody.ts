import { Dialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

/**
 * A name field for a dialog, with the reason a name was refused shown under
 * it as text.
 */
export class InstanceNameBody
  extends Widget
  implements Dialog.IBodyWidget<string>
{
  constructor(value: string, problem: string, trans: TranslationBundle) {
    super();
    this.addClass('jp-LumlInstanceName');
    const label = document.createElement('label');
    label.textContent = trans.__('Name');
    label.htmlFor = 'jp-LumlInstanceName-input';
    this._input = document.createElement('input');
    this._input.id = 'jp-LumlInstanceName-input';
    this._input.className = 'jp-mod-styled jp-LumlInstanceName-input';
    this._input.value = value;
    this._input.setAttribute('autocomplete', 'off');
    const error = document.createElement('p');
    error.className = 'jp-LumlInstanceName-error';
    error.setAttribute('role', 'alert');
    error.textContent = problem;
    if (problem) {
      this._input.setAttribute('aria-invalid', 'true');
    }
    this.node.append(label, this._input, error);
  }

  getValue(): string {
    return this._input.value;
  }

  protected onAfterAttach(): void {
    this._input.focus();
    this._input.select();
  }

  private _input: HTMLInputElement;
}
