import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { el } from '../common/dom';

/**
 * Tell the user, once, that Python code in notebooks cannot reach this
 * instance's files in this browser window (see kernel/fileChannel.ts). The
 * notice stays until closed; its action explains why and what to do.
 */
export function showKernelFilesNotice(
  translator: ITranslator = nullTranslator
): void {
  const trans = translator.load('luml_notebooks');
  // a notification shows at most 140 characters: the rest is in the dialog
  Notification.warning(
    trans.__(
      "Python in notebooks cannot read or write this instance's files in this window: it is private, or service workers are blocked."
    ),
    {
      autoClose: false,
      actions: [
        {
          label: trans.__('What to do'),
          callback: () => void explain(translator)
        }
      ]
    }
  );
}

async function explain(translator: ITranslator): Promise<void> {
  const trans = translator.load('luml_notebooks');
  const body = el('div', 'jp-LumlKernelFiles-body');
  for (const text of [
    trans.__(
      "Python runs inside the browser and reaches this instance's files through the site's service worker, or through shared memory when the site is served cross-origin isolated. This window allows neither: it is probably a private window, where some browsers (Firefox among them) offer no service workers, or service workers are blocked for this site."
    ),
    trans.__(
      'Notebooks still open, run and save. But Python code cannot open the files you see in the file browser, and the files it writes are not saved.'
    ),
    trans.__(
      "To fix it, open this site in a normal browser window, or allow service workers for it in the browser's settings, then reload. The site's operator can also serve it with cross-origin isolation headers."
    )
  ]) {
    body.appendChild(el('p', undefined, text));
  }
  await showDialog({
    title: trans.__('Python cannot reach your files here'),
    body: new Widget({ node: body }),
    buttons: [Dialog.okButton({ label: trans.__('OK') })]
  });
}
