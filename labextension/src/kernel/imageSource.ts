/**
 * Where a kernel start gets the site's kernel image from: the copy this
 * browser kept (`imageCache.ts`), or the site, decompressed and kept on the
 * way for the next start.
 *
 * Kernels that start at once (two notebooks, two tabs) take turns through a
 * Web Lock per site: the second waits for the first to keep the image, then
 * reads the kept copy, instead of fetching, decompressing and writing the
 * same 90 MB again.
 *
 * Runs in the kernel's worker, bundled with the loader.
 */
import { cachedImage, IImageParts, keepImage } from './imageCache';
import {
  IKernelImageManifest,
  isGzip,
  KERNEL_IMAGE_FOLDER,
  KERNEL_IMAGE_MANIFEST,
  parseManifest
} from './kernelImage';

/** An image ready to start from. */
export interface IImage extends IImageParts {
  folder: URL;
  manifest: IKernelImageManifest;
  /** read from this browser's copy rather than the site */
  kept: boolean;
  /** settles once the copy of an image read from the site is written */
  keeping: Promise<void>;
}

/** What a start from a kept copy has left to write: nothing. */
const NOTHING_TO_WRITE = Promise.resolve();

/** The image folder beside the loader at `here`. */
export function imageFolder(here: string): URL {
  return new URL(`${KERNEL_IMAGE_FOLDER}/`, here);
}

/** The site's manifest; null if the site has no image. */
export async function fetchManifest(
  folder: URL,
  pyodideVersion: string
): Promise<IKernelImageManifest | null> {
  const response = await fetch(new URL(KERNEL_IMAGE_MANIFEST, folder));
  if (response.status === 404) {
    return null; // built without one
  }
  if (!response.ok) {
    throw new Error(`HTTP ${response.status} for ${KERNEL_IMAGE_MANIFEST}`);
  }
  const manifest = parseManifest(await response.json(), pyodideVersion);
  if (typeof manifest === 'string') {
    throw new Error(manifest);
  }
  return manifest;
}

/** The image for a kernel start: the kept copy, or fetched and kept. */
export function readImage(
  folder: URL,
  manifest: IKernelImageManifest
): Promise<IImage> {
  return new Promise<IImage>((resolve, reject) => {
    const work = async () => {
      const kept = await cachedImage(folder, manifest);
      if (kept) {
        resolve({
          ...kept,
          folder,
          manifest,
          kept: true,
          keeping: NOTHING_TO_WRITE
        });
        return;
      }
      const parts = await Promise.all(
        [manifest.snapshot, manifest.files].map(async name =>
          (await partStream(folder, name)).tee()
        )
      );
      const written = keepImage(
        folder,
        manifest,
        parts.map(([, copy]) => copy)
      );
      const [snapshot, files] = await Promise.all(
        parts.map(
          async ([body]) =>
            new Uint8Array(await new Response(body).arrayBuffer())
        )
      );
      resolve({
        folder,
        manifest,
        snapshot,
        files,
        kept: false,
        keeping: written
      });
      // the lock is held until the copy is written, not the start
      await written;
    };
    whileLocked(folder, work).catch(reject);
  });
}

/** A part of the image, gunzipped unless the host already did. */
async function partStream(
  folder: URL,
  name: string
): Promise<ReadableStream<Uint8Array>> {
  const url = new URL(name, folder);
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`HTTP ${response.status} for ${url.pathname}`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const plain = new Blob([bytes as BlobPart]).stream();
  return isGzip(bytes)
    ? plain.pipeThrough(new DecompressionStream('gzip'))
    : plain;
}

/** Run `work` holding this site's image lock (or unlocked without Web Locks). */
async function whileLocked(
  folder: URL,
  work: () => Promise<void>
): Promise<void> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) {
    return work();
  }
  await locks.request(`${KERNEL_IMAGE_FOLDER} ${folder.href}`, work);
}
