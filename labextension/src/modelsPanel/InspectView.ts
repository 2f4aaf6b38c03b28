import { PathExt } from '@jupyterlab/coreutils';
import type { Contents } from '@jupyterlab/services';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { CommandIDs } from '../commands';
import {
  Base64ByteSource,
  IByteSource,
  ILumlModelInfo,
  IMember,
  JsonValue,
  LumlReadResult,
  readLumlModel,
  readModelCardHtml
} from '../format';
import { modelIcon } from '../common/icons';
import { IModelDiscovery, IModelsChange } from '../discovery/tokens';
import { el } from '../common/dom';
import { commandButton, updateCommandButton } from './modelActions';
import { formatBytes } from '../common/byteSize';
import { formatShape, formatWhen, jsonText } from './modelText';

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
  translator?: ITranslator;
  /**
   * Random access to a model file's bytes (a server's byte ranges), so only
   * headers, JSON members and the card are fetched; by default the whole
   * file comes through the contents API.
   */
  openBytes?: (path: string) => Promise<IByteSource>;
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
    this._openBytes = options.openBytes ?? null;
    this._trans = (options.translator ?? nullTranslator).load('luml_notebooks');
    this.addClass('jp-LumlInspect');
    this.title.icon = modelIcon;
    this.title.closable = true;
    this._setTitle(PathExt.basename(this._path));
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
      this._setTitle(this._loadedName ?? PathExt.basename(this._path));
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
      el('p', 'jp-LumlInspect-loading', this._trans.__('Reading %1…', path))
    );
    let loaded: ILoaded;
    try {
      loaded = await readModelFile(this._contents, path, this._openBytes);
    } catch (e) {
      if (path !== this._path) {
        return;
      }
      this._loaded = null;
      this.node.replaceChildren(
        el(
          'p',
          'jp-LumlInspect-error',
          this._trans.__(
            '%1 could not be opened: %2',
            path,
            e instanceof Error ? e.message : String(e)
          )
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
    const trans = this._trans;
    const { result } = loaded;
    const root = el('div', 'jp-LumlInspect-content');
    const summary = result.ok ? result.summary : null;
    const name = summary?.name?.trim() || PathExt.basename(this._path);
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
    this._pathNode = fact(facts, trans.__('File'), this._path);
    fact(
      facts,
      trans.__('Size'),
      trans.__(
        '%1 (%2 bytes)',
        formatBytes(loaded.size),
        loaded.size.toLocaleString()
      )
    );
    const when = formatWhen(loaded.lastModified);
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
        el(
          'strong',
          undefined,
          trans.__('This file cannot be read as a model. ')
        )
      );
      box.appendChild(document.createTextNode(result.reason));
      root.appendChild(box);
      if (result.members && result.members.length > 0) {
        root.appendChild(membersSection(trans, result.members, null));
      }
      this.node.replaceChildren(root);
      return;
    }

    const notes: string[] = [...result.warnings];
    if (!result.isModel) {
      notes.push(
        trans.__(
          'The LUML Registry accepts a model only with all six root files; missing: %1.',
          result.missingModelFiles.join(', ')
        )
      );
    }
    if (notes.length > 0) {
      const box = el('ul', 'jp-LumlInspect-warnings');
      notes.forEach(n => box.appendChild(el('li', undefined, n)));
      root.appendChild(box);
    }

    const { inputs, outputs } = result.summary;
    root.appendChild(
      ioSection(trans, trans.__('Inputs'), 'jp-LumlInspect-inputs', inputs, {
        none: trans.__('The manifest declares no inputs.')
      })
    );
    root.appendChild(
      ioSection(trans, trans.__('Outputs'), 'jp-LumlInspect-outputs', outputs, {
        none: trans.__('The manifest declares no outputs.')
      })
    );
    root.appendChild(
      dynamicAttributesSection(trans, result.manifest.dynamic_attributes)
    );
    root.appendChild(metricsSection(trans, result.metrics));
    root.appendChild(envSection(trans, result.env));
    root.appendChild(cardSection(trans, loaded.card));
    root.appendChild(metadataSection(trans, result));
    root.appendChild(membersSection(trans, result.members, result));
    root.appendChild(manifestSection(trans, result));
    this.node.replaceChildren(root);
  }

  private _showGone(): void {
    if (this._gone) {
      return;
    }
    this._gone = el(
      'p',
      'jp-LumlInspect-gone',
      this._trans.__(
        '%1 no longer exists: it was deleted or moved. What is shown is what it held.',
        this._path
      )
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
    this.title.caption = this._trans.__('Model: %1', this._path);
  }

  private _path: string;
  private readonly _contents: Pick<Contents.IManager, 'get'>;
  private readonly _discovery: IModelDiscovery;
  private readonly _commands: CommandRegistry;
  private readonly _trans: TranslationBundle;
  private _loading: Promise<void> = Promise.resolve();
  private readonly _openBytes: IInspectViewOptions['openBytes'] | null;
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
  path: string,
  openBytes: IInspectViewOptions['openBytes'] | null
): Promise<ILoaded> {
  const { source, lastModified } = await readSource(contents, path, openBytes);
  const result = await readLumlModel(source);
  let card: ILoaded['card'] = null;
  if (result.ok && result.modelCardPath) {
    const entry = result.fileIndex[result.modelCardPath];
    const read = await readModelCardHtml(source, entry);
    card = read.ok ? { html: read.html } : { reason: read.reason };
  }
  return { result, size: source.size, lastModified, card };
}

async function readSource(
  contents: Pick<Contents.IManager, 'get'>,
  path: string,
  openBytes: IInspectViewOptions['openBytes'] | null
): Promise<{ source: IByteSource; lastModified: string }> {
  if (openBytes) {
    try {
      return await openRanges(contents, path, openBytes);
    } catch (error) {
      // no byte ranges here (the server extension is off): read it whole
      console.info(`Reading ${path} whole: ${String(error)}`);
    }
  }
  return readWhole(contents, path);
}

async function readWhole(
  contents: Pick<Contents.IManager, 'get'>,
  path: string
): Promise<{ source: IByteSource; lastModified: string }> {
  const model = await contents.get(path, {
    type: 'file',
    format: 'base64',
    content: true
  });
  if (typeof model.content !== 'string') {
    throw new Error('the file could not be loaded as binary data');
  }
  return {
    source: new Base64ByteSource(model.content),
    lastModified: model.last_modified ?? ''
  };
}

async function openRanges(
  contents: Pick<Contents.IManager, 'get'>,
  path: string,
  openBytes: NonNullable<IInspectViewOptions['openBytes']>
): Promise<{ source: IByteSource; lastModified: string }> {
  // the listing entry only: its time tells when to read again
  const [source, model] = await Promise.all([
    openBytes(path),
    contents.get(path, { content: false })
  ]);
  return { source, lastModified: model.last_modified ?? '' };
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
  trans: TranslationBundle,
  title: string,
  className: string,
  specs: ILumlModelInfo['summary']['inputs'],
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

function dynamicAttributesSection(
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
        text(a.name),
        text(a.description),
        Array.isArray(a.tags) ? a.tags.map(text).join(', ') : ''
      ])
    )
  );
  return node;
}

function metricsSection(
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

function envSection(
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
      const python = text(spec.python_version);
      box.appendChild(
        el(
          'h3',
          undefined,
          python ? trans.__('%1: Python %2', kind, python) : kind
        )
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

function cardSection(
  trans: TranslationBundle,
  card: ILoaded['card']
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

function metadataSection(
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

function membersSection(
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

function manifestSection(
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
