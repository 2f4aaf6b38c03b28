import type { JsonValue } from '../../format';
import { el } from '../../common/dom';

// The pieces every section of the Inspect view is made of.

/** A titled section; the class names the section for styles and tests. */
export function section(title: string, className: string): HTMLElement {
  const node = el('section', `jp-LumlInspect-section ${className}`);
  node.appendChild(el('h2', undefined, title));
  return node;
}

/** Add a term and its value to a `<dl>`; returns the value's node. */
export function fact(
  list: HTMLElement,
  term: string,
  value: string
): HTMLElement {
  list.appendChild(el('dt', undefined, term));
  const dd = el('dd', undefined, value);
  list.appendChild(dd);
  return dd;
}

export function tagList(tags: string[]): HTMLElement {
  const box = el('div', 'jp-LumlInspect-tags');
  tags.forEach(t => box.appendChild(el('span', 'jp-LumlInspect-tag', t)));
  return box;
}

export function table(headers: string[], rows: string[][]): HTMLTableElement {
  const node = el('table', 'jp-LumlInspect-table');
  const head = el('tr');
  headers.forEach(h => head.appendChild(el('th', undefined, h)));
  node.appendChild(el('thead')).appendChild(head);
  const body = el('tbody');
  for (const row of rows) {
    const tr = el('tr');
    row.forEach(cell => tr.appendChild(el('td', undefined, cell)));
    body.appendChild(tr);
  }
  node.appendChild(body);
  return node;
}

/** What a section says when the file has nothing for it. */
export function none(text: string): HTMLElement {
  return el('p', 'jp-LumlInspect-none', text);
}

/** Raw JSON, folded away under a summary line. */
export function details(summary: string, body: string): HTMLElement {
  const node = el('details', 'jp-LumlInspect-details');
  node.appendChild(el('summary', undefined, summary));
  node.appendChild(el('pre', 'jp-LumlInspect-json', body));
  return node;
}

export function isObject(v: unknown): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string or number from untyped JSON as text; anything else as ''. */
export function stringValue(v: JsonValue | undefined): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** A JSON value for a table cell: strings as they are, the rest as JSON. */
export function scalarText(v: JsonValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
