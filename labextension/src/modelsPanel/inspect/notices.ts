import type { TranslationBundle } from '@jupyterlab/translation';

import type { ILumlModelInfo } from '../../format';
import { el, element } from '../../common/dom';
import { renderMessage } from '../../common/messages';

/** Why the file is not a readable model, announced to screen readers. */
export function unreadableNotice(
  trans: TranslationBundle,
  reason: string
): HTMLElement {
  return element(
    'div',
    { className: 'jp-LumlInspect-problem', attrs: { role: 'alert' } },
    [
      el(
        'strong',
        undefined,
        trans.__('This file cannot be read as a model. ')
      ),
      reason
    ]
  );
}

/**
 * Problems that did not stop reading, and what the Registry would refuse;
 * null when there are none.
 */
export function readWarnings(
  trans: TranslationBundle,
  info: ILumlModelInfo
): HTMLElement | null {
  const notes = info.warningMessages.map(w => renderMessage(w, trans));
  if (!info.isModel) {
    notes.push(
      trans.__(
        'The LUML Registry accepts a model only with all six root files; missing: %1.',
        info.missingModelFiles.join(', ')
      )
    );
  }
  if (notes.length === 0) {
    return null;
  }
  const box = el('ul', 'jp-LumlInspect-warnings');
  notes.forEach(n => box.appendChild(el('li', undefined, n)));
  return box;
}
