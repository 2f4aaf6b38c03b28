import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Clipboard, Notification } from '@jupyterlab/apputils';
import { FileBrowser, IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { Contents, IDefaultDrive } from '@jupyterlab/services';
import { fileUploadIcon } from '@jupyterlab/ui-components';

import { CommandIDs } from '../commands';
import {
  MODEL_COMMAND_ARGS,
  modelCommandPath
} from '../modelsPanel/modelCommandTarget';
import { IModelDiscovery } from '../discovery/tokens';
import { IModelsPanel } from '../modelsPanel/tokens';
// eslint-disable-next-line jupyter/prefer-lazy-imports -- the service's hasher, given at activation
import { digestFile, hashChunks } from '../registry/hashing';
import {
  BackgroundHasher,
  PUSH_PLUGIN_ID
} from '../registry/backgroundHashing';
import { ModelHashes } from '../registry/modelHashes';
import { PushRecords } from '../registry/pushRecords';
// eslint-disable-next-line jupyter/prefer-lazy-imports -- the service this plugin provides
import { IPushResult, ModelPusher } from '../registry/pushService';
import { IModelPusher, IRegistryConnection } from '../registry/tokens';
import { ISiteInfo } from '../site/tokens';
// eslint-disable-next-line jupyter/prefer-lazy-imports -- loaded at start by the storage drive; activation needs it at once
import { storedFilesOf } from '../storage/drive';

/**
 * Pushing models to the Registry: the service, without UI, and the hashing
 * of model files ahead of a push (setting `hashInBackground`, schema
 * `push.json`).
 */
export const pushPlugin: JupyterFrontEndPlugin<IModelPusher> = {
  id: PUSH_PLUGIN_ID,
  description: 'Pushes model files to the LUML Registry.',
  autoStart: true,
  requires: [IRegistryConnection, IStateDB],
  optional: [ISiteInfo, IDefaultDrive, IModelDiscovery, ISettingRegistry],
  provides: IModelPusher,
  activate: (
    app: JupyterFrontEnd,
    connection: IRegistryConnection,
    state: IStateDB,
    site: ISiteInfo | null,
    drive: Contents.IDrive | null,
    discovery: IModelDiscovery | null,
    settingRegistry: ISettingRegistry | null
  ): IModelPusher => {
    const contents = app.serviceManager.contents;
    const stored = storedFilesOf(drive);
    // model files in browser storage are hashed before a push, when idle
    const ahead = stored
      ? new BackgroundHasher({
          open: path => stored.openFile(path),
          hash: hashChunks,
          hashes: new ModelHashes(state),
          // off until the setting says otherwise
          enabled: !settingRegistry
        })
      : null;
    if (ahead) {
      if (discovery) {
        ahead.follow(discovery);
      }
      void settingRegistry?.load(PUSH_PLUGIN_ID).then(
        settings => {
          const apply = () => {
            ahead.enabled = settings.composite.hashInBackground !== false;
          };
          apply();
          settings.changed.connect(apply);
        },
        error => {
          ahead.enabled = true;
          console.warn('LUML push settings could not be loaded', error);
        }
      );
    }
    const pusher = new ModelPusher(
      contents,
      connection,
      new PushRecords(state),
      digestFile,
      // a server serves raw bytes: no whole-file base64 to decode
      site?.host === 'server'
        ? async path => {
            const { fetchServerFile } =
              await import('../discovery/serverModelFiles');
            return fetchServerFile(app.serviceManager.serverSettings, path);
          }
        : null,
      // browser storage streams a model chunk by chunk: no base64 string
      stored
        ? {
            open: path => stored.openFile(path),
            hash: hashChunks,
            hashes: ahead
          }
        : null
    );

    // records follow renames and moves, so "in the Registry" stays true
    contents.fileChanged.connect((_, change) => {
      if (
        change.type === 'rename' &&
        change.oldValue?.path &&
        change.newValue?.path
      ) {
        void pusher.records.renamePath(
          change.oldValue.path,
          change.newValue.path
        );
      }
    });

    return pusher;
  }
};

/**
 * The `push-model` command: opens the push dialog for a model (its `path`,
 * the file browser's selection, or the Models panel's) and announces the
 * result. A plugin apart from the service because the Models panel shows
 * the service's records while this command follows the panel's selection.
 */
export const pushCommandPlugin: JupyterFrontEndPlugin<void> = {
  id: 'luml-notebooks:push-command',
  description: 'The Push to Registry command and its dialog.',
  autoStart: true,
  requires: [IModelPusher, IRegistryConnection],
  optional: [ITranslator, IModelsPanel, IDefaultFileBrowser],
  activate: (
    app: JupyterFrontEnd,
    pusher: IModelPusher,
    connection: IRegistryConnection,
    translator: ITranslator | null,
    panel: IModelsPanel | null,
    fileBrowser: FileBrowser | null
  ): void => {
    const { commands } = app;
    const trans = (translator ?? nullTranslator).load('luml_notebooks');

    const sources = {
      panel,
      fileBrowserSelection: () => fileBrowser?.selectedItems() ?? []
    };

    const announce = ({ artifact, record }: IPushResult) => {
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
    };

    commands.addCommand(CommandIDs.pushModel, {
      describedBy: MODEL_COMMAND_ARGS,
      label: trans.__('Push to Registry…'),
      caption: trans.__('Push the model file to the LUML Registry'),
      icon: fileUploadIcon,
      isEnabled: args => modelCommandPath(args, sources) !== null,
      execute: async args => {
        const path = modelCommandPath(args, sources);
        if (!path) {
          return;
        }
        // loaded on first use: many visits never push
        const { PushDialog } = await import('../registry/widgets/PushDialog');
        const result = await PushDialog.open({
          path,
          pusher,
          connection,
          openConnectionSettings: () =>
            commands.execute(CommandIDs.registryConnection),
          trans
        });
        if (result) {
          announce(result);
        }
        return result?.artifact.id;
      }
    });

    panel?.selectionChanged.connect(() =>
      commands.notifyCommandChanged(CommandIDs.pushModel)
    );
  }
};
