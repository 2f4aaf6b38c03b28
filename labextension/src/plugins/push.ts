import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Clipboard, ICommandPalette, Notification } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { IStateDB } from '@jupyterlab/statedb';

import { CommandIDs } from '../commands';
import { digestFile } from '../hashing';
import { PushRecords } from '../pushRecords';
import { isModelPath, ModelPusher } from '../pushService';
import { IModelPusher, IRegistryConnection } from '../tokens';
import { PushDialog } from '../widgets/PushDialog';

/** Model files in the file browser (the command hides itself for others). */
const FILE_ITEM_SELECTOR = '.jp-DirListing-item[data-isdir="false"]';

/**
 * Pushing models to the Registry: the service, the push dialog, the command
 * (palette, file browser context menu; the Models panel calls it too).
 */
export const pushPlugin: JupyterFrontEndPlugin<IModelPusher> = {
  id: 'luml-notebooks:push',
  description: 'Pushes model files to the LUML Registry.',
  autoStart: true,
  requires: [IRegistryConnection, IStateDB],
  optional: [IDefaultFileBrowser, ICommandPalette],
  provides: IModelPusher,
  activate: (
    app: JupyterFrontEnd,
    connection: IRegistryConnection,
    state: IStateDB,
    browser: IDefaultFileBrowser | null,
    palette: ICommandPalette | null
  ): IModelPusher => {
    const contents = app.serviceManager.contents;
    const records = new PushRecords(state);
    const pusher = new ModelPusher(contents, connection, records, digestFile);

    // records follow renames and moves, so "in the Registry" stays true
    contents.fileChanged.connect((_, change) => {
      if (
        change.type === 'rename' &&
        change.oldValue?.path &&
        change.newValue?.path
      ) {
        void records.renamePath(change.oldValue.path, change.newValue.path);
      }
    });

    const selectedPath = (): string | undefined => {
      const first = browser?.selectedItems().next();
      return first && !first.done && first.value.type !== 'directory'
        ? first.value.path
        : undefined;
    };

    app.commands.addCommand(CommandIDs.pushModel, {
      label: 'Push to Registry…',
      caption:
        'Push a model file (.luml, .dfs, .fnnx, .pyfnx) to the LUML Registry',
      isVisible: args => {
        const path = (args.path as string | undefined) ?? selectedPath();
        return path === undefined || isModelPath(path);
      },
      execute: async args => {
        const path = (args.path as string | undefined) ?? selectedPath();
        if (!path) {
          Notification.warning(
            'Select a model file (.luml, .dfs, .fnnx or .pyfnx) in the file browser, then push it.',
            { autoClose: 6000 }
          );
          return;
        }
        if (!isModelPath(path)) {
          Notification.warning(
            `${path} is not a model file: only .luml, .dfs, .fnnx and .pyfnx files can be pushed.`,
            { autoClose: 6000 }
          );
          return;
        }
        const result = await PushDialog.open({
          path,
          pusher,
          connection,
          openConnectionSettings: () =>
            app.commands.execute(CommandIDs.registryConnection)
        });
        if (!result) {
          return;
        }
        const { artifact, record } = result;
        const where = record.collectionName
          ? `collection ${record.collectionName}`
          : 'the Registry';
        Notification.success(
          `Pushed ${record.path} to ${where} as artifact ${artifact.id}.`,
          {
            autoClose: 10000,
            actions: [
              {
                label: 'Copy Artifact ID',
                callback: () => Clipboard.copyToSystem(artifact.id)
              }
            ]
          }
        );
        return artifact.id;
      }
    });

    app.contextMenu.addItem({
      command: CommandIDs.pushModel,
      selector: FILE_ITEM_SELECTOR,
      rank: 12
    });
    palette?.addItem({
      command: CommandIDs.pushModel,
      category: 'LUML Registry'
    });
    return pusher;
  }
};
