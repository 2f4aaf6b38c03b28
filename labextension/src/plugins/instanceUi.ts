import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Dialog, ICommandPalette, showDialog } from '@jupyterlab/apputils';

import { CommandIDs } from '../commands';
import { checkInstanceName } from '../instances/names';
import { InstanceError } from '../instances/store';
import { ICurrentInstance, IInstances } from '../tokens';
import { InstanceLabel } from '../widgets/InstanceLabel';
import { InstanceNameBody } from '../widgets/InstanceNameBody';
import { InstancePicker } from '../widgets/InstancePicker';

const CATEGORY = 'Instances';

/**
 * The instance inside JupyterLab: its name in the top bar, commands to
 * rename it, switch instance or go to the instances page, and a clear note
 * when it is deleted elsewhere.
 */
export const instanceUiPlugin: JupyterFrontEndPlugin<void> = {
  id: 'luml-notebooks:instance',
  description: 'Shows the instance in the top bar and adds instance commands.',
  autoStart: true,
  requires: [IInstances],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    instances: IInstances,
    palette: ICommandPalette | null
  ): void => {
    const current = instances.current;
    if (!current) {
      return;
    }
    const { commands } = app;

    commands.addCommand(CommandIDs.renameInstance, {
      label: 'Rename Instance…',
      caption: 'Give the instance of this tab a new name',
      isEnabled: () => !current.deleted,
      execute: () => rename(current)
    });
    commands.addCommand(CommandIDs.switchInstance, {
      label: 'Switch Instance…',
      caption: 'Open another instance of this browser in this tab',
      execute: () => pick(instances, current)
    });
    commands.addCommand(CommandIDs.openInstancesPage, {
      label: 'All Instances',
      caption: 'Go to the instances page: create, rename, delete instances',
      execute: () => location.assign(instances.pageUrl)
    });
    for (const command of [
      CommandIDs.renameInstance,
      CommandIDs.switchInstance,
      CommandIDs.openInstancesPage
    ]) {
      palette?.addItem({ command, category: CATEGORY });
    }

    const label = new InstanceLabel(current, () => {
      void commands.execute(CommandIDs.switchInstance);
    });
    label.id = 'luml-notebooks-instance';
    app.shell.add(label, 'top', { rank: 1 });

    current.changed.connect(() => {
      commands.notifyCommandChanged(CommandIDs.renameInstance);
      if (current.deleted && !told) {
        told = true;
        void tellDeleted(instances, current);
      }
    });
    let told = false;
  }
};

async function rename(current: ICurrentInstance): Promise<void> {
  let value = current.name;
  let problem = '';
  for (;;) {
    const result = await showDialog({
      title: 'Rename Instance',
      body: new InstanceNameBody(value, problem),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Rename' })],
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
      if (error instanceof InstanceError && error.reason === 'name') {
        problem = error.message;
        continue;
      }
      await showDialog({
        title: 'Could not rename the instance',
        body: error instanceof Error ? error.message : String(error),
        buttons: [Dialog.okButton()]
      });
      return;
    }
  }
}

async function pick(
  instances: IInstances,
  current: ICurrentInstance
): Promise<void> {
  const all = await instances.list();
  let dialog: Dialog<string | null> | null = null;
  const picker = new InstancePicker(all, current.id, () => dialog?.resolve(0));
  dialog = new Dialog({
    title: 'Switch Instance',
    body: picker,
    buttons: [
      Dialog.cancelButton(),
      Dialog.createButton({
        label: 'All Instances',
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
  current: ICurrentInstance
): Promise<void> {
  const result = await showDialog({
    title: 'This instance was deleted',
    body:
      `“${current.name}” was deleted from this browser, in another tab or window. ` +
      'Its files are gone and nothing more can be saved here. ' +
      'Copy anything you still need from the open documents, then go to the instances page.',
    buttons: [
      Dialog.cancelButton({ label: 'Stay on this page' }),
      Dialog.okButton({ label: 'Go to the instances page' })
    ]
  });
  if (result.button.accept) {
    location.assign(instances.pageUrl);
  }
}
