import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
import { ILocalForage } from '@jupyterlite/localforage';

// The service is provided at activation, so its code is needed at once.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { readShippedDefaults } from '../defaults';
import {
  BrowserDefaultsStore,
  MemoryDefaultsStore
} from '../defaults/defaultsStore';
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { DefaultsTracker, fetchShippedFile } from '../defaults/tracker';
import { IDefaultNotebooks } from '../defaults/tokens';
import { contentsStorageName } from '../common/pageConfig';

/**
 * Knows the site's default files and the state of the user's copies. Only a
 * site built with LUML Notebooks ships defaults; elsewhere it is inert.
 */
export const defaultsPlugin: JupyterFrontEndPlugin<IDefaultNotebooks> = {
  id: 'luml-notebooks:defaults',
  description:
    'Tracks the default files shipped with the site against the user copies.',
  autoStart: true,
  provides: IDefaultNotebooks,
  optional: [ILocalForage],
  activate: (
    app: JupyterFrontEnd,
    forage: ILocalForage | null
  ): IDefaultNotebooks => {
    const shipped = forage
      ? readShippedDefaults(PageConfig.getOption('litePluginSettings'))
      : new Map<string, string>();
    let drivers: string[] | null = null;
    try {
      drivers = JSON.parse(
        PageConfig.getOption('contentsStorageDrivers') || 'null'
      );
    } catch {
      // the drive itself fails on this; the tracker uses the default drivers
    }
    const store = forage
      ? new BrowserDefaultsStore({
          localforage: forage.localforage,
          storageName: contentsStorageName(PageConfig.getOption),
          drivers
        })
      : new MemoryDefaultsStore();
    const { baseUrl } = app.serviceManager.serverSettings;
    const tracker = new DefaultsTracker({
      contents: app.serviceManager.contents,
      shipped,
      store,
      fetchShipped: (path, hash) => fetchShippedFile(baseUrl, path, hash)
    });
    if (tracker.enabled) {
      const refresh = () =>
        tracker
          .refresh()
          .catch(error =>
            console.warn('Could not check the default files', error)
          );
      void app.restored.then(refresh);
      // another tab of the instance may have changed files meanwhile
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') {
          void refresh();
        }
      });
    }
    return tracker;
  }
};
