/**
 * The instances page at the site root: every instance of this browser, with
 * what it holds, and the actions on it. Plain DOM, text only.
 */
import { InstanceChannel, InstanceNews } from '../instances/channel';
import { instanceLink } from '../instances/ids';
import { checkInstanceName, freeName } from '../instances/names';
import { formatBytes } from '../common/byteSize';
import { IInstanceStats } from '../instances/stats';
import {
  IInstanceInfo,
  InstanceError,
  InstanceStore
} from '../instances/instanceStore';
import { askName, confirmDanger } from './dialogs';
import { element, timeElement } from '../common/dom';
import { IActionReport, PageBackups } from './pageBackups';
import {
  describePersistence,
  describeUsage,
  readStorageHealth
} from './storageHealth';
import { errorText } from '../common/errors';

/** The text shown for an instance whose database has no name. */
export function displayName(info: IInstanceInfo): string {
  return info.fullname || 'Unnamed instance';
}

interface IRow {
  info: IInstanceInfo;
  node: HTMLTableRowElement;
  cells: Record<'changed' | 'size' | 'models', HTMLTableCellElement>;
}

export class InstancesPage {
  constructor(
    private readonly _root: HTMLElement,
    private readonly _store: InstanceStore,
    private readonly _channel: InstanceChannel
  ) {
    this._status = element('p', {
      className: 'jp-LumlInstances-status',
      attrs: { role: 'status', 'aria-live': 'polite' }
    });
    this._body = element('tbody');
    this._empty = element('p', {
      className: 'jp-LumlInstances-empty',
      text: 'No instances in this browser yet. Create one to start.'
    });
    this._persistence = element('p', {
      className: 'jp-LumlInstances-persistence'
    });
    this._usage = element('p', { className: 'jp-LumlInstances-usage' });
    this._backups = new PageBackups(
      _store,
      new URL('.', location.href).href,
      id => this._channel.post({ type: 'created', id }),
      id => this._channel.post({ type: 'deleted', id })
    );
    this._zipInput = element('input', {
      className: 'jp-LumlInstances-restoreFile',
      attrs: {
        type: 'file',
        accept: '.zip,application/zip',
        hidden: '',
        'aria-hidden': 'true',
        tabindex: '-1'
      }
    });
    this._zipInput.addEventListener('change', () => void this._picked());
    this._build();
    this._channel.listen(news => this._onNews(news));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') {
        void this.load();
      }
    });
  }

  /** List the instances, then fill in what each holds. */
  async load(): Promise<void> {
    const generation = ++this._generation;
    document.body.dataset.state = 'loading';
    let infos: IInstanceInfo[];
    try {
      infos = await this._store.list();
    } catch (error) {
      this._say(messageOf(error), true);
      document.body.dataset.state = 'error';
      return;
    }
    if (generation !== this._generation) {
      return;
    }
    this._rows = infos.map(info => this._row(info));
    this._body.replaceChildren(...this._rows.map(row => row.node));
    this._empty.hidden = infos.length > 0;
    document.body.dataset.state = 'listed';
    performance.mark('luml-instances:listed');
    void this._showHealth(false);
    // One instance at a time: reading sizes walks every record.
    for (const row of this._rows) {
      if (generation !== this._generation) {
        return;
      }
      try {
        this._fillStats(row, await this._store.stats(row.info.id));
      } catch {
        this._fillStats(row, null);
      }
    }
    if (generation === this._generation) {
      document.body.dataset.state = 'ready';
      performance.mark('luml-instances:ready');
    }
  }

  private _build(): void {
    const create = element('button', {
      className: 'jp-LumlInstances-primary jp-LumlInstances-new',
      text: 'New instance',
      attrs: { type: 'button' }
    });
    create.addEventListener('click', () => void this._create());
    const restore = element('button', {
      className: 'jp-LumlInstances-restore',
      text: 'Restore from backup…',
      attrs: {
        type: 'button',
        title: 'Make a new instance from a backup zip (or any zip of files)'
      }
    });
    restore.addEventListener('click', () => this._pick(null));
    const askAgain = element('button', {
      className: 'jp-LumlInstances-persist',
      text: 'Ask to keep storage',
      attrs: { type: 'button' }
    });
    askAgain.addEventListener('click', () => void this._showHealth(true));
    const headings = [
      'Name',
      'Created',
      'Last change',
      'Storage used',
      'Models',
      'Last backup',
      'Actions'
    ];
    const table = element('table', { className: 'jp-LumlInstances-table' }, [
      element('caption', { text: 'Instances in this browser' }),
      element('thead', {}, [
        element(
          'tr',
          {},
          headings.map(text => element('th', { text, attrs: { scope: 'col' } }))
        )
      ]),
      this._body
    ]);
    this._root.replaceChildren(
      element('header', { className: 'jp-LumlInstances-header' }, [
        element('h1', { text: 'LUML Notebooks' }),
        element('p', { text: 'Your notebook instances in this browser' })
      ]),
      element(
        'section',
        {
          className: 'jp-LumlInstances-notice',
          attrs: { role: 'note', 'aria-label': 'Where instances are kept' }
        },
        [
          element('strong', { text: 'Instances live only in this browser. ' }),
          element('span', {
            text:
              'They are not tied to your account and are not synced across devices or browsers. ' +
              "Clearing this browser's data, using another browser or another machine loses them: back up your work. " +
              'Models you have downloaded or pushed to the LUML Registry are kept separately.'
          })
        ]
      ),
      element('div', { className: 'jp-LumlInstances-toolbar' }, [
        create,
        restore,
        this._zipInput
      ]),
      element(
        'section',
        {
          className: 'jp-LumlInstances-health',
          attrs: { 'aria-label': 'Storage health' }
        },
        [this._persistence, this._usage, askAgain]
      ),
      this._status,
      table,
      this._empty
    );
  }

  private _row(info: IInstanceInfo): IRow {
    const name = displayName(info);
    const link = instanceLink(location.href, info.id);
    const open = element('a', {
      className: 'jp-LumlInstances-name',
      text: name,
      attrs: { href: link, title: `Open “${name}” (id ${info.id})` }
    });
    if (!info.fullname) {
      open.classList.add('jp-mod-unnamed');
    }
    const button = (text: string, action: () => void, className: string) => {
      const node = element('button', {
        className,
        text,
        attrs: { type: 'button', 'aria-label': `${text} “${name}”` }
      });
      node.addEventListener('click', action);
      return node;
    };
    const openButton = element('a', {
      className: 'jp-LumlInstances-action jp-LumlInstances-openAction',
      text: 'Open',
      attrs: { href: link, 'aria-label': `Open “${name}”` }
    });
    const cells = {
      changed: element('td', {
        className: 'jp-LumlInstances-changed',
        text: '…'
      }),
      size: element('td', { className: 'jp-LumlInstances-size', text: '…' }),
      models: element('td', { className: 'jp-LumlInstances-models', text: '…' })
    };
    const node = element(
      'tr',
      {
        className: 'jp-LumlInstances-row',
        attrs: { 'data-instance-id': info.id }
      },
      [
        element('th', { attrs: { scope: 'row' } }, [open]),
        element('td', { className: 'jp-LumlInstances-created' }, [
          timeElement(info.createdAt, 'Unknown')
        ]),
        cells.changed,
        cells.size,
        cells.models,
        element('td', { className: 'jp-LumlInstances-lastBackup' }, [
          timeElement(this._store.lastBackup(info.id), 'Never')
        ]),
        element('td', { className: 'jp-LumlInstances-actions' }, [
          openButton,
          button(
            'Rename',
            () => void this._rename(info),
            'jp-LumlInstances-action jp-LumlInstances-rename'
          ),
          button(
            'Back up',
            () => void this._backup(info),
            'jp-LumlInstances-action jp-LumlInstances-backup'
          ),
          button(
            'Restore…',
            () => this._pick(info),
            'jp-LumlInstances-action jp-LumlInstances-restoreInto'
          ),
          button(
            'Delete',
            () => void this._delete(info),
            'jp-LumlInstances-action jp-LumlInstances-delete'
          )
        ])
      ]
    );
    return { info, node, cells };
  }

  private _fillStats(row: IRow, stats: IInstanceStats | null): void {
    if (!stats) {
      for (const cell of Object.values(row.cells)) {
        cell.textContent = 'Unavailable';
      }
      return;
    }
    row.cells.changed.replaceChildren(
      timeElement(stats.lastModified ?? row.info.createdAt, 'Unknown')
    );
    row.cells.size.textContent = formatBytes(stats.bytes);
    row.cells.size.title = `${stats.files} files and folders`;
    row.cells.models.textContent = String(stats.models);
  }

  private async _showHealth(ask: boolean): Promise<void> {
    const health = await readStorageHealth(ask);
    this._persistence.textContent = describePersistence(health);
    this._persistence.dataset.persisted = String(health.persisted);
    this._usage.textContent = describeUsage(health);
  }

  /**
   * Ask to keep storage once, on the first action that stores data, not on
   * load: Chrome decides without asking, but Firefox asks the user, and a
   * prompt on arrival means nothing to them yet.
   */
  private _askToKeepOnce(): void {
    if (!this._askedToKeep) {
      this._askedToKeep = true;
      void this._showHealth(true);
    }
  }

  private _otherNames(except?: string): string[] {
    return this._rows
      .filter(row => row.info.id !== except)
      .map(row => row.info.fullname);
  }

  private async _create(): Promise<void> {
    this._askToKeepOnce();
    const others = this._otherNames();
    const name = await askName({
      title: 'New instance',
      label: 'Name',
      initial: freeName('Untitled instance', others),
      confirm: 'Create',
      check: value => checkInstanceName(value, others)
    });
    if (name === null) {
      return;
    }
    try {
      const made = await this._store.create(name);
      this._channel.post({ type: 'created', id: made.id });
      this._say(`Created “${made.fullname}”.`);
      await this.load();
      this._focusRow(made.id);
    } catch (error) {
      this._say(messageOf(error), true);
    }
  }

  private async _rename(info: IInstanceInfo): Promise<void> {
    const others = this._otherNames(info.id);
    const name = await askName({
      title: `Rename “${displayName(info)}”`,
      label: 'New name',
      initial: info.fullname,
      confirm: 'Rename',
      check: value => checkInstanceName(value, others)
    });
    if (name === null) {
      return;
    }
    try {
      const renamed = await this._store.rename(info.id, name);
      this._channel.post({
        type: 'renamed',
        id: info.id,
        fullname: renamed.fullname
      });
      this._say(`Renamed to “${renamed.fullname}”.`);
      await this.load();
      this._focusRow(info.id);
    } catch (error) {
      this._say(messageOf(error), true);
    }
  }

  private async _delete(info: IInstanceInfo): Promise<void> {
    const name = displayName(info);
    const confirmed = await confirmDanger({
      title: `Delete “${name}”?`,
      lines: [
        `This permanently removes “${name}” from this browser: its notebooks, files, models, checkpoints, settings and layout.`,
        'Models you have already downloaded or pushed to the LUML Registry are not affected.',
        'This cannot be undone.'
      ],
      confirm: 'Delete instance'
    });
    if (!confirmed) {
      return;
    }
    // Tabs showing the instance stop using it before it goes.
    this._channel.post({ type: 'deleting', id: info.id });
    this._say(`Deleting “${name}”…`);
    try {
      await this._store.delete(info.id, () =>
        this._say(
          `“${name}” is still open in another tab; it will be deleted as soon as that tab lets go of it.`
        )
      );
      this._channel.post({ type: 'deleted', id: info.id });
      this._say(`Deleted “${name}” and all of its data from this browser.`);
    } catch (error) {
      this._say(messageOf(error), true);
    }
    await this.load();
  }

  /** Asks for a zip; `into` is the instance to restore into, else a new one. */
  private _pick(into: IInstanceInfo | null): void {
    if (this._busy) {
      return;
    }
    this._restoreInto = into;
    this._zipInput.value = '';
    this._zipInput.click();
  }

  private async _picked(): Promise<void> {
    const file = this._zipInput.files?.[0];
    this._zipInput.value = '';
    if (!file || this._busy) {
      return;
    }
    const into = this._restoreInto;
    this._restoreInto = null;
    if (!into) {
      this._askToKeepOnce();
    }
    await this._run(() =>
      into
        ? this._backups.restoreInto(into, displayName(into), file)
        : this._backups.restoreNew(file, this._otherNames())
    );
  }

  private async _backup(info: IInstanceInfo): Promise<void> {
    if (!this._busy) {
      await this._run(() => this._backups.backup(info, displayName(info)));
    }
  }

  /** One backup or restore at a time; the outcome goes to the status line. */
  private async _run(action: () => Promise<IActionReport>): Promise<void> {
    this._busy = true;
    document.body.dataset.backup = 'running';
    let report: IActionReport;
    try {
      report = await action();
    } catch (error) {
      report = { text: messageOf(error), error: true };
    } finally {
      this._busy = false;
    }
    this._say(report.text, report.error);
    if (report.changed === false) {
      // a backup changes no instance: only its last-backup time
      this._showLastBackup(report.id);
    } else {
      await this.load();
    }
    if (report.id) {
      this._focusRow(report.id);
    }
    document.body.dataset.backup = report.error ? 'failed' : 'done';
    // tests and scripts wait for the count to move
    document.body.dataset.backupRuns = String(++this._runs);
  }

  private _showLastBackup(id: string | undefined): void {
    const row = this._rows.find(item => item.info.id === id);
    row?.node
      .querySelector('.jp-LumlInstances-lastBackup')
      ?.replaceChildren(
        timeElement(this._store.lastBackup(row.info.id), 'Never')
      );
  }

  private _onNews(news: InstanceNews): void {
    if (news.type !== 'deleting') {
      void this.load();
    }
  }

  private _focusRow(id: string): void {
    const row = this._rows.find(item => item.info.id === id);
    row?.node.querySelector<HTMLElement>('.jp-LumlInstances-name')?.focus();
  }

  private _say(text: string, error = false): void {
    this._status.textContent = text;
    this._status.classList.toggle('jp-mod-error', error);
    this._status.setAttribute('role', error ? 'alert' : 'status');
  }

  private _status: HTMLParagraphElement;
  private _body: HTMLTableSectionElement;
  private _empty: HTMLParagraphElement;
  private _persistence: HTMLParagraphElement;
  private _usage: HTMLParagraphElement;
  private _rows: IRow[] = [];
  private readonly _backups: PageBackups;
  private readonly _zipInput: HTMLInputElement;
  private _restoreInto: IInstanceInfo | null = null;
  private _busy = false;
  private _runs = 0;
  private _generation = 0;
  private _askedToKeep = false;
}

function messageOf(error: unknown): string {
  if (error instanceof InstanceError) {
    return error.message;
  }
  return `Something went wrong with browser storage: ${errorText(error)}`;
}
