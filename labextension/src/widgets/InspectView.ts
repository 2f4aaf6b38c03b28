import type { Contents } from '@jupyterlab/services';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { CommandIDs } from '../commands';
import {
  Base64ByteSource,
  ILumlModelInfo,
  IMember,
  JsonValue,
  LumlReadResult,
  readLumlModel,
  readModelCardHtml
} from '../format';
import { modelIcon } from '../icons';
import { IModelDiscovery, IModelsChange } from '../tokens';
import { el } from './dom';
import { commandButton, updateCommandButton } from './modelActions';
import { formatBytes, formatShape, formatWhen, jsonText } from './modelText';

const ACTIONS = [
  CommandIDs.showModelInFileBrowser,
  CommandIDs.downloadModel,
  CommandIDs.pushModel,
  CommandIDs.deleteModel
];

/**
 * The model card's document gets no script (sandbox without allow-scripts)
 * and may load nothing from anywhere: only inline styles and data: images.
 */
export const MODEL_CARD_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:";

export interface IInspectViewOptions {
  path: string;
  contents: Pick<Contents.IManager, 'get'>;
  discovery: IModelDiscovery;
  commands: CommandRegistry;
}

interface ILoaded {
  result: LumlReadResult;
  size: number;
  lastModified: string;
  card: { html: string } | { reason: string } | null;
}

/**
 * Everything a model file says about itself: the effective manifest, inputs
 * and outputs, dynamic attributes, environment, metrics, metadata entries,
 * members, and the model card in a frame that cannot run script.
 */
export class InspectView extends Widget {
  constructor(options: IInspectViewOptions) {
    super();
    this._path = options.path;
    this._contents = options.contents;
    this._discovery = options.discovery;
    this._commands = options.commands;
    this.addClass('jp-LumlInspect');
    this.title.icon = modelIcon;
    this.title.closable = true;
    this._setTitle(fileName(this._path));
    this._discovery.changed.connect(this._onModelsChanged, this);
    this._commands.commandChanged.connect(this._updateButtons, this);
  }

  /** The model file shown; follows renames and moves. */
  get path(): string {
    return this._path;
  }

  /** Resolves when the current load is done. */
  get loaded(): Promise<void> {
    return this._loading;
  }

  /** Read the file again and show it. */
  reload(): Promise<void> {
    this._loading = this._load();
    return this._loading;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._discovery.changed.disconnect(this._onModelsChanged, this);
    this._commands.commandChanged.disconnect(this._updateButtons, this);
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    if (!this._started) {
      this._started = true;
      void this.reload();
    }
  }

  private _onModelsChanged(
    sender: IModelDiscovery,
    change: IModelsChange
  ): void {
    const move = change.renamed.find(r => r.oldPath === this._path);
    if (move) {
      this._path = move.newPath;
      this._setTitle(this._loadedName ?? fileName(this._path));
      this._pathNode?.replaceChildren(document.createTextNode(this._path));
      this._gone?.remove();
      this._updateButtons();
      return;
    }
    if (!change.paths.includes(this._path)) {
      return;
    }
    const model = this._discovery.get(this._path);
    if (!model) {
      if (!this._discovery.pending.includes(this._path)) {
        this._showGone();
      }
      return;
    }
    if (
      !this._loaded ||
      model.lastModified !== this._loaded.lastModified ||
      model.size !== this._loaded.size
    ) {
      void this.reload();
    }
  }

  private async _load(): Promise<void> {
    const path = this._path;
    this._gone = null;
    this.node.replaceChildren(
      el('p', 'jp-LumlInspect-loading', `Reading ${path}…`)
    );
    let loaded: ILoaded;
    try {
      loaded = await readModelFile(this._contents, path);
    } catch (e) {
      if (path !== this._path) {
        return;
      }
      this._loaded = null;
      this.node.replaceChildren(
        el(
          'p',
          'jp-LumlInspect-error',
          `${path} could not be opened: ${e instanceof Error ? e.message : String(e)}`
        )
      );
      return;
    }
    if (path !== this._path || this.isDisposed) {
      return;
    }
    this._loaded = loaded;
    this._render(loaded);
  }

  private _render(loaded: ILoaded): void {
    const { result } = loaded;
    const root = el('div', 'jp-LumlInspect-content');
    const summary = result.ok ? result.summary : null;
    const name = summary?.name?.trim() || fileName(this._path);
    this._loadedName = name;
    this._setTitle(name);

    const header = el('header', 'jp-LumlInspect-header');
    const heading = el('h1', 'jp-LumlInspect-name');
    heading.appendChild(
      modelIcon.element({ tag: 'span', className: 'jp-LumlInspect-icon' })
    );
    heading.appendChild(el('span', undefined, name));
    if (summary?.version) {
      heading.appendChild(
        el('span', 'jp-LumlInspect-version', summary.version)
      );
    }
    header.appendChild(heading);
    if (summary?.description) {
      header.appendChild(
        el('p', 'jp-LumlInspect-description', summary.description)
      );
    }
    const facts = el('dl', 'jp-LumlInspect-facts');
    this._pathNode = fact(facts, 'File', this._path);
    fact(
      facts,
      'Size',
      `${formatBytes(loaded.size)} (${loaded.size.toLocaleString()} bytes)`
    );
    const when = formatWhen(loaded.lastModified);
    if (when.title) {
      fact(facts, 'Last change', `${when.title} (${when.text})`);
    }
    if (summary) {
      const producer = [summary.producerName, summary.producerVersion]
        .filter(Boolean)
        .join(' ');
      if (producer) {
        fact(facts, 'Producer', producer);
      }
      if (summary.variant) {
        fact(facts, 'Variant', summary.variant);
      }
      if (summary.artifactType) {
        fact(facts, 'Artifact type', summary.artifactType);
      }
    }
    header.appendChild(facts);
    if (summary && summary.producerTags.length > 0) {
      header.appendChild(tagList(summary.producerTags));
    }
    const actions = el('div', 'jp-LumlInspect-actions');
    for (const id of ACTIONS) {
      actions.appendChild(
        commandButton(this._commands, id, () => ({ path: this._path }), {
          className: 'jp-LumlInspect-action',
          showLabel: true
        })
      );
    }
    this._hint = el('span', 'jp-LumlInspect-hint');
    actions.appendChild(this._hint);
    header.appendChild(actions);
    root.appendChild(header);
    this._updateButtons();

    if (!result.ok) {
      const box = el('div', 'jp-LumlInspect-problem');
      box.setAttribute('role', 'alert');
      box.appendChild(
        el('strong', undefined, 'This file cannot be read as a model. ')
      );
      box.appendChild(document.createTextNode(result.reason));
      root.appendChild(box);
      if (result.members && result.members.length > 0) {
        root.appendChild(membersSection(result.members, null));
      }
      this.node.replaceChildren(root);
      return;
    }

    const notes: string[] = [...result.warnings];
    if (!result.isModel) {
      notes.push(
        `The LUML Registry accepts a model only with all six root files; missing: ${result.missingModelFiles.join(', ')}.`
      );
    }
    if (notes.length > 0) {
      const box = el('ul', 'jp-LumlInspect-warnings');
      notes.forEach(n => box.appendChild(el('li', undefined, n)));
      root.appendChild(box);
    }

    root.appendChild(ioSection('Inputs', result.summary.inputs));
    root.appendChild(ioSection('Outputs', result.summary.outputs));
    root.appendChild(
      dynamicAttributesSection(result.manifest.dynamic_attributes)
    );
    root.appendChild(metricsSection(result.metrics));
    root.appendChild(envSection(result.env));
    root.appendChild(cardSection(loaded.card));
    root.appendChild(metadataSection(result));
    root.appendChild(membersSection(result.members, result));
    root.appendChild(manifestSection(result));
    this.node.replaceChildren(root);
  }

  private _showGone(): void {
    if (this._gone) {
      return;
    }
    this._gone = el(
      'p',
      'jp-LumlInspect-gone',
      `${this._path} no longer exists: it was deleted or moved. What is shown is what it held.`
    );
    this._gone.setAttribute('role', 'alert');
    this.node.prepend(this._gone);
    this._updateButtons();
  }

  private _updateButtons(): void {
    this.node
      .querySelectorAll<HTMLButtonElement>('.jp-LumlInspect-actions button')
      .forEach(b => {
        updateCommandButton(this._commands, b, { path: this._path });
        if (this._gone) {
          b.disabled = true;
        }
      });
    if (this._hint) {
      // say what would make Push to Registry work, not only in a tooltip
      const args = { path: this._path };
      const push = CommandIDs.pushModel;
      this._hint.textContent =
        !this._gone && !this._commands.isEnabled(push, args)
          ? this._commands.caption(push, args)
          : '';
    }
  }

  private _setTitle(name: string): void {
    this.title.label = name;
    this.title.caption = `Model: ${this._path}`;
  }

  private _path: string;
  private readonly _contents: Pick<Contents.IManager, 'get'>;
  private readonly _discovery: IModelDiscovery;
  private readonly _commands: CommandRegistry;
  private _loading: Promise<void> = Promise.resolve();
  private _loaded: ILoaded | null = null;
  private _loadedName: string | null = null;
  private _pathNode: HTMLElement | null = null;
  private _gone: HTMLElement | null = null;
  private _hint: HTMLElement | null = null;
  private _started = false;
}

/**
 * Fetch a model file once and read its metadata and model card from the
 * same bytes (only headers, JSON members and the card are decoded).
 */
async function readModelFile(
  contents: Pick<Contents.IManager, 'get'>,
  path: string
): Promise<ILoaded> {
  const model = await contents.get(path, {
    type: 'file',
    format: 'base64',
    content: true
  });
  if (typeof model.content !== 'string') {
    throw new Error('the file could not be loaded as binary data');
  }
  const source = new Base64ByteSource(model.content);
  const result = await readLumlModel(source);
  let card: ILoaded['card'] = null;
  if (result.ok && result.modelCardPath) {
    const entry = result.fileIndex[result.modelCardPath];
    const read = await readModelCardHtml(source, entry);
    card = read.ok ? { html: read.html } : { reason: read.reason };
  }
  return {
    result,
    size: source.size,
    lastModified: model.last_modified ?? '',
    card
  };
}

/** The card HTML with a policy that forbids every load but inline styles. */
export function modelCardDocument(html: string): string {
  // Parsed before the card's own markup, so it lands in <head> and applies
  // to everything the card references.
  return `<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="${MODEL_CARD_CSP}">${html}`;
}

function section(title: string, className: string): HTMLElement {
  const node = el('section', `jp-LumlInspect-section ${className}`);
  node.appendChild(el('h2', undefined, title));
  return node;
}

function fact(list: HTMLElement, term: string, value: string): HTMLElement {
  list.appendChild(el('dt', undefined, term));
  const dd = el('dd', undefined, value);
  list.appendChild(dd);
  return dd;
}

function tagList(tags: string[]): HTMLElement {
  const box = el('div', 'jp-LumlInspect-tags');
  tags.forEach(t => box.appendChild(el('span', 'jp-LumlInspect-tag', t)));
  return box;
}

function table(headers: string[], rows: string[][]): HTMLTableElement {
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

function none(text: string): HTMLElement {
  return el('p', 'jp-LumlInspect-none', text);
}

function ioSection(
  title: string,
  specs: ILumlModelInfo['summary']['inputs']
): HTMLElement {
  const node = section(title, `jp-LumlInspect-${title.toLowerCase()}`);
  if (specs.length === 0) {
    node.appendChild(none(`The manifest declares no ${title.toLowerCase()}.`));
    return node;
  }
  node.appendChild(
    table(
      ['Name', 'Content type', 'Dtype', 'Shape', 'Tags'],
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

function dynamicAttributesSection(value: JsonValue | undefined): HTMLElement {
  const node = section('Dynamic attributes', 'jp-LumlInspect-dynamic');
  const attrs = Array.isArray(value) ? value.filter(isObject) : [];
  if (attrs.length === 0) {
    node.appendChild(none('None: the model takes no attributes at call time.'));
    return node;
  }
  node.appendChild(
    table(
      ['Name', 'Description', 'Tags'],
      attrs.map(a => [
        text(a.name),
        text(a.description),
        Array.isArray(a.tags) ? a.tags.map(text).join(', ') : ''
      ])
    )
  );
  return node;
}

function metricsSection(metrics: { [key: string]: JsonValue }): HTMLElement {
  const node = section('Metrics', 'jp-LumlInspect-metrics');
  const keys = Object.keys(metrics);
  if (keys.length === 0) {
    node.appendChild(none('No metrics recorded in the metadata.'));
    return node;
  }
  node.appendChild(
    table(
      ['Metric', 'Value'],
      keys.map(k => [k, scalarText(metrics[k])])
    )
  );
  return node;
}

function envSection(env: JsonValue | undefined): HTMLElement {
  const node = section('Python environment', 'jp-LumlInspect-env');
  if (env === undefined) {
    node.appendChild(none('No env.json in the file.'));
    return node;
  }
  if (isObject(env)) {
    for (const [kind, spec] of Object.entries(env)) {
      if (!isObject(spec)) {
        continue;
      }
      const box = el('div', 'jp-LumlInspect-envKind');
      const python = text(spec.python_version);
      box.appendChild(
        el('h3', undefined, python ? `${kind}: Python ${python}` : kind)
      );
      const deps = Array.isArray(spec.dependencies) ? spec.dependencies : [];
      const packages = deps
        .map(d => (isObject(d) ? text(d.package) : text(d)))
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

function cardSection(card: ILoaded['card']): HTMLElement {
  const node = section('Model card', 'jp-LumlInspect-card');
  if (card === null) {
    node.appendChild(none('This model has no model card.'));
    return node;
  }
  if ('reason' in card) {
    node.appendChild(
      el(
        'p',
        'jp-LumlInspect-problem',
        `The model card cannot be shown: ${card.reason}.`
      )
    );
    return node;
  }
  const frame = el('iframe', 'jp-LumlInspect-cardFrame');
  // an empty sandbox: no scripts, no same-origin access, no forms or popups
  frame.setAttribute('sandbox', '');
  frame.setAttribute('referrerpolicy', 'no-referrer');
  frame.title = 'Model card';
  frame.srcdoc = modelCardDocument(card.html);
  node.appendChild(frame);
  return node;
}

function metadataSection(info: ILumlModelInfo): HTMLElement {
  const node = section('Metadata entries', 'jp-LumlInspect-metadata');
  if (info.metadata.length === 0) {
    node.appendChild(none('No metadata entries.'));
    return node;
  }
  node.appendChild(
    table(
      ['Id', 'Producer', 'Tags', 'From'],
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
      'Payloads',
      jsonText(info.metadata.map(m => ({ id: m.id, payload: m.payload })))
    )
  );
  return node;
}

function membersSection(
  members: IMember[],
  info: ILumlModelInfo | null
): HTMLElement {
  const node = section('Members', 'jp-LumlInspect-members');
  const total = members.reduce((n, m) => n + m.size, 0);
  node.appendChild(
    el('p', undefined, `${members.length} files, ${formatBytes(total)} in all.`)
  );
  node.appendChild(
    table(
      info ? ['Path', 'Size', 'Offset'] : ['Path', 'Size'],
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

function manifestSection(info: ILumlModelInfo): HTMLElement {
  const node = section('Manifest', 'jp-LumlInspect-manifest');
  node.appendChild(
    el(
      'p',
      undefined,
      info.patches.length > 0
        ? `The effective manifest: manifest.json with ${info.patches.join(', ')} applied.`
        : 'manifest.json (no patches).'
    )
  );
  const pre = el('pre', 'jp-LumlInspect-json', jsonText(info.manifest));
  node.appendChild(pre);
  return node;
}

function details(summary: string, body: string): HTMLElement {
  const node = el('details', 'jp-LumlInspect-details');
  node.appendChild(el('summary', undefined, summary));
  node.appendChild(el('pre', 'jp-LumlInspect-json', body));
  return node;
}

function isObject(v: unknown): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: JsonValue | undefined): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

function scalarText(v: JsonValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
