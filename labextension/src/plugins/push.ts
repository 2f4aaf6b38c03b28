import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Clipboard, ICommandPalette, Notification } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { CommandIDs } from '../commands';
// eslint-disable-next-line jupyter/prefer-lazy-imports -- the service's hasher, given at activation
import { digestFile } from '../hashing';
import { PushRecords } from '../pushRecords';
// eslint-disable-next-line jupyter/prefer-lazy-imports -- the service this plugin provides
import { isModelPath, ModelPusher } from '../pushService';
import { IModelPusher, IRegistryConnection } from '../tokens';

/** File items in the file browser (the command hides itself for non-models). */
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
  optional: [IDefaultFileBrowser, ICommandPalette, ITranslator],
  provides: IModelPusher,
  activate: (
    app: JupyterFrontEnd,
    connection: IRegistryConnection,
    state: IStateDB,
    browser: IDefaultFileBrowser | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ): IModelPusher => {
    const trans = (translator ?? nullTranslator).load('luml_notebooks');
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
      label: trans.__('Push to Registry…'),
      caption: trans.__(
        'Push a model file (.luml, .dfs, .fnnx, .pyfnx) to the LUML Registry'
      ),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            path: {
              type: 'string',
              description: trans.__(
                'The model file to push; default: the file selected in the file browser'
              )
            }
          }
        }
      },
      isVisible: args => {
        const path = (args.path as string | undefined) ?? selectedPath();
        return path === undefined || isModelPath(path);
      },
      execute: async args => {
        const path = (args.path as string | undefined) ?? selectedPath();
        if (!path) {
          Notification.warning(
            trans.__(
              'Select a model file (.luml, .dfs, .fnnx or .pyfnx) in the file browser, then push it.'
            ),
            { autoClose: 6000 }
          );
          return;
        }
        if (!isModelPath(path)) {
          Notification.warning(
            trans.__(
              '%1 is not a model file: only .luml, .dfs, .fnnx and .pyfnx files can be pushed.',
              path
            ),
            { autoClose: 6000 }
          );
          return;
        }
        const { PushDialog } = await import('../widgets/PushDialog');
        const result = await PushDialog.open({
          path,
          pusher,
          connection,
          openConnectionSettings: () =>
            app.commands.execute(CommandIDs.registryConnection),
          trans
        });
        if (!result) {
          return;
        }
        const { artifact, record } = result;
        Notification.success(
          record.collectionName
            ? trans.__(
                'Pushed %1 to collection %2 as artifact %3.',
                record.path,
                record.collectionName,
                artifact.id
              )
            : trans.__(
                'Pushed %1 to the Registry as artifact %2.',
                record.path,
                artifact.id
              ),
          {
            autoClose: 10000,
            actions: [
              {
                label: trans.__('Copy Artifact ID'),
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
      category: trans.__('LUML Registry')
    });
    return pusher;
  }
};
