import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Dialog, ICommandPalette, showDialog } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { downloadIcon } from '@jupyterlab/ui-components';

import { CommandIDs } from '../commands';
import { errorText } from '../common/errors';
import { downloadStoredFile } from '../discovery/modelDownload';
import { ISiteInfo } from '../site/tokens';

const NO_ARGS = { args: { type: 'object' as const, properties: {} } };

/**
 * Download in the browser site, by the drive's download link (see
 * `storage/streamedDownloads.ts`): a large file streams to disk. It stands
 * in for JupyterLite's download commands (which the site builder turns
 * off), which hand the browser the whole file as one `data:` URL and cannot
 * download a file of a few hundred MB. Its menu entries are JupyterLite's.
 */
export const downloadPlugin: JupyterFrontEndPlugin<void> = {
  id: 'luml-notebooks:download',
  description: 'Downloads files of the browser storage, streamed when large.',
  autoStart: true,
  requires: [IDocumentManager, ISiteInfo],
  optional: [ITranslator, ICommandPalette, IFileBrowserFactory],
  activate: (
    app: JupyterFrontEnd,
    docManager: IDocumentManager,
    site: ISiteInfo,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    browsers: IFileBrowserFactory | null
  ): void => {
    const { commands, shell } = app;
    if (site.host === 'server') {
      return; // a Jupyter server's lab keeps JupyterLab's own commands
    }
    const trans = (translator ?? nullTranslator).load('luml_notebooks');
    const contents = app.serviceManager.contents;
    const download = async (path: string, name: string) => {
      try {
        await downloadStoredFile(contents, path);
      } catch (error) {
        await showDialog({
          title: trans.__('Cannot Download'),
          body: trans.__(
            '%1 could not be downloaded: %2',
            name,
            errorText(error, trans)
          ),
          buttons: [Dialog.okButton()]
        });
      }
    };
    const currentContext = () => {
      const widget = shell.currentWidget;
      return widget ? docManager.contextForWidget(widget) : undefined;
    };
    commands.addCommand(CommandIDs.docmanagerDownload, {
      label: trans.__('Download'),
      caption: trans.__('Download the file to your computer'),
      describedBy: NO_ARGS,
      isEnabled: () => !!currentContext(),
      execute: async () => {
        const context = currentContext();
        if (!context) {
          return;
        }
        await context.save();
        await download(context.path, PathExt.basename(context.path));
      }
    });
    palette?.addItem({
      command: CommandIDs.docmanagerDownload,
      category: trans.__('File Operations')
    });
    if (browsers) {
      commands.addCommand(CommandIDs.filebrowserDownload, {
        label: trans.__('Download'),
        describedBy: NO_ARGS,
        icon: args => (args.isMenu ? undefined : downloadIcon),
        execute: async () => {
          const browser = browsers.tracker.currentWidget;
          const items = browser ? Array.from(browser.selectedItems()) : [];
          for (const item of items) {
            if (item.type !== 'directory') {
              await download(item.path, item.name);
            }
          }
        }
      });
    }
  }
};
