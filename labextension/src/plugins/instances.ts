import {
  IRouter,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';

// eslint-disable-next-line jupyter/prefer-lazy-imports -- the plugin provides the current instance at activation
import { CurrentInstance } from '../instances/currentInstance';
import { InstanceChannel } from '../instances/channel';
import { MISSING_EVENT } from '../instances/guard';
import {
  INSTANCE_PARAM,
  instanceLink,
  withInstanceParam
} from '../instances/ids';
// eslint-disable-next-line jupyter/prefer-lazy-imports -- the plugin provides the instance list at activation
import { browserInstanceStore } from '../instances/instanceStore';
import { IInstances } from '../instances/tokens';

/** Set by the instance boot script in the page config. */
const INSTANCE_ID_OPTION = 'lumlInstanceId';
const INSTANCE_NAME_OPTION = 'lumlInstanceName';

/**
 * Provides the browser's instances and the one this tab shows, keeps the
 * tab's URL on that instance, and notices when it is deleted elsewhere.
 */
export const instancesPlugin: JupyterFrontEndPlugin<IInstances> = {
  id: 'luml-notebooks:instances',
  description: "Provides the browser's notebook instances.",
  autoStart: true,
  provides: IInstances,
  optional: [IRouter],
  activate: (app: JupyterFrontEnd, router: IRouter | null): IInstances => {
    const siteRoot = new URL(
      app.serviceManager.serverSettings.baseUrl,
      location.href
    ).href;
    const pageUrl = new URL('index.html', siteRoot).href;
    const id = PageConfig.getOption(INSTANCE_ID_OPTION);
    const store = id ? browserInstanceStore() : null;
    const list = async () => (store ? store.list() : []);
    const link = (other: string) => instanceLink(siteRoot, other);
    if (!id || !store) {
      // JupyterLab on a Jupyter server: no browser instances
      return { current: null, list, link, pageUrl };
    }

    const channel = new InstanceChannel();
    const current = new CurrentInstance(
      id,
      PageConfig.getOption(INSTANCE_NAME_OPTION),
      store,
      channel
    );

    // The boot's storage guard saw the database being re-created: deleted.
    if (document.documentElement.dataset.lumlInstanceMissing) {
      current.markDeleted();
    }
    window.addEventListener(MISSING_EVENT, () => current.markDeleted());
    const recheck = () => {
      if (document.visibilityState === 'visible') {
        void current.check();
      }
    };
    window.addEventListener('focus', recheck);
    document.addEventListener('visibilitychange', recheck);

    // JupyterLab rewrites the URL when it routes; reloads must stay here.
    const keepInstanceInUrl = () => {
      const url = new URL(location.href);
      if (url.searchParams.get(INSTANCE_PARAM) !== id) {
        history.replaceState(
          history.state,
          '',
          withInstanceParam(url.href, id)
        );
      }
    };
    router?.routed.connect(keepInstanceInUrl);
    window.addEventListener('popstate', keepInstanceInUrl);
    void app.restored.then(keepInstanceInUrl);

    return { current, list, link, pageUrl };
  }
};
