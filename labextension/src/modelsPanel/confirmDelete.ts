import { Dialog, showDialog } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { el } from '../common/dom';

/**
 * Ask before deleting a model file; the dialog names the file (as text).
 * Resolves true when the user confirms.
 */
export async function confirmDeleteModel(
  name: string,
  path: string,
  translator: ITranslator = nullTranslator,
  where: 'browser' | 'server' = 'browser'
): Promise<boolean> {
  const trans = translator.load('luml_notebooks');
  const body = el('div', 'jp-LumlDelete-body');
  // the name is a node of its own, so it stays text whatever it holds
  const [before, after] = trans
    .__('Delete the model file %1?', '\0')
    .split('\0');
  const question = el('p');
  question.append(before);
  question.appendChild(el('strong', 'jp-LumlDelete-name', name));
  question.append(after ?? '');
  body.appendChild(question);
  if (path !== name) {
    body.appendChild(el('p', 'jp-LumlDelete-path', path));
  }
  body.appendChild(
    el(
      'p',
      undefined,
      where === 'server'
        ? trans.__(
            'It is removed from the server and cannot be restored. Download it first to keep a copy.'
          )
        : trans.__(
            "It is removed from this browser's storage and cannot be restored. Download it first to keep a copy."
          )
    )
  );
  const result = await showDialog({
    title: trans.__('Delete model'),
    body: new Widget({ node: body }),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label: trans.__('Delete') })
    ]
  });
  return result.button.accept;
}
