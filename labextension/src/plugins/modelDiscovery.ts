import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
import { Contents, IDefaultDrive } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { contentsStorageName } from '../common/pageConfig';
// eslint-disable-next-line jupyter/prefer-lazy-imports -- loaded at start by the storage drive; activation needs it at once
import { storedFilesOf } from '../storage/drive';
import { readStoragePaths } from '../storage/storedPaths';
// eslint-disable-next-line jupyter/prefer-lazy-imports -- the plugin provides the discovery service at activation
import { ModelDiscovery } from '../discovery/modelDiscovery';
// eslint-disable-next-line jupyter/prefer-lazy-imports -- on a server the first listing says how discovery works
import { ServerModelFiles, VisiblePoller } from '../discovery/serverModelFiles';
import { IModelDiscovery } from '../discovery/tokens';
import { ISiteInfo } from '../site/tokens';

const DEFAULT_POLL_SECONDS = 5;

// localforage's name for its IndexedDB driver
const INDEXEDDB_DRIVER = 'asyncStorage';

/**
 * Provides the model discovery service over the app's contents manager; the
 * first scan starts once the layout is restored, so it does not slow the
 * app's start. With a Jupyter server, where a kernel writes to disk unseen
 * by the contents manager, it polls the package's server extension (a cheap
 * listing) while the page is visible and reads models in byte ranges.
 */
export const modelDiscoveryPlugin: JupyterFrontEndPlugin<IModelDiscovery> = {
  id: 'luml-notebooks:model-discovery',
  description:
    'Finds the model files of the instance and reads their metadata.',
  autoStart: true,
  provides: IModelDiscovery,
  optional: [ISiteInfo, ISettingRegistry, IDefaultDrive],
  activate: async (
    app: JupyterFrontEnd,
    site: ISiteInfo | null,
    settingRegistry: ISettingRegistry | null,
    drive: Contents.IDrive | null
  ): Promise<IModelDiscovery> => {
    // browser storage reads a model's headers by byte range
    const stored = storedFilesOf(drive);
    const { serverSettings } = app.serviceManager;
    const baseUrl = serverSettings.baseUrl;
    const storage = PageConfig.getOption('contentsStorageName');
    const onServer = site?.host === 'server';
    const server = onServer ? new ServerModelFiles(serverSettings) : null;
    const remote = server && (await server.available()) ? server : undefined;
    const discovery = new ModelDiscovery({
      contents: app.serviceManager.contents,
      // one channel per instance: instances sharing an origin each have
      // their own storage and must not hear each other's changes
      channelName: `luml-notebooks:models:${baseUrl}:${storage}`,
      storagePaths: site?.host === 'browser' ? storagePaths : undefined,
      remote,
      openStored: stored ? path => stored.openFile(path) : undefined
    });
    void app.restored.then(() => discovery.start());
    if (onServer) {
      let seconds = DEFAULT_POLL_SECONDS;
      // without the server extension a check walks every folder: on focus only
      const poller = new VisiblePoller(
        () => discovery.ready.then(() => discovery.refresh()),
        () => (remote ? seconds * 1000 : 0)
      );
      void settingRegistry
        ?.load(modelDiscoveryPlugin.id)
        .then(settings => {
          const apply = () => {
            const value = settings.get('serverPollSeconds').composite;
            seconds = typeof value === 'number' ? value : DEFAULT_POLL_SECONDS;
            poller.reschedule();
          };
          settings.changed.connect(apply);
          apply();
        })
        .catch(error =>
          console.warn('Could not load the model discovery settings', error)
        );
    }
    return discovery;
  }
};

/**
 * The paths in the browser drive's IndexedDB store, when the drive keeps its
 * files there (its default); null for any other storage driver.
 */
async function storagePaths(): Promise<string[] | null> {
  const drivers = JSON.parse(
    PageConfig.getOption('contentsStorageDrivers') || 'null'
  ) as string[] | null;
  if (drivers && drivers[0] !== INDEXEDDB_DRIVER) {
    return null;
  }
  return readStoragePaths(contentsStorageName(PageConfig.getOption));
}
