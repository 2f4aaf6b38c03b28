import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Clipboard, Notification } from '@jupyterlab/apputils';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { CommandIDs } from '../commands';
// eslint-disable-next-line jupyter/prefer-lazy-imports -- the service's hasher, given at activation
import { digestFile } from '../registry/hashing';
import { PushRecords } from '../registry/pushRecords';
// eslint-disable-next-line jupyter/prefer-lazy-imports -- the service this plugin provides
import { IPushResult, ModelPusher } from '../registry/pushService';
import { IModelPusher, IRegistryConnection } from '../registry/tokens';
import { ISiteInfo } from '../site/tokens';

/**
 * Pushing models to the Registry: the service and its dialog. The
 * `push-model` command (Models panel, file browser, palette) opens it.
 */
export const pushPlugin: JupyterFrontEndPlugin<IModelPusher> = {
  id: 'luml-notebooks:push',
  description: 'Pushes model files to the LUML Registry.',
  autoStart: true,
  requires: [IRegistryConnection, IStateDB],
  optional: [ITranslator, ISiteInfo],
  provides: IModelPusher,
  activate: (
    app: JupyterFrontEnd,
    connection: IRegistryConnection,
    state: IStateDB,
    translator: ITranslator | null,
    site: ISiteInfo | null
  ): IModelPusher => {
    const trans = (translator ?? nullTranslator).load('luml_notebooks');
    const contents = app.serviceManager.contents;
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

    return {
      get pushed() {
        return pusher.pushed;
      },
      records: pusher.records,
      prepare: (path, options) => pusher.prepare(path, options),
      push: (model, options) => pusher.push(model, options),
      findDuplicate: (model, url, collectionId) =>
        pusher.findDuplicate(model, url, collectionId),
      openPushDialog: async path => {
        const { PushDialog } = await import('../registry/widgets/PushDialog');
        const result = await PushDialog.open({
          path,
          pusher,
          connection,
          openConnectionSettings: () =>
            app.commands.execute(CommandIDs.registryConnection),
          trans
        });
        if (result) {
          announce(result);
        }
        return result;
      }
    };
  }
};
