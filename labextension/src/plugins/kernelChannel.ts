import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { ISiteInfo } from '../site/tokens';
import { installWaitAsyncShim } from '../kernel/waitAsyncShim';

/**
 * Makes the in-browser kernel's SharedArrayBuffer channel reliable in
 * cross-origin isolated pages. It activates with the app, before any kernel
 * starts, which is when the channel reads `Atomics.waitAsync`.
 */
export const kernelChannelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'luml-notebooks:kernel-channel',
  description: 'Keeps the in-browser kernel channel reliable when isolated.',
  autoStart: true,
  optional: [ISiteInfo],
  activate: (app: JupyterFrontEnd, site: ISiteInfo | null): void => {
    // a server's kernels talk over websockets: nothing to shim there
    if (site?.host !== 'server' && globalThis.crossOriginIsolated) {
      installWaitAsyncShim(globalThis.Atomics);
    }
  }
};
