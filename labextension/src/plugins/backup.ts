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
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import type { IRestoreResult } from '../backup';
// eslint-disable-next-line jupyter/prefer-lazy-imports -- the plugin provides the service at activation
import { BackupService } from '../backup/backupService';
import { CommandIDs, paletteCategory } from '../commands';
import { IBackupService } from '../backup/tokens';
import { IInstances } from '../instances/tokens';
import { ISiteInfo } from '../site/tokens';
import { formatBytes } from '../common/byteSize';
import { ProgressNotice } from '../backup/widgets/progressNotice';
import { errorText } from '../common/errors';
import { contentsStorageName, pageFileTypes } from '../common/pageConfig';

const NO_ARGS = { args: { type: 'object' as const, properties: {} } };

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
  optional: [ICommandPalette, ITranslator, IInstances],
  provides: IBackupService,
  activate: (
    app: JupyterFrontEnd,
    site: ISiteInfo,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
    instances: IInstances | null
  ): IBackupService => {
    const trans = (translator ?? nullTranslator).load('luml_notebooks');
    const storageName = contentsStorageName(PageConfig.getOption);
    const baseUrl = app.serviceManager.serverSettings.baseUrl;
    const service = new BackupService({
      contents: app.serviceManager.contents,
      siteVersion: site.siteVersion,
      instance: currentInstance(instances, storageName),
      list:
        site.host === 'browser'
          ? async () => {
              const { listBrowserStorage } =
                await import('../backup/storageListing');
              return listBrowserStorage({
                storageName,
                baseUrl,
                allJsonFile: PageConfig.getOption('contentsAllJsonFile')
              });
            }
          : undefined,
      // the server's raw files, so notebooks are backed up byte for byte
      readBytes:
        site.host === 'server'
          ? async path => {
              const { fetchServerFile } =
                await import('../discovery/serverModelFiles');
              return fetchServerFile(app.serviceManager.serverSettings, path);
            }
          : undefined,
      openStorage:
        site.host === 'browser'
          ? async () => {
              const { SiteShippedFiles, StorageContents } =
                await import('../backup/storageContents');
              return StorageContents.open(indexedDB, storageName, {
                shipped: new SiteShippedFiles(
                  baseUrl,
                  PageConfig.getOption('contentsAllJsonFile')
                ),
                fileTypes: pageFileTypes(PageConfig.getOption)
              });
            }
          : undefined,
      browserStorage: site.host === 'browser'
    });
    // backups are named after the instance and remembered under its id
    instances?.current?.changed.connect(() => {
      service.instance = currentInstance(instances, storageName);
    });
    let busy = false;
    const setBusy = (value: boolean) => {
      busy = value;
      app.commands.notifyCommandChanged(CommandIDs.backup);
      app.commands.notifyCommandChanged(CommandIDs.restore);
    };

    app.commands.addCommand(CommandIDs.backup, {
      label: trans.__('Back Up All Files…'),
      caption: trans.__(
        "Save every file of this instance to one zip, with a manifest of each file's sha256"
      ),
      describedBy: NO_ARGS,
      isEnabled: () => !busy,
      execute: async () => {
        setBusy(true);
        const controller = new AbortController();
        const notice = new ProgressNotice(
          trans.__('Backing up'),
          trans.__('Cancel'),
          controller
        );
        try {
          const outcome = await service.backup({
            signal: controller.signal,
            onProgress: p =>
              notice.update(
                trans.__(
                  '%1 of %2 files, %3',
                  p.filesDone,
                  p.filesTotal,
                  formatBytes(p.bytesDone)
                ),
                p.filesTotal ? p.filesDone / p.filesTotal : 0
              )
          });
          notice.dispose();
          Notification.success(
            trans._n(
              'Backed up %1 file (%2) to %3',
              'Backed up %1 files (%2) to %3',
              outcome.manifest.files.length,
              formatBytes(outcome.zipBytes),
              outcome.fileName
            ),
            { autoClose: 8000 }
          );
          return outcome.fileName;
        } catch (error) {
          notice.dispose();
          if (codeOf(error) === 'cancelled') {
            Notification.info(
              trans.__('Backup cancelled. %1', messageOf(error, trans)),
              { autoClose: 5000 }
            );
            return null;
          }
          await showErrorMessage(
            trans.__('Backup failed'),
            messageOf(error, trans)
          );
          return null;
        } finally {
          setBusy(false);
        }
      }
    });

    app.commands.addCommand(CommandIDs.restore, {
      label: trans.__('Restore Files from Backup…'),
      caption: trans.__('Restore files from a backup zip into this instance'),
      describedBy: NO_ARGS,
      isEnabled: () => !busy,
      execute: async () => {
        const { RestorePanel } = await import('../backup/widgets/RestorePanel');
        const panel = new RestorePanel(service, trans);
        const dialog = new Dialog({
          title: trans.__('Restore files from a backup'),
          body: panel,
          buttons: [
            Dialog.cancelButton({ label: trans.__('Cancel') }),
            Dialog.okButton({ label: trans.__('Restore') })
          ],
          focusNodeSelector: '.jp-LumlRestore-file'
        });
        panel.onReadyChange = ready => {
          const button = dialog.node.querySelector<HTMLButtonElement>(
            '.jp-Dialog-button.jp-mod-accept'
          );
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
        const notice = new ProgressNotice(
          trans.__('Restoring'),
          trans.__('Cancel'),
          controller
        );
        const phases: Record<string, string> = {
          verifying: trans.__('checking'),
          writing: trans.__('writing'),
          'rolling-back': trans.__('undoing'),
          done: trans.__('done')
        };
        try {
          const result = await service.restore(choice.reader, {
            policy: choice.policy,
            signal: controller.signal,
            onProgress: p =>
              notice.update(
                trans.__(
                  '%1 %2 of %3 files',
                  phases[p.phase],
                  p.filesDone,
                  p.filesTotal
                ),
                p.bytesTotal ? p.bytesDone / p.bytesTotal : 0
              )
          });
          notice.dispose();
          await reportRestored(result, trans);
          return result.written;
        } catch (error) {
          notice.dispose();
          await showErrorMessage(
            trans.__('Restore failed'),
            messageOf(error, trans)
          );
          return null;
        } finally {
          setBusy(false);
        }
      }
    });

    // the File menu entries are declared in schema/backup.json
    for (const command of [CommandIDs.backup, CommandIDs.restore]) {
      palette?.addItem({ command, category: paletteCategory(trans) });
    }
    return service;
  }
};

function codeOf(error: unknown): string | undefined {
  return (error as { name?: string; code?: string } | null)?.name ===
    'BackupError'
    ? (error as { code: string }).code
    : undefined;
}

function messageOf(error: unknown, trans: TranslationBundle): string {
  const message = errorText(error, trans);
  // a BackupError's message is written for users; anything else is a bug
  return codeOf(error) ? message : trans.__('Unexpected problem: %1', message);
}

async function reportRestored(
  result: IRestoreResult,
  trans: TranslationBundle
): Promise<void> {
  const parts = [
    trans._n('Restored %1 file.', 'Restored %1 files.', result.written.length)
  ];
  if (result.identical.length) {
    parts.push(
      trans.__('%1 were already identical here.', result.identical.length)
    );
  }
  if (result.skipped.length) {
    parts.push(
      trans.__(
        '%1 existing files were kept as they are.',
        result.skipped.length
      )
    );
  }
  if (result.renamed.size) {
    parts.push(
      trans.__(
        '%1 were restored beside existing ones as "(restored)" copies.',
        result.renamed.size
      )
    );
  }
  if (result.verified) {
    parts.push(trans.__('Every file matched the sha256 in the backup.'));
  }
  if (result.notices.length) {
    // an unverified import deserves more than a toast
    const body = document.createElement('div');
    body.className = 'jp-LumlRestore-report';
    body.textContent = [...parts, ...result.notices].join('\n');
    await showDialog({
      title: trans.__('Files restored'),
      body: new Widget({ node: body }),
      buttons: [Dialog.okButton({ label: trans.__('OK') })]
    });
    return;
  }
  Notification.success(parts.join(' '), { autoClose: 8000 });
}

/** The instance this tab shows, or the site's single storage without instances. */
function currentInstance(
  instances: IInstances | null,
  storageName: string
): { id: string; name: string } {
  const current = instances?.current;
  return current
    ? { id: current.id, name: current.name }
    : { id: storageName, name: 'notebooks' };
}
