import type { TranslationBundle } from '@jupyterlab/translation';

import type { ModelCardContent } from '../../discovery/modelReading';
import { el } from '../../common/dom';
import { none, section } from './blocks';

/**
 * The model card's document gets no script (sandbox without allow-scripts)
 * and may load nothing from anywhere: only inline styles and data: images.
 */
export const MODEL_CARD_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; form-action 'none'; base-uri 'none'";

/**
 * Elements that navigate or embed without script: a refresh, a base for
 * relative links, forms, nested documents, SVG animations that can set a
 * link's target. A CSP cannot stop a frame from navigating itself, so they go.
 */
const NAVIGATING_ELEMENTS =
  'meta, base, form, link, iframe, frame, frameset, object, embed, portal, set, animate';

/** Attributes that name a place to go (or a window to go in). */
const NAVIGATING_ATTRIBUTES = [
  'href',
  'xlink:href',
  'action',
  'formaction',
  'ping',
  'target'
];

/**
 * The card HTML with everything that could take the frame to another page
 * removed (links keep their text). Parsed into an inert document: nothing in
 * it runs or loads while it is cleaned.
 */
export function inertCardHtml(html: string): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  doc.querySelectorAll(NAVIGATING_ELEMENTS).forEach(node => node.remove());
  doc.querySelectorAll('*').forEach(node => {
    for (const name of NAVIGATING_ATTRIBUTES) {
      node.removeAttribute(name);
    }
  });
  return doc.documentElement.outerHTML;
}

/** The card HTML with a policy that forbids every load but inline styles. */
export function modelCardDocument(html: string): string {
  // Parsed before the card's own markup, so it lands in <head> and applies
  // to everything the card references.
  return `<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="${MODEL_CARD_CSP}">${inertCardHtml(html)}`;
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
