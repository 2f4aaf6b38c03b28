import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  Notification,
  showDialog,
  showErrorMessage
} from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { Widget } from '@lumino/widgets';

import { BackupError, IRestoreResult } from '../backup';
import { BackupService } from '../backupService';
import { listBrowserStorage } from '../browserStorageListing';
import { CommandIDs } from '../commands';
import { IBackupService, ISiteInfo } from '../tokens';
import { formatBytes, ProgressNotice } from '../widgets/progressNotice';
import { RestorePanel } from '../widgets/RestorePanel';

const PALETTE_CATEGORY = 'LUML Notebooks';

/**
 * Backup of the current instance to one zip and restore from one, in the
 * File menu and the command palette. Provides the service for the
 * instances page.
 */
export const backupPlugin: JupyterFrontEndPlugin<IBackupService> = {
  id: 'luml-notebooks:backup',
  description: "Backs up and restores the instance's files as one zip.",
  autoStart: true,
  requires: [ISiteInfo],
  optional: [IMainMenu, ICommandPalette],
  provides: IBackupService,
  activate: (
    app: JupyterFrontEnd,
    site: ISiteInfo,
    mainMenu: IMainMenu | null,
    palette: ICommandPalette | null
  ): IBackupService => {
    // the name JupyterLite's default drive gives its storage
    const storageName =
      PageConfig.getOption('contentsStorageName') ||
      `JupyterLite Storage - ${PageConfig.getOption('baseUrl')}`;
    const service = new BackupService({
      contents: app.serviceManager.contents,
      siteVersion: site.siteVersion,
      instance: { id: storageName, name: 'notebooks' },
      list:
        site.host === 'browser'
          ? () =>
              listBrowserStorage({
                storageName,
                baseUrl: PageConfig.getBaseUrl(),
                allJsonFile: PageConfig.getOption('contentsAllJsonFile')
              })
          : undefined
    });
    let busy = false;
    const setBusy = (value: boolean) => {
      busy = value;
      app.commands.notifyCommandChanged(CommandIDs.backup);
      app.commands.notifyCommandChanged(CommandIDs.restore);
    };

    app.commands.addCommand(CommandIDs.backup, {
      label: 'Back Up All Files…',
      caption:
        "Save every file of this instance to one zip, with a manifest of each file's sha256",
      isEnabled: () => !busy,
      execute: async () => {
        setBusy(true);
        const controller = new AbortController();
        const notice = new ProgressNotice('Backing up', controller);
        try {
          const outcome = await service.backup({
            signal: controller.signal,
            onProgress: p =>
              notice.update(
                `${p.filesDone} of ${p.filesTotal} files, ` +
                  formatBytes(p.bytesDone),
                p.filesTotal ? p.filesDone / p.filesTotal : 0
              )
          });
          notice.dispose();
          const n = outcome.manifest.files.length;
          Notification.success(
            `Backed up ${n} ${n === 1 ? 'file' : 'files'} ` +
              `(${formatBytes(outcome.zipBytes)}) to ${outcome.fileName}`,
            { autoClose: 8000 }
          );
          return outcome.fileName;
        } catch (error) {
          notice.dispose();
          if (error instanceof BackupError && error.code === 'cancelled') {
            Notification.info(`Backup cancelled. ${error.message}`, {
              autoClose: 5000
            });
            return null;
          }
          await showErrorMessage('Backup failed', messageOf(error));
          return null;
        } finally {
          setBusy(false);
        }
      }
    });

    app.commands.addCommand(CommandIDs.restore, {
      label: 'Restore Files from Backup…',
      caption: 'Restore files from a backup zip into this instance',
      isEnabled: () => !busy,
      execute: async () => {
        const panel = new RestorePanel(service);
        const dialog = new Dialog({
          title: 'Restore files from a backup',
          body: panel,
          buttons: [
            Dialog.cancelButton(),
            Dialog.okButton({ label: 'Restore' })
          ],
          focusNodeSelector: '.jp-LumlRestore-file'
        });
        const accept = () =>
          dialog.node.querySelector<HTMLButtonElement>(
            '.jp-Dialog-button.jp-mod-accept'
          );
        panel.onReadyChange = ready => {
          const button = accept();
          if (button) {
            button.disabled = !ready;
          }
        };
        requestAnimationFrame(() => panel.onReadyChange(false));
        const answer = await dialog.launch();
        const choice = panel.choice;
        dialog.dispose();
        if (!answer.button.accept || !choice) {
          return null;
        }
        setBusy(true);
        const controller = new AbortController();
        const notice = new ProgressNotice('Restoring', controller);
        try {
          const result = await service.restore(choice.reader, {
            policy: choice.policy,
            signal: controller.signal,
            onProgress: p =>
              notice.update(
                `${p.phase === 'verifying' ? 'checking' : p.phase === 'writing' ? 'writing' : 'undoing'} ` +
                  `${p.filesDone} of ${p.filesTotal} files`,
                p.bytesTotal ? p.bytesDone / p.bytesTotal : 0
              )
          });
          notice.dispose();
          await reportRestored(result);
          return result.written;
        } catch (error) {
          notice.dispose();
          await showErrorMessage('Restore failed', messageOf(error));
          return null;
        } finally {
          setBusy(false);
        }
      }
    });

    mainMenu?.fileMenu.addGroup(
      [{ command: CommandIDs.backup }, { command: CommandIDs.restore }],
      45
    );
    for (const command of [CommandIDs.backup, CommandIDs.restore]) {
      palette?.addItem({ command, category: PALETTE_CATEGORY });
    }
    return service;
  }
};

function messageOf(error: unknown): string {
  if (error instanceof BackupError) {
    return error.message;
  }
  return `Unexpected problem: ${(error as Error)?.message ?? String(error)}`;
}

async function reportRestored(result: IRestoreResult): Promise<void> {
  const n = result.written.length;
  const parts = [`Restored ${n} ${n === 1 ? 'file' : 'files'}.`];
  if (result.identical.length) {
    parts.push(`${result.identical.length} were already identical here.`);
  }
  if (result.skipped.length) {
    parts.push(
      `${result.skipped.length} existing files were kept as they are.`
    );
  }
  if (result.renamed.size) {
    parts.push(
      `${result.renamed.size} were restored beside existing ones as "(restored)" copies.`
    );
  }
  if (result.verified) {
    parts.push('Every file matched the sha256 in the backup.');
  }
  if (result.notices.length) {
    // unverified imports deserve more than a toast
    const body = document.createElement('div');
    body.className = 'jp-LumlRestore-report';
    body.textContent = [...parts, ...result.notices].join('\n');
    await showDialog({
      title: 'Files restored',
      body: new Widget({ node: body }),
      buttons: [Dialog.okButton()]
    });
    return;
  }
  Notification.success(parts.join(' '), { autoClose: 8000 });
}
