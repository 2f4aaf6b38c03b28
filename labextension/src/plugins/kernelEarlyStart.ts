import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { notebookOfLink, startNotebookKernel } from '../kernel/earlyStart';
import { ISiteInfo } from '../site/tokens';

/**
 * Starts the kernel of the notebook a link opens while JupyterLab loads
 * (see `kernel/earlyStart.ts`); setting `startEarly`.
 */
export const kernelEarlyStartPlugin: JupyterFrontEndPlugin<void> = {
  id: 'luml-notebooks:kernel-early-start',
  description: "Starts a linked notebook's kernel while the page loads.",
  autoStart: true,
  requires: [ISiteInfo],
  optional: [ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    site: ISiteInfo,
    settingRegistry: ISettingRegistry | null
  ): void => {
    const path = notebookOfLink(window.location.search);
    // a server's lab starts kernels on the server, as JupyterLab does
    if (site.host !== 'browser' || !path) {
      return;
    }
    void (async () => {
      const settings = await settingRegistry?.load(kernelEarlyStartPlugin.id);
      if (settings?.get('startEarly').composite === false) {
        return;
      }
      // once every plugin is active, so the kernels are registered; the
      // notebook is looked up meanwhile
      const outcome = await startNotebookKernel(
        app.serviceManager,
        path,
        app.started
      );
      console.info(`Kernel of ${path}, early start: ${outcome}`);
    })().catch(error => console.warn('Early kernel start:', error));
  }
};
