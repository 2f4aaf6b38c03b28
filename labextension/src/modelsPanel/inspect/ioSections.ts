import type { TranslationBundle } from '@jupyterlab/translation';

import type { IIOSpec, JsonValue } from '../../format';
import { formatShape } from '../modelText';
import { isObject, none, section, stringValue, table } from './blocks';

/** How the model is called: its declared inputs or outputs. */
export function ioSection(
  trans: TranslationBundle,
  title: string,
  className: string,
  specs: IIOSpec[],
  texts: { none: string }
): HTMLElement {
  const node = section(title, className);
  if (specs.length === 0) {
    node.appendChild(none(texts.none));
    return node;
  }
  node.appendChild(
    table(
      [
        trans.__('Name'),
        trans.__('Content type'),
        trans.__('Dtype'),
        trans.__('Shape'),
        trans.__('Tags')
      ],
      specs.map(s => [
        s.name,
        s.contentType ?? '',
        s.dtype ?? '',
        formatShape(s.shape),
        s.tags.join(', ')
      ])
    )
  );
  return node;
}

/** The attributes a caller passes at call time (the manifest's, untyped). */
export function dynamicAttributesSection(
  trans: TranslationBundle,
  value: JsonValue | undefined
): HTMLElement {
  const node = section(
    trans.__('Dynamic attributes'),
    'jp-LumlInspect-dynamic'
  );
  const attrs = Array.isArray(value) ? value.filter(isObject) : [];
  if (attrs.length === 0) {
    node.appendChild(
      none(trans.__('None: the model takes no attributes at call time.'))
    );
    return node;
  }
  node.appendChild(
    table(
      [trans.__('Name'), trans.__('Description'), trans.__('Tags')],
      attrs.map(a => [
        stringValue(a.name),
        stringValue(a.description),
        Array.isArray(a.tags) ? a.tags.map(stringValue).join(', ') : ''
      ])
    )
  );
  return node;
}
