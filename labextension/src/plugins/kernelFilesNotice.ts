import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ITranslator } from '@jupyterlab/translation';

import {
  jupyterLiteServiceWorker,
  kernelFileChannel
} from '../kernel/fileChannel';
import { showKernelFilesNotice } from '../site/kernelFilesNotice';
import { ISiteInfo } from '../site/tokens';

/**
 * Says once per page load, when the in-browser kernel has no way to the
 * instance's files in this browser window, instead of leaving Python's file
 * access to fail.
 */
export const kernelFilesNoticePlugin: JupyterFrontEndPlugin<void> = {
  id: 'luml-notebooks:kernel-files-notice',
  description:
    'Tells the user when Python cannot reach the files in this browser window.',
  autoStart: true,
  requires: [ISiteInfo],
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    site: ISiteInfo,
    translator: ITranslator | null
  ): void => {
    // a server's kernels read the server's files
    if (site.host !== 'browser') {
      return;
    }
    void kernelFileChannel({
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      serviceWorkers: !!navigator.serviceWorker,
      serviceWorkerManager: () => jupyterLiteServiceWorker(app)
    })
      .then(async channel => {
        console.info(`Python reaches the instance's files through: ${channel}`);
        if (channel === 'none') {
          await app.restored;
          showKernelFilesNotice(translator ?? undefined);
        }
      })
      .catch(error => console.warn('Kernel file channel:', error));
  }
};
