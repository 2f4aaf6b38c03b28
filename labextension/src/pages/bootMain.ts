/**
 * Runs in every JupyterLite app page before the app loads: picks the
 * instance from `?instance=<id>` (or the last used one), then lets
 * JupyterLite's `config-utils.js` assemble the page config and points the
 * contents, settings and workspace storage at the instance's database.
 *
 * The site builder replaces the page's `import('../config-utils.js')` with
 * `window.lumlNotebooksInstanceBoot('../config-utils.js')`.
 */
import { resolveBootTarget } from '../instances/boot';
import { MISSING_EVENT, guardInstanceDatabase } from '../instances/guard';
import {
  databaseName,
  storageNames,
  withInstanceParam
} from '../instances/ids';
import { InstanceStore } from '../instances/instanceStore';
import {
  TAB_INSTANCE_KEY,
  installInstanceUrlKeeper
} from '../instances/urlKeeper';
import { showProblemPage } from './notFound';
import { browserInstanceStore } from '../instances/instanceStore';

/** The `jupyter-config-data` keys this script sets. */
export const INSTANCE_ID_OPTION = 'lumlInstanceId';
export const INSTANCE_NAME_OPTION = 'lumlInstanceName';

const CONFIG_ID = 'jupyter-config-data';

function instancesPageUrl(): string {
  const config = document.getElementById(CONFIG_ID);
  const root = config?.dataset.jupyterLiteRoot ?? '..';
  return new URL(`${root.replace(/\/?$/, '/')}index.html`, location.href).href;
}

/** The instance this tab had open, across JupyterLab's own redirects. */
function tabInstance(): string | null {
  try {
    return sessionStorage.getItem(TAB_INSTANCE_KEY);
  } catch {
    return null;
  }
}

async function boot(configUtils: string): Promise<void> {
  const back = instancesPageUrl();
  let store: InstanceStore;
  let target;
  try {
    store = browserInstanceStore();
    target = await resolveBootTarget(store, location.search, tabInstance());
  } catch (error) {
    showProblemPage(
      {
        title: 'This browser cannot open LUML Notebooks instances',
        lines: [
          error instanceof Error ? error.message : String(error),
          'Private windows and some privacy settings turn off the browser storage instances need.'
        ]
      },
      back
    );
    return;
  }
  if (target.kind === 'unknown') {
    showProblemPage(
      {
        title: `No instance “${target.id}” in this browser`,
        lines: [
          'It may have been deleted, or the link was made in another browser or on another device: instances live only in the browser that created them.',
          'Nothing was created under this id.'
        ]
      },
      back
    );
    return;
  }
  if (target.kind === 'invalid') {
    showProblemPage(
      {
        title: 'This link does not name an instance',
        lines: [
          `“${target.raw}” is not an instance id. Open instances from the instances page.`
        ]
      },
      back
    );
    return;
  }
  const { instance } = target;
  store.lastUsed = instance.id;
  try {
    sessionStorage.setItem(TAB_INSTANCE_KEY, instance.id);
  } catch {
    // blocked storage: the URL parameter still names the instance
  }
  installInstanceUrlKeeper(history, location, instance.id);
  if (!target.named) {
    // reloads and bookmarks stay in this instance
    history.replaceState(
      history.state,
      '',
      withInstanceParam(location.href, instance.id)
    );
  }
  try {
    // bounded: a tab of an older version could hold the upgrade back
    await Promise.race([
      store.addMissingStores(instance.id),
      new Promise(resolve => setTimeout(resolve, 5000))
    ]);
  } catch (error) {
    // the app still works: localforage adds the stores itself, only later
    console.warn('Could not prepare the instance storage', error);
  }
  guardInstanceDatabase(indexedDB, databaseName(instance.id), () => {
    document.documentElement.dataset.lumlInstanceMissing = 'true';
    window.dispatchEvent(
      new CustomEvent(MISSING_EVENT, { detail: instance.id })
    );
  });

  await import(
    /* webpackIgnore: true */ new URL(configUtils, location.href).href
  );

  // config-utils has written the merged config into the page and queued the
  // app's script, which reads the config only when it runs, after this.
  const script = document.getElementById(CONFIG_ID);
  if (!script) {
    return;
  }
  const config = JSON.parse(script.textContent || '{}');
  Object.assign(config, storageNames(instance.id), {
    [INSTANCE_ID_OPTION]: instance.id,
    [INSTANCE_NAME_OPTION]: instance.fullname
  });
  script.textContent = JSON.stringify(config);
}

// the name the site builder writes into the app pages
Object.assign(window, { lumlNotebooksInstanceBoot: boot });
