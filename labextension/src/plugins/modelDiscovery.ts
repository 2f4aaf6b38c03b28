import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';

import { browserStorageName, readStoragePaths } from '../browserStorageIndex';
import { ModelDiscovery } from '../modelDiscovery';
import { IModelDiscovery, ISiteInfo } from '../tokens';

// localforage's name for its IndexedDB driver
const INDEXEDDB_DRIVER = 'asyncStorage';

/**
 * Provides the model discovery service over the app's contents manager; the
 * first scan starts once the layout is restored, so it does not slow the
 * app's start.
 */
export const modelDiscoveryPlugin: JupyterFrontEndPlugin<IModelDiscovery> = {
  id: 'luml-notebooks:model-discovery',
  description:
    'Finds the model files of the instance and reads their metadata.',
  autoStart: true,
  provides: IModelDiscovery,
  optional: [ISiteInfo],
  activate: (app: JupyterFrontEnd, site: ISiteInfo | null): IModelDiscovery => {
    const baseUrl = app.serviceManager.serverSettings.baseUrl;
    const storage = PageConfig.getOption('contentsStorageName');
    const discovery = new ModelDiscovery({
      contents: app.serviceManager.contents,
      // one channel per instance: instances sharing an origin each have
      // their own storage and must not hear each other's changes
      channelName: `luml-notebooks:models:${baseUrl}:${storage}`,
      storagePaths: site?.host === 'browser' ? storagePaths : undefined
    });
    void app.restored.then(() => discovery.start());
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
  const name = browserStorageName(
    PageConfig.getOption('contentsStorageName'),
    PageConfig.getOption('baseUrl')
  );
  return readStoragePaths(name);
}
