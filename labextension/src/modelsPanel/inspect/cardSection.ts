import type { TranslationBundle } from '@jupyterlab/translation';

import type { ModelCardContent } from '../../discovery/modelReading';
import { el } from '../../common/dom';
import { none, section } from './blocks';

/**
 * The model card's document gets no script (sandbox without allow-scripts)
 * and may load nothing from anywhere: only inline styles and data: images.
 */
export const MODEL_CARD_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:";

/** The card HTML with a policy that forbids every load but inline styles. */
export function modelCardDocument(html: string): string {
  // Parsed before the card's own markup, so it lands in <head> and applies
  // to everything the card references.
  return `<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="${MODEL_CARD_CSP}">${html}`;
}

/** The model card in a frame that cannot run script, or why it cannot. */
export function cardSection(
  trans: TranslationBundle,
  card: ModelCardContent
): HTMLElement {
  const node = section(trans.__('Model card'), 'jp-LumlInspect-card');
  if (card === null) {
    node.appendChild(none(trans.__('This model has no model card.')));
    return node;
  }
  if ('reason' in card) {
    node.appendChild(
      el(
        'p',
        'jp-LumlInspect-problem',
        trans.__('The model card cannot be shown: %1.', card.reason)
      )
    );
    return node;
  }
  const frame = el('iframe', 'jp-LumlInspect-cardFrame');
  // an empty sandbox: no scripts, no same-origin access, no forms or popups
  frame.setAttribute('sandbox', '');
  frame.setAttribute('referrerpolicy', 'no-referrer');
  frame.title = trans.__('Model card');
  frame.srcdoc = modelCardDocument(card.html);
  node.appendChild(frame);
  return node;
}
