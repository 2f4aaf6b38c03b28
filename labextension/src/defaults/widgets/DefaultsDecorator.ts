import { DirListing, FileBrowser } from '@jupyterlab/filebrowser';
import { TranslationBundle } from '@jupyterlab/translation';
import { Message, MessageHook, MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { DefaultState, IDefaultNotebooks } from '../tokens';
import { stateDescription, stateLabel } from './stateLabels';

/** Set on every default's row in the file browser. */
export const DEFAULT_ITEM_CLASS = 'jp-LumlDefaults-item';

/** The class of a default's row for each state. */
export const STATE_CLASSES: Record<DefaultState, string> = {
  shipped: 'jp-LumlDefaults-shipped',
  edited: 'jp-LumlDefaults-edited',
  updated: 'jp-LumlDefaults-updated'
};

/** The file list inside a file browser, found through public widget APIs. */
function findListing(root: Widget): DirListing | null {
  const queue: Widget[] = [root];
  while (queue.length) {
    const widget = queue.shift()!;
    if (widget instanceof DirListing) {
      return widget;
    }
    queue.push(...widget.children());
  }
  return null;
}

/**
 * Marks the rows of default files in a file browser with their state: a CSS
 * class per state (a badge in the style sheet) and a description for screen
 * readers. The listing re-renders rows in place, so marks are put back after
 * each of its updates.
 */
export class DefaultsDecorator {
  constructor(
    browser: FileBrowser,
    defaults: IDefaultNotebooks,
    trans: TranslationBundle
  ) {
    this._defaults = defaults;
    this._trans = trans;
    this._listing = findListing(browser);
    if (!this._listing) {
      return;
    }
    this._hook = (_handler: unknown, msg: Message) => {
      if (msg.type === 'update-request') {
        // runs after the listing has rendered this update
        queueMicrotask(() => this.decorate());
      }
      return true;
    };
    MessageLoop.installMessageHook(this._listing, this._hook);
    defaults.changed.connect(this.decorate, this);
    browser.disposed.connect(this.dispose, this);
    this.decorate();
  }

  /** Whether marks are shown; off clears them. */
  get enabled(): boolean {
    return this._enabled;
  }
  set enabled(value: boolean) {
    this._enabled = value;
    this.decorate();
  }

  decorate(): void {
    const listing = this._listing;
    if (!listing || listing.isDisposed) {
      return;
    }
    const items = [...listing.sortedItems()];
    const nodes = listing.contentNode.children;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as HTMLElement;
      const item = items[i];
      const status =
        this._enabled && item && item.type !== 'directory'
          ? this._defaults.status(item.path)
          : null;
      node.classList.toggle(DEFAULT_ITEM_CLASS, status !== null);
      for (const [state, className] of Object.entries(STATE_CLASSES)) {
        node.classList.toggle(className, status?.state === state);
      }
      if (status) {
        node.setAttribute(
          'aria-description',
          this._trans.__(
            'Default file: %1. %2',
            stateLabel(status.state, this._trans),
            stateDescription(status.state, this._trans)
          )
        );
      } else {
        node.removeAttribute('aria-description');
      }
    }
  }

  dispose(): void {
    if (this._listing && this._hook) {
      MessageLoop.removeMessageHook(this._listing, this._hook);
    }
    this._defaults.changed.disconnect(this.decorate, this);
    this._listing = null;
  }

  private _defaults: IDefaultNotebooks;
  private _listing: DirListing | null;
  private _hook: MessageHook | null = null;
  private _trans: TranslationBundle;
  private _enabled = true;
}
