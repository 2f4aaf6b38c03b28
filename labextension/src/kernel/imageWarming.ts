/**
 * Starts the kernel image warmer (`imageWarmer.ts`) from an app page, before
 * JupyterLab loads, when the page opens a notebook by its link: that page's
 * kernel starts as soon as it can (`earlyStart.ts`), and finds the image
 * fetched and decompressed by then. Other pages start nothing, so a page
 * that runs no code costs nothing more.
 *
 * The warmer sits beside the site's kernel loader; a site whose kernel uses
 * another loader (Pyodide from a CDN) has no image and no warmer.
 */
import { notebookOfLink } from './notebookLink';

/** The kernel's loader (`pyodideLoader.ts`), as the site build names it. */
export const KERNEL_LOADER_FILE = 'luml-pyodide.mjs';

/** The warmer, beside the loader. */
export const IMAGE_WARMER_FILE = 'luml-image-warmer.mjs';

/** Where JupyterLite's page config holds the Pyodide kernel's settings. */
const PYODIDE_KERNEL_PLUGIN = '@jupyterlite/pyodide-kernel-extension:kernel';

/**
 * The warmer's URL for a page with this (merged) page config, or null when
 * the page opens no notebook or the site has no loader of ours.
 */
export function imageWarmerUrl(
  config: Record<string, unknown>,
  page: string
): string | null {
  if (!notebookOfLink(new URL(page).search)) {
    return null;
  }
  let settings = config.litePluginSettings;
  if (typeof settings === 'string') {
    try {
      settings = JSON.parse(settings);
    } catch {
      return null;
    }
  }
  const kernel = (settings as Record<string, any> | undefined)?.[
    PYODIDE_KERNEL_PLUGIN
  ];
  const loaderUrl = kernel?.pyodideUrl;
  if (typeof loaderUrl !== 'string') {
    return null;
  }
  const loader = new URL(loaderUrl, page);
  if (!loader.pathname.endsWith(`/${KERNEL_LOADER_FILE}`)) {
    return null;
  }
  return new URL(IMAGE_WARMER_FILE, loader).href;
}

/** Start the warmer if this page wants one; it closes by itself. */
export function warmKernelImage(
  config: Record<string, unknown>,
  page: string
): void {
  const url = imageWarmerUrl(config, page);
  if (!url || typeof Worker === 'undefined') {
    return;
  }
  try {
    const worker = new Worker(url, { type: 'module', name: 'kernel image' });
    // a warmer that cannot load only means the kernel fetches the image
    worker.addEventListener('error', event => {
      event.preventDefault();
      worker.terminate();
    });
  } catch (error) {
    console.info('The kernel image is not prepared ahead:', error);
  }
}
