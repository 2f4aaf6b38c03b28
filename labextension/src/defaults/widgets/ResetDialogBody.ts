import { Dialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

/** What the user chose in the reset dialog. */
export interface IResetChoice {
  keepCopy: boolean;
}

/**
 * The body of the "Reset to shipped version" confirmation: what happens, and
 * a checkbox (on by default) to keep the user's copy beside the default.
 */
export class ResetDialogBody
  extends Widget
  implements Dialog.IBodyWidget<IResetChoice>
{
  constructor(options: ResetDialogBody.IOptions) {
    super();
    const { trans } = options;
    this.addClass('jp-LumlDefaults-resetBody');
    const what = document.createElement('p');
    what.textContent = trans.__(
      'The shipped version of %1 replaces your copy in this instance.',
      options.path
    );
    this.node.appendChild(what);

    const label = document.createElement('label');
    label.className = 'jp-LumlDefaults-keep';
    this._keep = document.createElement('input');
    this._keep.type = 'checkbox';
    this._keep.checked = true;
    this._keep.name = 'keep-copy';
    const text = document.createElement('span');
    text.textContent = trans.__('Keep my copy as %1', options.keptAs);
    label.append(this._keep, text);
    this.node.appendChild(label);

    const lost = document.createElement('p');
    lost.className = 'jp-LumlDefaults-warning';
    this.node.appendChild(lost);
    const update = () => {
      lost.textContent = this._keep.checked
        ? ''
        : trans.__('Your edits will be deleted from this browser.');
    };
    this._keep.addEventListener('change', update);
    update();

    if (options.unsavedOpen) {
      const unsaved = document.createElement('p');
      unsaved.className = 'jp-LumlDefaults-warning';
      unsaved.textContent = trans.__(
        'The file is open with unsaved changes: save it first to keep them.'
      );
      this.node.appendChild(unsaved);
    }
  }

  getValue(): IResetChoice {
    return { keepCopy: this._keep.checked };
  }

  private _keep: HTMLInputElement;
}

export namespace ResetDialogBody {
  export interface IOptions {
    path: string;
    /** Where the copy would be kept. */
    keptAs: string;
    /** Whether the file is open with unsaved changes. */
    unsavedOpen: boolean;
    trans: TranslationBundle;
  }
}
