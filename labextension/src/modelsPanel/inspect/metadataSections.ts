import type { TranslationBundle } from '@jupyterlab/translation';

import type { ILumlModelInfo, JsonValue } from '../../format';
import { el } from '../../common/dom';
import { jsonText } from '../modelText';
import {
  details,
  isObject,
  none,
  scalarText,
  section,
  stringValue,
  table
} from './blocks';

export function metricsSection(
  trans: TranslationBundle,
  metrics: { [key: string]: JsonValue }
): HTMLElement {
  const node = section(trans.__('Metrics'), 'jp-LumlInspect-metrics');
  const keys = Object.keys(metrics);
  if (keys.length === 0) {
    node.appendChild(none(trans.__('No metrics recorded in the metadata.')));
    return node;
  }
  node.appendChild(
    table(
      [trans.__('Metric'), trans.__('Value')],
      keys.map(k => [k, scalarText(metrics[k])])
    )
  );
  return node;
}

/** env.json: each environment's Python and packages, then the raw file. */
export function envSection(
  trans: TranslationBundle,
  env: JsonValue | undefined
): HTMLElement {
  const node = section(trans.__('Python environment'), 'jp-LumlInspect-env');
  if (env === undefined) {
    node.appendChild(none(trans.__('No env.json in the file.')));
    return node;
  }
  if (isObject(env)) {
    for (const [kind, spec] of Object.entries(env)) {
      if (!isObject(spec)) {
        continue;
      }
      const box = el('div', 'jp-LumlInspect-envKind');
      const python = stringValue(spec.python_version);
      box.appendChild(
        el(
          'h3',
          undefined,
          python ? trans.__('%1: Python %2', kind, python) : kind
        )
      );
      const deps = Array.isArray(spec.dependencies) ? spec.dependencies : [];
      const packages = deps
        .map(d => (isObject(d) ? stringValue(d.package) : stringValue(d)))
        .filter(Boolean);
      if (packages.length > 0) {
        const list = el('ul', 'jp-LumlInspect-packages');
        packages.forEach(p => list.appendChild(el('li', undefined, p)));
        box.appendChild(list);
      }
      node.appendChild(box);
    }
  }
  node.appendChild(details('env.json', jsonText(env)));
  return node;
}

/** The metadata entries (meta.json, meta-*.json) and their payloads. */
export function metadataSection(
  trans: TranslationBundle,
  info: ILumlModelInfo
): HTMLElement {
  const node = section(trans.__('Metadata entries'), 'jp-LumlInspect-metadata');
  if (info.metadata.length === 0) {
    node.appendChild(none(trans.__('No metadata entries.')));
    return node;
  }
  node.appendChild(
    table(
      [
        trans.__('Id'),
        trans.__('Producer'),
        trans.__('Tags'),
        trans.__('From')
      ],
      info.metadata.map(m => [
        m.id,
        [m.producer, m.producerVersion].filter(Boolean).join(' '),
        m.tags.join(', '),
        m.member
      ])
    )
  );
  node.appendChild(
    details(
      trans.__('Payloads'),
      jsonText(info.metadata.map(m => ({ id: m.id, payload: m.payload })))
    )
  );
  return node;
}
