/**
 * Which way the in-browser (Pyodide) kernel has to the page's files, the
 * instance's `/drive`. JupyterLite's kernel runs in a worker and asks the
 * page for every file operation, through one of two channels:
 *
 * - shared memory (SharedArrayBuffer and Atomics), which the browser offers
 *   only to a cross-origin isolated page;
 * - otherwise the site's service worker, which catches the worker's drive
 *   requests and hands them to the page.
 *
 * Without either (a private window that has no service workers, service
 * workers blocked for the site) Python code cannot read the instance's
 * files, and what it writes is not saved.
 */

import type { JupyterFrontEnd } from '@jupyterlab/application';

export type KernelFileChannel = 'shared-memory' | 'service-worker' | 'none';

/**
 * The part of JupyterLite's service worker manager
 * (`@jupyterlite/apputils:IServiceWorkerManager`) read here: `ready`
 * resolves once the service worker is registered and rejects when the
 * registration failed. It never settles when the browser has no service
 * workers at all.
 */
export interface IServiceWorkerState {
  readonly ready: Promise<void>;
  /** The id the service worker knows this page by. */
  readonly browsingContextId?: string;
}

/**
 * JupyterLite's service worker manager, resolved by its token. The package
 * is JupyterLite's own (shared, never bundled here) and exists only in a
 * browser site, so it is loaded there only.
 */
export async function jupyterLiteServiceWorker(
  app: JupyterFrontEnd
): Promise<IServiceWorkerState | null> {
  const { IServiceWorkerManager } = await import('@jupyterlite/apputils');
  return app.resolveOptionalService(IServiceWorkerManager);
}

/** What the page knows about its browser window. */
export interface IChannelEnvironment {
  /** `crossOriginIsolated` of the page. */
  readonly crossOriginIsolated: boolean;
  /** Whether the browser offers the page service workers at all. */
  readonly serviceWorkers: boolean;
  /** JupyterLite's service worker manager, or null when the app has none. */
  serviceWorkerManager(): Promise<IServiceWorkerState | null>;
}

/**
 * The channel the kernel will use, once the page knows. Resolves as soon as
 * the service worker's registration has succeeded or failed.
 */
export async function kernelFileChannel(
  env: IChannelEnvironment
): Promise<KernelFileChannel> {
  if (env.crossOriginIsolated) {
    return 'shared-memory';
  }
  if (!env.serviceWorkers) {
    return 'none';
  }
  const manager = await env.serviceWorkerManager();
  if (!manager) {
    return 'none';
  }
  try {
    await manager.ready;
    return 'service-worker';
  } catch {
    return 'none';
  }
}
