import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { el } from './dom';

/**
 * Ask before deleting a model file; the dialog names the file (as text).
 * Resolves true when the user confirms.
 */
export async function confirmDeleteModel(
  name: string,
  path: string
): Promise<boolean> {
  const body = el('div', 'jp-LumlDelete-body');
  const question = el('p');
  question.append('Delete the model file ');
  question.appendChild(el('strong', 'jp-LumlDelete-name', name));
  question.append('?');
  body.appendChild(question);
  if (path !== name) {
    body.appendChild(el('p', 'jp-LumlDelete-path', path));
  }
  body.appendChild(
    el(
      'p',
      undefined,
      "It is removed from this browser's storage and cannot be restored. Download it first to keep a copy."
    )
  );
  const result = await showDialog({
    title: 'Delete model',
    body: new Widget({ node: body }),
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
  });
  return result.button.accept;
}
