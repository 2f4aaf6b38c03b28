import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import {
  ContentProviderRegistry,
  Contents,
  Drive,
  IDefaultDrive,
  Kernel,
  ServerConnection,
  ServiceManagerPlugin
} from '@jupyterlab/services';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { errorText } from '../common/errors';
import { pageFileTypes } from '../common/pageConfig';
import { jupyterLiteServiceWorker } from '../kernel/fileChannel';

// the drive is needed as the service manager starts: no lazy import
// eslint-disable-next-line jupyter/prefer-lazy-imports
import {
  ChunkedStorageDrive,
  KERNEL_CHANNEL_PREFIX,
  ShippedContents,
  StreamedDownloads,
  kernelInstallCode
} from '../storage';

/** Whether this page is a JupyterLite site (else a Jupyter server's lab). */
function isBrowserSite(): boolean {
  return PageConfig.getOption('litePluginSettings') !== '';
}

/**
 * The instance's drive: chunked browser storage in place of JupyterLite's
 * default drive (which `disabledExtensions` turns off). With a Jupyter
 * server, where this plugin would otherwise override the server's drive,
 * it provides the server's own drive.
 */
export const storageDrivePlugin: ServiceManagerPlugin<Contents.IDrive> = {
  id: 'luml-notebooks:storage-drive',
  description: 'Stores instance files in chunks, of any size.',
  autoStart: true,
  provides: IDefaultDrive,
  activate: (): Contents.IDrive => {
    const serverSettings = ServerConnection.makeSettings();
    if (!isBrowserSite()) {
      return new Drive({ serverSettings });
    }
    // the drive's own files, streamed by the service worker when large
    const downloads: StreamedDownloads = new StreamedDownloads({
      baseUrl: serverSettings.baseUrl,
      open: path => drive.openFile(path)
    });
    downloads.watchClicks(document);
    const drive: ChunkedStorageDrive = new ChunkedStorageDrive({
      indexedDB,
      downloads,
      storageName:
        PageConfig.getOption('contentsStorageName') ||
        `JupyterLite Storage - ${PageConfig.getOption('baseUrl')}`,
      serverSettings,
      shipped: new ShippedContents({
        baseUrl: serverSettings.baseUrl,
        allJsonFile: PageConfig.getOption('contentsAllJsonFile'),
        fileTypes: pageFileTypes(PageConfig.getOption)
      }),
      fileTypes: pageFileTypes(PageConfig.getOption),
      contentProviderRegistry: new ContentProviderRegistry()
    });
    // chunks of writes a closed tab never finished
    void drive.collectOrphans().catch(error => console.warn(error));
    return drive;
  }
};

/**
 * Tells the user about failed writes, and gives each kernel's `/drive`
 * the chunked file access (see storage/kernelDrivePatch.ts) when it starts
 * or restarts. The drive takes the pieces of the kernel's writes as bytes
 * on a BroadcastChannel of this page, whichever way the kernel's requests
 * go (the service worker, or shared memory in an isolated page): JSON with
 * base64 in it is the slow part of both.
 */
export const storageKernelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'luml-notebooks:storage-kernel-access',
  description: 'Chunked, checked file access for in-browser kernels.',
  autoStart: true,
  requires: [IDefaultDrive],
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    drive: Contents.IDrive,
    translator: ITranslator | null
  ): void => {
    if (!(drive instanceof ChunkedStorageDrive)) {
      return;
    }
    const trans = (translator ?? nullTranslator).load('luml_notebooks');
    drive.writeFailed.connect((_, failure) => {
      Notification.error(errorText(failure.error, trans), {
        autoClose: false
      });
    });
    if (typeof BroadcastChannel === 'function') {
      void jupyterLiteServiceWorker(app)
        .then(manager => {
          if (manager?.browsingContextId) {
            drive.listenToKernelPieces(
              KERNEL_CHANNEL_PREFIX + manager.browsingContextId
            );
          }
        })
        .catch(error => console.warn('Kernel file pieces:', error));
    }
    const kernels = app.serviceManager.kernels;
    const code = kernelInstallCode();
    const watched = new Set<string>();
    const install = (kernel: Kernel.IKernelConnection) => {
      kernel
        .requestExecute({ code, silent: true, store_history: false }, true)
        .done.catch(error => console.warn('Kernel file access:', error));
    };
    const watch = (model: Kernel.IModel) => {
      if (watched.has(model.id)) {
        return;
      }
      watched.add(model.id);
      const kernel = kernels.connectTo({ model, handleComms: false });
      // sent at once: the connection queues it until the kernel answers, so
      // it reaches the kernel before (or close behind) the notebook's first
      // cell; after a restart, once the new kernel is up
      let restarted = false;
      const onStatus = () => {
        const status = kernel.status;
        if (status === 'restarting' || status === 'autorestarting') {
          restarted = true;
        } else if (restarted && (status === 'idle' || status === 'busy')) {
          restarted = false;
          install(kernel);
        } else if (status === 'dead') {
          watched.delete(model.id);
          kernel.dispose();
        }
      };
      kernel.statusChanged.connect(onStatus);
      install(kernel);
      onStatus();
    };
    const update = () => {
      for (const model of kernels.running()) {
        watch(model);
      }
    };
    kernels.runningChanged.connect(update);
    update();
  }
};

export const storageDrivePlugins = [storageDrivePlugin, storageKernelPlugin];
