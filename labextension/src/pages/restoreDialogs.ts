/**
 * The instances page's dialogs for backups: what a zip holds before it is
 * restored, and progress with Cancel while a backup or restore runs. Native
 * `<dialog>` elements (focus trap, Escape, keyboard access); every name and
 * path from a zip is set as text.
 */
import type { BackupReader, ConflictPolicy, IRestorePreview } from '../backup';
import { NameCheck } from '../instances/names';
import { formatBytes } from '../common/byteSize';
import { element, formatDate } from '../common/dom';

export interface IRestoreChoice {
  /** The new instance's name (restore as a new instance). */
  name: string;
  policy: ConflictPolicy;
}

export interface IRestoreDialogOptions {
  fileName: string;
  reader: BackupReader;
  /** Restore into a new instance named after this (editable). */
  newName?: { initial: string; check: (name: string) => NameCheck };
  /** Restore into this existing instance, with what meets its files. */
  into?: { name: string; preview: IRestorePreview };
}

/** What a zip will restore, in words. */
export function describeArchive(reader: BackupReader): string {
  const files = reader.files.length;
  const folders = reader.folders.length;
  return (
    `${files} ${files === 1 ? 'file' : 'files'} (${formatBytes(reader.totalBytes)})` +
    (folders ? ` in ${folders} ${folders === 1 ? 'folder' : 'folders'}` : '')
  );
}

/** Shows a zip's contents and asks how to restore it; null on cancel. */
export function askRestore(
  options: IRestoreDialogOptions
): Promise<IRestoreChoice | null> {
  return new Promise(resolve => {
    const { reader } = options;
    const manifest = reader.manifest;
    const verify = element('p', {
      className: 'jp-LumlInstances-verify',
      attrs: { 'data-verified': String(reader.verifiable) }
    });
    if (manifest) {
      const made = Date.parse(manifest.createdAt);
      verify.textContent =
        `A LUML Notebooks backup of “${manifest.instance.name || 'an instance'}”` +
        (Number.isNaN(made) ? '' : `, made ${formatDate(new Date(made))}`) +
        ': every file is checked against the sha256 in its manifest before anything is written.';
    } else {
      verify.textContent =
        'Could not be verified: this zip has no LUML Notebooks manifest, so its files are imported as they are.';
    }
    const notices = reader.notices.filter(
      notice => !(manifest === null && notice.includes('luml-backup.json'))
    );
    const body: Node[] = [
      element('p', {
        className: 'jp-LumlInstances-archive',
        text: `${options.fileName}: ${describeArchive(reader)}.`
      }),
      verify,
      ...notices.map(text =>
        element('p', { className: 'jp-LumlInstances-notice-line', text })
      )
    ];

    let input: HTMLInputElement | null = null;
    const error = element('p', {
      className: 'jp-LumlInstances-error',
      attrs: { id: 'luml-restore-name-error', role: 'alert' }
    });
    let checked: NameCheck | null = null;
    if (options.newName) {
      const field = element('input', {
        className: 'jp-LumlInstances-nameInput',
        attrs: {
          type: 'text',
          id: 'luml-restore-name',
          autocomplete: 'off',
          spellcheck: 'false',
          'aria-describedby': 'luml-restore-name-error'
        }
      });
      field.value = options.newName.initial;
      input = field;
      checked = options.newName.check(field.value);
      body.push(
        element('label', {
          text: 'Name of the new instance',
          attrs: { for: field.id }
        }),
        field,
        error
      );
    }

    const policies: [ConflictPolicy, string][] = [
      ['skip', 'Keep the instance’s file (skip the backup’s)'],
      ['overwrite', 'Replace it with the backup’s file'],
      ['keep-both', 'Keep both: the backup’s file gets a “(restored)” name']
    ];
    if (options.into) {
      const { preview } = options.into;
      const differ = preview.conflicts.length;
      body.push(
        element('p', {
          className: 'jp-LumlInstances-conflicts',
          text:
            `${differ} ${differ === 1 ? 'file exists' : 'files exist'} in “${options.into.name}” with other contents` +
            (preview.identical.length
              ? `; ${preview.identical.length} already identical (left as they are)`
              : '') +
            (preview.blocked.length
              ? `; ${preview.blocked.length} cannot be restored where a folder and a file share a name (skipped)`
              : '') +
            '.'
        }),
        element('fieldset', { className: 'jp-LumlInstances-policy' }, [
          element('legend', {
            text: 'When a file exists with other contents'
          }),
          ...policies.map(([value, label], i) => {
            const radio = element('input', {
              attrs: {
                type: 'radio',
                name: 'luml-restore-policy',
                value,
                id: `luml-restore-policy-${value}`
              }
            });
            radio.checked = i === 0;
            return element('div', {}, [
              radio,
              element('label', { text: label, attrs: { for: radio.id } })
            ]);
          })
        ]),
        element('p', {
          className: 'jp-LumlInstances-hint',
          text: 'Close tabs that show this instance first: an editor left open there may save over restored files.'
        })
      );
    }

    const ok = element('button', {
      className: 'jp-LumlInstances-primary',
      text: 'Restore',
      attrs: { type: 'submit', value: 'ok' }
    });
    const cancel = element('button', {
      text: 'Cancel',
      attrs: { type: 'button', value: 'cancel' }
    });
    const title = options.into
      ? `Restore into “${options.into.name}”`
      : 'Restore as a new instance';
    const form = element('form', { attrs: { method: 'dialog' } }, [
      element('h2', { text: title }),
      ...body,
      element('div', { className: 'jp-LumlInstances-dialogButtons' }, [
        cancel,
        ok
      ])
    ]);
    const dialog = element(
      'dialog',
      {
        className: 'jp-LumlInstances-dialog jp-LumlInstances-restoreDialog',
        attrs: { 'aria-label': title }
      },
      [form]
    );
    const show = () => {
      if (!input || !options.newName) {
        return;
      }
      checked = options.newName.check(input.value);
      error.textContent = checked.ok ? '' : checked.message;
      input.setAttribute('aria-invalid', String(!checked.ok));
    };
    input?.addEventListener('input', show);
    cancel.addEventListener('click', () => dialog.close('cancel'));
    form.addEventListener('submit', event => {
      show();
      if (checked && !checked.ok) {
        event.preventDefault();
        input?.focus();
      }
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (dialog.returnValue !== 'ok') {
        resolve(null);
        return;
      }
      const picked = form.querySelector<HTMLInputElement>(
        'input[name=luml-restore-policy]:checked'
      );
      resolve({
        name: checked?.ok ? checked.name : '',
        policy: options.into
          ? ((picked?.value as ConflictPolicy) ?? 'skip')
          : 'overwrite'
      });
    });
    document.body.append(dialog);
    dialog.showModal();
    if (input) {
      input.select();
    } else {
      ok.focus();
    }
  });
}

/**
 * A modal progress bar with Cancel for a backup or a restore. Escape
 * cancels too; the dialog closes itself when the work ends.
 */
export class ProgressDialog {
  constructor(title: string, controller: AbortController) {
    this._bar = element('progress', {
      className: 'jp-LumlInstances-progressBar',
      attrs: { max: '1', value: '0', 'aria-label': title }
    });
    this._text = element('p', {
      className: 'jp-LumlInstances-progressText',
      attrs: { role: 'status', 'aria-live': 'polite' }
    });
    const cancel = element('button', {
      className: 'jp-LumlInstances-cancel',
      text: 'Cancel',
      attrs: { type: 'button' }
    });
    cancel.addEventListener('click', () => {
      controller.abort();
      this._text.textContent = 'Cancelling…';
      cancel.disabled = true;
    });
    this._dialog = element(
      'dialog',
      {
        className: 'jp-LumlInstances-dialog jp-LumlInstances-progress',
        attrs: { 'aria-label': title }
      },
      [
        element('h2', { text: title }),
        this._bar,
        this._text,
        element('div', { className: 'jp-LumlInstances-dialogButtons' }, [
          cancel
        ])
      ]
    );
    // Escape cancels the work rather than hiding its progress
    this._dialog.addEventListener('cancel', event => {
      event.preventDefault();
      cancel.click();
    });
  }

  show(): void {
    if (!this._dialog.open) {
      document.body.append(this._dialog);
      this._dialog.showModal();
    }
  }

  update(text: string, fraction: number): void {
    this.show();
    this._text.textContent = text;
    this._bar.value = Math.min(1, Math.max(0, fraction));
  }

  close(): void {
    if (this._dialog.open) {
      this._dialog.close();
    }
    this._dialog.remove();
  }

  private readonly _dialog: HTMLDialogElement;
  private readonly _bar: HTMLProgressElement;
  private readonly _text: HTMLParagraphElement;
}
