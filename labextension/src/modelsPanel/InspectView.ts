import { PathExt } from '@jupyterlab/coreutils';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { CommandIDs } from '../commands';
import { modelIcon } from '../common/icons';
import { el } from '../common/dom';
import { readFailureText } from '../format/lumlReader';
import { errorText } from '../common/errors';
import {
  IModelFileDetails,
  ModelReadingContents,
  OpenModelBytes,
  readModelFile
} from '../discovery/modelReading';
import { IModelDiscovery, IModelsChange } from '../discovery/tokens';
import { commandButton, updateCommandButton } from './modelActions';
import { cardSection } from './inspect/cardSection';
import { manifestSection, membersSection } from './inspect/fileSections';
import { inspectHeader } from './inspect/header';
import { dynamicAttributesSection, ioSection } from './inspect/ioSections';
import {
  envSection,
  metadataSection,
  metricsSection
} from './inspect/metadataSections';
import { readWarnings, unreadableNotice } from './inspect/notices';

const ACTIONS = [
  CommandIDs.showModelInFileBrowser,
  CommandIDs.downloadModel,
  CommandIDs.pushModel,
  CommandIDs.deleteModel
];

export interface IInspectViewOptions {
  path: string;
  contents: ModelReadingContents;
  discovery: IModelDiscovery;
  commands: CommandRegistry;
  translator?: ITranslator;
  /**
   * Random access to a model file's bytes (a server's byte ranges), so only
   * headers, JSON members and the card are fetched; by default the whole
   * file comes through the contents API.
   */
  openBytes?: OpenModelBytes;
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
    let loaded: IModelFileDetails;
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
            errorText(e, this._trans)
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

  private _render(loaded: IModelFileDetails): void {
    const trans = this._trans;
    const { result } = loaded;
    const root = el('div', 'jp-LumlInspect-content');
    const summary = result.ok ? result.summary : null;
    const name = summary?.name?.trim() || PathExt.basename(this._path);
    this._loadedName = name;
    this._setTitle(name);

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
    const header = inspectHeader(
      trans,
      { path: this._path, name, details: loaded },
      actions
    );
    this._pathNode = header.pathNode;
    root.appendChild(header.node);
    this._updateButtons();

    if (!result.ok) {
      root.appendChild(unreadableNotice(trans, readFailureText(result, trans)));
      if (result.members && result.members.length > 0) {
        root.appendChild(membersSection(trans, result.members, null));
      }
      this.node.replaceChildren(root);
      return;
    }

    const warnings = readWarnings(trans, result);
    if (warnings) {
      root.appendChild(warnings);
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
  private readonly _contents: ModelReadingContents;
  private readonly _discovery: IModelDiscovery;
  private readonly _commands: CommandRegistry;
  private readonly _trans: TranslationBundle;
  private _loading: Promise<void> = Promise.resolve();
  private readonly _openBytes: OpenModelBytes | null;
  private _loaded: IModelFileDetails | null = null;
  private _loadedName: string | null = null;
  private _pathNode: HTMLElement | null = null;
  private _gone: HTMLElement | null = null;
  private _hint: HTMLElement | null = null;
  private _started = false;
}
