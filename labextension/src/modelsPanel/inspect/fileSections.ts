import type { TranslationBundle } from '@jupyterlab/translation';

import type { ILumlModelInfo, IMember } from '../../format';
import { el } from '../../common/dom';
import { formatBytes } from '../../common/byteSize';
import { jsonText } from '../modelText';
import { section, table } from './blocks';

/**
 * The files in the archive; with the model read, where each one's data
 * starts (an unreadable file may still list its members).
 */
export function membersSection(
  trans: TranslationBundle,
  members: IMember[],
  info: ILumlModelInfo | null
): HTMLElement {
  const node = section(trans.__('Members'), 'jp-LumlInspect-members');
  const total = members.reduce((n, m) => n + m.size, 0);
  node.appendChild(
    el(
      'p',
      undefined,
      trans._n(
        '%1 file, %2 in all.',
        '%1 files, %2 in all.',
        members.length,
        formatBytes(total)
      )
    )
  );
  const headers = [trans.__('Path'), trans.__('Size')];
  node.appendChild(
    table(
      info ? [...headers, trans.__('Offset')] : headers,
      members.map(m => {
        const row = [m.path, formatBytes(m.size)];
        if (info) {
          const at = info.fileIndex[m.path];
          row.push(at ? String(at[0]) : '');
        }
        return row;
      })
    )
  );
  return node;
}

/** The effective manifest, and which patches made it. */
export function manifestSection(
  trans: TranslationBundle,
  info: ILumlModelInfo
): HTMLElement {
  const node = section(trans.__('Manifest'), 'jp-LumlInspect-manifest');
  node.appendChild(
    el(
      'p',
      undefined,
      info.patches.length > 0
        ? trans.__(
            'The effective manifest: manifest.json with %1 applied.',
            info.patches.join(', ')
          )
        : trans.__('manifest.json (no patches).')
    )
  );
  const pre = el('pre', 'jp-LumlInspect-json', jsonText(info.manifest));
  node.appendChild(pre);
  return node;
}
