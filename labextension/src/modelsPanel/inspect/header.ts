import type { TranslationBundle } from '@jupyterlab/translation';

import type { IModelFileDetails } from '../../discovery/modelReading';
import { modelIcon } from '../../common/icons';
import { el } from '../../common/dom';
import { formatBytes } from '../../common/byteSize';
import { formatWhen } from '../modelText';
import { fact, tagList } from './blocks';

export interface IInspectHeader {
  node: HTMLElement;
  /** Holds the file's path, so a view can follow a move without rebuilding. */
  pathNode: HTMLElement;
}

/**
 * The model's name, version and description, the facts about its file, its
 * producer tags, then the given actions.
 */
export function inspectHeader(
  trans: TranslationBundle,
  model: { path: string; name: string; details: IModelFileDetails },
  actions: HTMLElement
): IInspectHeader {
  const { result, size, lastModified } = model.details;
  const summary = result.ok ? result.summary : null;
  const header = el('header', 'jp-LumlInspect-header');
  const heading = el('h1', 'jp-LumlInspect-name');
  heading.appendChild(
    modelIcon.element({ tag: 'span', className: 'jp-LumlInspect-icon' })
  );
  heading.appendChild(el('span', undefined, model.name));
  if (summary?.version) {
    heading.appendChild(el('span', 'jp-LumlInspect-version', summary.version));
  }
  header.appendChild(heading);
  if (summary?.description) {
    header.appendChild(
      el('p', 'jp-LumlInspect-description', summary.description)
    );
  }
  const facts = el('dl', 'jp-LumlInspect-facts');
  const pathNode = fact(facts, trans.__('File'), model.path);
  fact(
    facts,
    trans.__('Size'),
    trans.__('%1 (%2 bytes)', formatBytes(size), size.toLocaleString())
  );
  const when = formatWhen(lastModified);
  if (when.title) {
    fact(facts, trans.__('Last change'), `${when.title} (${when.text})`);
  }
  if (summary) {
    const producer = [summary.producerName, summary.producerVersion]
      .filter(Boolean)
      .join(' ');
    if (producer) {
      fact(facts, trans.__('Producer'), producer);
    }
    if (summary.variant) {
      fact(facts, trans.__('Variant'), summary.variant);
    }
    if (summary.artifactType) {
      fact(facts, trans.__('Artifact type'), summary.artifactType);
    }
  }
  header.appendChild(facts);
  if (summary && summary.producerTags.length > 0) {
    header.appendChild(tagList(summary.producerTags));
  }
  header.appendChild(actions);
  return { node: header, pathNode };
}
