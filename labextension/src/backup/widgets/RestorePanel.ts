import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { BackupReader, ConflictPolicy, IRestorePreview } from '..';
import { formatBytes } from '../../common/byteSize';
import { errorText } from '../../common/errors';

/** What the panel needs from the backup service. */
export interface IRestorePanelBackend {
  open(file: Blob): Promise<BackupReader>;
  preview(reader: BackupReader): Promise<IRestorePreview>;
}

export interface IRestoreChoice {
  reader: BackupReader;
  policy: ConflictPolicy;
  preview: IRestorePreview;
}

function policies(
  trans: TranslationBundle
): { value: ConflictPolicy; label: string }[] {
  return [
    {
      value: 'skip',
      label: trans.__("Skip them: keep this instance's versions")
    },
    {
      value: 'overwrite',
      label: trans.__("Overwrite them: replace them with the backup's versions")
    },
    {
      value: 'keep-both',
      label: trans.__(
        'Keep both: restore the backup\'s versions as "name (restored)"'
      )
    }
  ];
}

/**
 * The body of the restore dialog: pick a zip, see what it holds and whether
 * it can be verified, and choose what happens to files that already exist.
 * Problems with the zip show here, before anything is restored.
 */
export class RestorePanel extends Widget {
  constructor(
    private readonly _backend: IRestorePanelBackend,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-LumlRestore');
    const node = this.node;

    const label = document.createElement('label');
    label.className = 'jp-LumlRestore-pick';
    label.textContent = _trans.__('Backup to restore (.zip)');
    this._input = document.createElement('input');
    this._input.type = 'file';
    this._input.accept = '.zip,application/zip';
    this._input.className = 'jp-LumlRestore-file';
    this._input.addEventListener('change', () => void this._picked());
    label.appendChild(this._input);
    node.appendChild(label);

    this._status = document.createElement('div');
    this._status.className = 'jp-LumlRestore-status';
    this._status.setAttribute('aria-live', 'polite');
    node.appendChild(this._status);

    this._error = document.createElement('div');
    this._error.className = 'jp-LumlRestore-error';
    this._error.setAttribute('role', 'alert');
    node.appendChild(this._error);

    this._conflicts = document.createElement('fieldset');
    this._conflicts.className = 'jp-LumlRestore-conflicts';
    this._conflicts.hidden = true;
    this._legend = document.createElement('legend');
    this._conflicts.appendChild(this._legend);
    for (const policy of policies(_trans)) {
      const option = document.createElement('label');
      option.className = 'jp-LumlRestore-policy';
      const radio = document.createElement('input');
      radio.type = 'radio';
      radio.name = 'jp-LumlRestore-policy';
      radio.value = policy.value;
      radio.addEventListener('change', () => {
        this._policy = policy.value;
        this._changed();
      });
      const text = document.createElement('span');
      text.textContent = policy.label;
      option.append(radio, text);
      this._conflicts.appendChild(option);
    }
    node.appendChild(this._conflicts);
  }

  /** Called with whether a restore can start. */
  onReadyChange: (ready: boolean) => void = () => undefined;

  /** The choice, once a valid zip is picked and conflicts are decided. */
  get choice(): IRestoreChoice | null {
    if (!this._reader || !this._preview) {
      return null;
    }
    if (this._preview.conflicts.length && !this._policy) {
      return null;
    }
    return {
      reader: this._reader,
      preview: this._preview,
      policy: this._policy ?? 'skip'
    };
  }

  private async _picked(): Promise<void> {
    const file = this._input.files?.[0];
    const ticket = ++this._ticket;
    this._reader = null;
    this._preview = null;
    this._policy = null;
    this._error.textContent = '';
    this._status.textContent = '';
    this._conflicts.hidden = true;
    this._changed();
    if (!file) {
      return;
    }
    this._status.textContent = this._trans.__('Reading %1…', file.name);
    try {
      const reader = await this._backend.open(file);
      const preview = await this._backend.preview(reader);
      if (ticket !== this._ticket) {
        return;
      }
      this._reader = reader;
      this._preview = preview;
      this._status.textContent = describe(
        file.name,
        reader,
        preview,
        this._trans
      );
      if (preview.conflicts.length) {
        const n = preview.conflicts.length;
        const some = preview.conflicts.slice(0, 3).join(', ');
        this._legend.textContent = this._trans._n(
          '%1 file exists here already with other contents (%2). What should happen to it?',
          '%1 files exist here already with other contents (%2). What should happen to them?',
          n,
          n > 3 ? `${some}, …` : some
        );
        this._conflicts
          .querySelectorAll('input')
          .forEach(radio => ((radio as HTMLInputElement).checked = false));
        this._conflicts.hidden = false;
      }
    } catch (error) {
      if (ticket !== this._ticket) {
        return;
      }
      this._status.textContent = '';
      this._error.textContent = errorText(error, this._trans);
    }
    this._changed();
  }

  private _changed(): void {
    this.onReadyChange(this.choice !== null);
  }

  private readonly _input: HTMLInputElement;
  private readonly _status: HTMLDivElement;
  private readonly _error: HTMLDivElement;
  private readonly _conflicts: HTMLFieldSetElement;
  private readonly _legend: HTMLLegendElement;
  private _reader: BackupReader | null = null;
  private _preview: IRestorePreview | null = null;
  private _policy: ConflictPolicy | null = null;
  private _ticket = 0;
}

function describe(
  fileName: string,
  reader: BackupReader,
  preview: IRestorePreview,
  trans: TranslationBundle
): string {
  const files = trans._n('%1 file', '%1 files', reader.files.length);
  const size = formatBytes(reader.totalBytes);
  const lines: string[] = [];
  const manifest = reader.manifest;
  if (manifest) {
    const made = manifest.createdAt
      ? new Date(manifest.createdAt).toLocaleString()
      : trans.__('an unknown date');
    lines.push(
      trans.__(
        'Backup of "%1" made %2: %3, %4. Every file will be checked against its sha256 before anything is written.',
        manifest.instance.name || trans.__('an instance'),
        made,
        files,
        size
      )
    );
  } else {
    lines.push(`${fileName}: ${files}, ${size}.`);
  }
  lines.push(...reader.notices);
  if (preview.identical.length) {
    lines.push(
      trans.__(
        '%1 are already here, unchanged, and will be left as they are.',
        preview.identical.length
      )
    );
  }
  if (preview.blocked.length) {
    lines.push(
      trans.__(
        '%1 cannot be restored because a file and a folder would share a name here (%2); they will be skipped.',
        preview.blocked.length,
        preview.blocked.slice(0, 3).join(', ')
      )
    );
  }
  return lines.join('\n');
}
