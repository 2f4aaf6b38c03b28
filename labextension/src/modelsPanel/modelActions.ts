import { LabIcon } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { ReadonlyJSONObject } from '@lumino/coreutils';

import { el } from '../common/dom';

/**
 * A button that runs a command, labelled, iconed and enabled as the command
 * says (so a disabled command shows its hint as the tooltip).
 */
export function commandButton(
  commands: CommandRegistry,
  id: string,
  args: () => ReadonlyJSONObject,
  options: { className: string; showLabel?: boolean; focusable?: boolean }
): HTMLButtonElement {
  const button = el('button', options.className);
  button.type = 'button';
  button.dataset.command = id;
  if (options.focusable === false) {
    // rows are the tab stops; their actions are one key or menu away
    button.tabIndex = -1;
  }
  const icon = commands.icon(id, args());
  if (icon instanceof LabIcon) {
    button.appendChild(
      icon.element({ tag: 'span', className: `${options.className}Icon` })
    );
  }
  const label = commands.label(id, args());
  if (options.showLabel) {
    button.appendChild(el('span', `${options.className}Label`, label));
  }
  updateCommandButton(commands, button, args());
  button.addEventListener('click', event => {
    event.stopPropagation();
    if (commands.isEnabled(id, args())) {
      void commands.execute(id, args());
    }
  });
  return button;
}

/** Refresh a command button's enabled state and tooltip. */
export function updateCommandButton(
  commands: CommandRegistry,
  button: HTMLButtonElement,
  args: ReadonlyJSONObject
): void {
  const id = button.dataset.command ?? '';
  const label = commands.label(id, args);
  const caption = commands.caption(id, args);
  const enabled = commands.isEnabled(id, args);
  button.disabled = !enabled;
  button.setAttribute('aria-label', label);
  // a disabled command's caption says what would enable it
  button.title = caption && caption !== label ? `${label}: ${caption}` : label;
}
