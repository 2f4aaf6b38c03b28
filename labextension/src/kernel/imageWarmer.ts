/**
 * The image warmer: a module worker the page starts as a notebook link
 * opens (`imageWarming.ts`). It fetches, decompresses and keeps the kernel
 * image in this browser while JupyterLab loads, on the other core, so the
 * kernel, started a second or two later, finds it ready (`imageSource.ts`
 * makes the kernel wait for a warmer still at work). Then it closes.
 *
 * Bundled apart as `luml-image-warmer.mjs`, beside the kernel's loader.
 */
import { fetchManifest, imageFolder, keepImageAhead } from './imageSource';

const importByUrl = (url: string): Promise<any> =>
  import(/* webpackIgnore: true */ url);

async function warm(): Promise<void> {
  const here = import.meta.url;
  // the release the image must be made for
  const pyodide = await importByUrl(new URL('./pyodide.mjs', here).href);
  const folder = imageFolder(here);
  const manifest = await fetchManifest(folder, pyodide.version);
  if (manifest) {
    await keepImageAhead(folder, manifest);
  }
}

warm()
  .catch(error =>
    console.info('The kernel image was not prepared ahead:', error)
  )
  .finally(() => (globalThis as any).close?.());
