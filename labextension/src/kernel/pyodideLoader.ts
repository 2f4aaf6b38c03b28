/**
 * The Pyodide kernel's loader. The site sets the kernel's `pyodideUrl` to
 * this module (`luml-pyodide.mjs`, beside `pyodide.mjs`); the kernel's worker
 * imports it and calls `loadPyodide` as it would Pyodide's own.
 *
 * When the site holds a kernel image (see `kernelImage.ts`), Pyodide starts
 * from its memory snapshot, with the kernel's libraries already imported, and
 * their files are written back from the image's tar: the kernel then skips
 * most of what makes a start slow. Without an image, or when any part of it
 * fails (a missing file, another Pyodide build), Pyodide starts as it always
 * did: the image only ever makes a start faster, never breaks one.
 *
 * Bundled apart into one ES module (`build-pages.mjs`); it imports Pyodide
 * by URL, at run time.
 */
import { forgetImage } from './imageCache';
import { fetchManifest, IImage, imageFolder, readImage } from './imageSource';
import { packagesToLoad, resolveReference, tarEntries } from './kernelImage';

/** What the kernel's log says when a start used the image. */
export const STARTED_FROM_IMAGE = 'Pyodide started from the kernel image';

/** Added to that line when the image came from this browser's copy. */
export const FROM_KEPT_IMAGE = 'kept by this browser';

/** Loaded by URL, so bundlers leave them to the browser. */
const importByUrl = (url: string): Promise<any> =>
  import(/* webpackIgnore: true */ url);

/**
 * Python run once the snapshot is restored: every start from the same
 * snapshot would otherwise share its random state, and `''` would be on the
 * path twice (Pyodide adds it on each start).
 */
const AFTER_RESTORE = `
import sys
if "random" in sys.modules:
    sys.modules["random"].seed()
if "tempfile" in sys.modules:
    sys.modules["tempfile"]._name_sequence = None
sys.path[:] = list(dict.fromkeys(sys.path))
del sys
`;

export async function loadPyodide(options: Record<string, any> = {}) {
  const start = performance.now();
  const here = import.meta.url;
  const pyodide = await importByUrl(new URL('./pyodide.mjs', here).href);
  const image = await fetchImage(here, pyodide.version);
  if (image) {
    try {
      const started = await startFromImage(pyodide, here, image, options);
      const seconds = (performance.now() - start) / 1000;
      const from = image.kept ? `; ${FROM_KEPT_IMAGE}` : '';
      console.info(
        `${STARTED_FROM_IMAGE} in ${seconds.toFixed(2)} s (Pyodide ${pyodide.version}${from})`
      );
      return started;
    } catch (error) {
      console.warn(
        'The kernel image could not be used; Pyodide starts without it.',
        error
      );
      // whether it was kept or is being kept, the next start must not use it
      await image.keeping;
      await forgetImage(image.folder);
    }
  }
  return pyodide.loadPyodide(options);
}

/** The site's image; null if it has none or a part is unusable. */
async function fetchImage(
  here: string,
  pyodideVersion: string
): Promise<IImage | null> {
  try {
    const folder = imageFolder(here);
    const manifest = await fetchManifest(folder, pyodideVersion);
    return manifest && (await readImage(folder, manifest));
  } catch (error) {
    console.warn(
      'The kernel image is not usable; Pyodide starts without it.',
      error
    );
    return null;
  }
}

async function startFromImage(
  pyodide: any,
  here: string,
  image: IImage,
  options: Record<string, any>
) {
  const { manifest, snapshot, files } = image;
  const { packages = [], ...rest } = options;
  // Pyodide's internal API, once its module exists: the snapshot names the
  // API's objects that Python holds
  let api: any = null;
  const py = await pyodide.loadPyodide({
    ...rest,
    _loadSnapshot: snapshot,
    _snapshotDeserializer: (reference: unknown) =>
      resolveReference(api, reference),
    createPyodideModule: (settings: any) => {
      api = settings.API;
      return createWithRoomFor(settings, snapshot.length, here);
    }
  });
  for (const entry of tarEntries(files)) {
    const path = `${manifest.sitePackages}/${entry.path}`;
    if (entry.folder) {
      py.FS.mkdirTree(path);
    } else {
      py.FS.writeFile(path, entry.data);
    }
  }
  py.runPython(AFTER_RESTORE);
  // the image's packages are in place, from the site's lock as Pyodide
  // would load them: loading them again would only unpack the same files
  for (const name of manifest.packages) {
    py.loadedPackages[name] = 'default channel';
  }
  const missing = packagesToLoad(
    packages,
    py.lockfile?.packages ?? {},
    manifest.packages
  );
  if (missing.length) {
    await py.loadPackage(missing, { messageCallback: () => undefined });
  }
  return py;
}

/**
 * Pyodide's module, with a memory as large as the snapshot: Pyodide sizes
 * it through a setting its build ignores, and then cannot copy the snapshot
 * in. Growing the memory before the module starts leaves all else as is.
 */
async function createWithRoomFor(settings: any, bytes: number, here: string) {
  const instantiate = settings.instantiateWasm;
  if (typeof instantiate !== 'function') {
    throw new Error('this Pyodide build instantiates its module differently');
  }
  settings.instantiateWasm = (imports: any, receive: any) =>
    instantiate(imports, (instance: WebAssembly.Instance, module: any) => {
      const memory = instance.exports.memory as WebAssembly.Memory;
      const missing = bytes - memory.buffer.byteLength;
      if (missing > 0) {
        memory.grow(Math.ceil(missing / 65536));
      }
      receive(instance, module);
    });
  const asm = await importByUrl(new URL('./pyodide.asm.mjs', here).href);
  return asm.default(settings);
}
