import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Dialog, ICommandPalette, showDialog } from '@jupyterlab/apputils';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';

import { CommandIDs, paletteCategory } from '../commands';
import { checkInstanceName } from '../instances/names';
import { ICurrentInstance, IInstances } from '../instances/tokens';
import { InstanceLabel } from '../instances/widgets/InstanceLabel';
import { InstanceNameBody } from '../instances/widgets/InstanceNameBody';

const NO_ARGS = { args: { type: 'object' as const, properties: {} } };

/**
 * The instance inside JupyterLab: its name in the top bar, commands to
 * rename it, switch instance or go to the instances page, and a clear note
 * when it is deleted elsewhere.
 */
export const instancePlugin: JupyterFrontEndPlugin<void> = {
  id: 'luml-notebooks:instance',
  description: 'Shows the instance in the top bar and adds instance commands.',
  autoStart: true,
  requires: [IInstances],
  optional: [ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    instances: IInstances,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ): void => {
    const current = instances.current;
    if (!current) {
      return;
    }
    const trans = (translator ?? nullTranslator).load('luml_notebooks');
    const { commands } = app;

    commands.addCommand(CommandIDs.renameInstance, {
      label: trans.__('Rename Instance…'),
      caption: trans.__('Give the instance of this tab a new name'),
      describedBy: NO_ARGS,
      isEnabled: () => !current.deleted,
      execute: () => rename(current, trans)
    });
    commands.addCommand(CommandIDs.switchInstance, {
      label: trans.__('Switch Instance…'),
      caption: trans.__('Open another instance of this browser in this tab'),
      describedBy: NO_ARGS,
      execute: () => pick(instances, current, trans)
    });
    commands.addCommand(CommandIDs.openInstancesPage, {
      label: trans.__('All Instances'),
      caption: trans.__(
        'Go to the instances page: create, rename, delete instances'
      ),
      describedBy: NO_ARGS,
      execute: () => location.assign(instances.pageUrl)
    });
    const category = paletteCategory(trans);
    for (const command of [
      CommandIDs.renameInstance,
      CommandIDs.switchInstance,
      CommandIDs.openInstancesPage
    ]) {
      palette?.addItem({ command, category });
    }

    const label = new InstanceLabel(
      current,
      () => {
        void commands.execute(CommandIDs.switchInstance);
      },
      trans
    );
    label.id = 'luml-notebooks-instance';
    app.shell.add(label, 'top', { rank: 1 });

    current.changed.connect(() => {
      commands.notifyCommandChanged(CommandIDs.renameInstance);
      if (current.deleted && !told) {
        told = true;
        void tellDeleted(instances, current, trans);
      }
    });
    let told = false;
  }
};

async function rename(
  current: ICurrentInstance,
  trans: TranslationBundle
): Promise<void> {
  let value = current.name;
  let problem = '';
  for (;;) {
    const result = await showDialog({
      title: trans.__('Rename Instance'),
      body: new InstanceNameBody(value, problem, trans),
      buttons: [
        Dialog.cancelButton(),
        Dialog.okButton({ label: trans.__('Rename') })
      ],
      focusNodeSelector: 'input'
    });
    if (!result.button.accept || result.value === null) {
      return;
    }
    value = result.value;
    const check = checkInstanceName(value, await current.otherNames());
    if (!check.ok) {
      problem = check.message;
      continue;
    }
    try {
      await current.rename(check.name);
      return;
    } catch (error) {
      const { InstanceError } = await import('../instances/instanceStore');
      if (error instanceof InstanceError && error.reason === 'name') {
        problem = error.message;
        continue;
      }
      await showDialog({
        title: trans.__('Could not rename the instance'),
        body: error instanceof Error ? error.message : String(error),
        buttons: [Dialog.okButton()]
      });
      return;
    }
  }
}

async function pick(
  instances: IInstances,
  current: ICurrentInstance,
  trans: TranslationBundle
): Promise<void> {
  const all = await instances.list();
  const { InstancePicker } =
    await import('../instances/widgets/InstancePicker');
  let dialog: Dialog<string | null> | null = null;
  const picker = new InstancePicker(
    all,
    current.id,
    () => dialog?.resolve(0),
    trans
  );
  dialog = new Dialog({
    title: trans.__('Switch Instance'),
    body: picker,
    buttons: [
      Dialog.cancelButton(),
      Dialog.createButton({
        label: trans.__('All Instances'),
        accept: true,
        actions: ['all']
      })
    ]
  });
  const result = await dialog.launch();
  const chosen = picker.getValue();
  if (chosen) {
    // JupyterLab asks first if documents have unsaved changes
    location.assign(instances.link(chosen));
  } else if (result.button.actions.includes('all')) {
    location.assign(instances.pageUrl);
  }
}

async function tellDeleted(
  instances: IInstances,
  current: ICurrentInstance,
  trans: TranslationBundle
): Promise<void> {
  // The name goes in after formatting: gettext would turn a '%% ' in it into '%'.
  const body = trans
    .__(
      '“%1” was deleted from this browser, in another tab or window. Its files are gone and nothing more can be saved here. Copy anything you still need from the open documents, then go to the instances page.',
      '%1'
    )
    .split('%1')
    .join(current.name);
  const result = await showDialog({
    title: trans.__('This instance was deleted'),
    body,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Stay on this page') }),
      Dialog.okButton({ label: trans.__('Go to the instances page') })
    ]
  });
  if (result.button.accept) {
    location.assign(instances.pageUrl);
  }
}
