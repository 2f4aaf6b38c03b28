/**
 * Modal dialogs for the instances page, on the native `<dialog>` element
 * (focus trap, Escape to cancel, keyboard access built in).
 */
import { NameCheck } from '../instances/names';
import { element } from '../common/dom';

function openDialog(
  dialog: HTMLDialogElement,
  settle: (value: string) => void
): void {
  dialog.addEventListener('close', () => {
    settle(dialog.returnValue);
    dialog.remove();
  });
  document.body.append(dialog);
  dialog.showModal();
}

export interface INameDialogOptions {
  title: string;
  label: string;
  initial: string;
  confirm: string;
  check: (name: string) => NameCheck;
}

/** Ask for a name; resolves with the checked name, or null on cancel. */
export function askName(options: INameDialogOptions): Promise<string | null> {
  return new Promise(resolve => {
    const input = element('input', {
      className: 'jp-LumlInstances-nameInput',
      attrs: {
        type: 'text',
        id: 'luml-instance-name',
        autocomplete: 'off',
        spellcheck: 'false',
        'aria-describedby': 'luml-instance-name-error'
      }
    });
    input.value = options.initial;
    const error = element('p', {
      className: 'jp-LumlInstances-error',
      attrs: { id: 'luml-instance-name-error', role: 'alert' }
    });
    const ok = element('button', {
      className: 'jp-LumlInstances-primary',
      text: options.confirm,
      attrs: { type: 'submit', value: 'ok' }
    });
    const cancel = element('button', {
      text: 'Cancel',
      attrs: { type: 'button', value: 'cancel' }
    });
    const form = element('form', { attrs: { method: 'dialog' } }, [
      element('h2', { text: options.title }),
      element('label', { text: options.label, attrs: { for: input.id } }),
      input,
      error,
      element('div', { className: 'jp-LumlInstances-dialogButtons' }, [
        cancel,
        ok
      ])
    ]);
    const dialog = element('dialog', { className: 'jp-LumlInstances-dialog' }, [
      form
    ]);
    let checked: NameCheck = options.check(input.value);
    const show = (always: boolean) => {
      checked = options.check(input.value);
      error.textContent = !checked.ok && always ? checked.message : '';
      input.setAttribute('aria-invalid', String(!checked.ok && always));
    };
    input.addEventListener('input', () => show(true));
    cancel.addEventListener('click', () => dialog.close('cancel'));
    form.addEventListener('submit', event => {
      show(true);
      if (!checked.ok) {
        event.preventDefault();
        input.focus();
      }
    });
    openDialog(dialog, value => {
      resolve(value === 'ok' && checked.ok ? checked.name : null);
    });
    input.select();
  });
}

export interface IConfirmOptions {
  title: string;
  lines: string[];
  confirm: string;
}

/** Ask to confirm a destructive action; Cancel has the focus. */
export function confirmDanger(options: IConfirmOptions): Promise<boolean> {
  return new Promise(resolve => {
    const cancel = element('button', {
      text: 'Cancel',
      attrs: { type: 'submit', value: 'cancel', autofocus: '' }
    });
    const ok = element('button', {
      className: 'jp-LumlInstances-danger',
      text: options.confirm,
      attrs: { type: 'submit', value: 'ok' }
    });
    const form = element('form', { attrs: { method: 'dialog' } }, [
      element('h2', { text: options.title }),
      ...options.lines.map(line => element('p', { text: line })),
      element('div', { className: 'jp-LumlInstances-dialogButtons' }, [
        cancel,
        ok
      ])
    ]);
    const dialog = element(
      'dialog',
      { className: 'jp-LumlInstances-dialog', attrs: { role: 'alertdialog' } },
      [form]
    );
    openDialog(dialog, value => resolve(value === 'ok'));
  });
}
