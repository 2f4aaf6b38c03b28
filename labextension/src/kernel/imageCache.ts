/**
 * The kernel image kept decompressed in the browser's Cache Storage, so a
 * returning user's kernel skips fetching and decompressing it: about 90 MB
 * that took 0.6 to 0.9 s to decompress in the kernel's worker.
 *
 * Entries are keyed by the image's digest (from its manifest): a new site
 * build makes a new image with a new digest, and keeping it drops the
 * entries of older images of the same site. Everything here is best-effort:
 * no Cache Storage (an insecure page), a full quota or a failed read only
 * means the image is fetched as before.
 *
 * Runs in the kernel's worker, bundled with the loader: it imports nothing
 * but the image's types.
 */
import type { IKernelImageManifest } from './kernelImage';

/** The Cache Storage cache that holds decompressed kernel images. */
export const KERNEL_IMAGE_CACHE = 'luml-notebooks-kernel-image';

/**
 * What the kernel's log says once both parts are written: until then the
 * copy is not whole (a worker ended mid-write, as by a restart, leaves none).
 */
export const IMAGE_KEPT = 'The kernel image is kept for the next start';

/** An image's two parts, decompressed. */
export interface IImageParts {
  snapshot: Uint8Array;
  files: Uint8Array;
}

/** Where both parts are kept: the snapshot's key, then the files'. */
function keys(folder: URL, manifest: IKernelImageManifest): string[] {
  return [manifest.snapshot, manifest.files].map(
    name => new URL(`${name}?digest=${manifest.digest}`, folder).href
  );
}

function cacheStorage(): CacheStorage | null {
  return typeof caches === 'undefined' ? null : caches;
}

/** The kept responses of both parts, or null. */
async function keptParts(
  folder: URL,
  manifest: IKernelImageManifest
): Promise<Response[] | null> {
  const storage = cacheStorage();
  if (!storage) {
    return null;
  }
  const cache = await storage.open(KERNEL_IMAGE_CACHE);
  const found = await Promise.all(
    keys(folder, manifest).map(key => cache.match(key))
  );
  return found.every(response => !!response) ? (found as Response[]) : null;
}

/** The image's parts as kept by an earlier start, or null. */
export async function cachedImage(
  folder: URL,
  manifest: IKernelImageManifest
): Promise<IImageParts | null> {
  try {
    const responses = await keptParts(folder, manifest);
    if (!responses) {
      return null;
    }
    const [snapshot, files] = await Promise.all(
      responses.map(
        async response => new Uint8Array(await response.arrayBuffer())
      )
    );
    return { snapshot, files };
  } catch (error) {
    console.info('The kept kernel image could not be read:', error);
    return null;
  }
}

/**
 * Keep the image's parts for the next start as `bodies` (the snapshot's,
 * then the files') stream in, and drop what this site kept of other images.
 */
export async function keepImage(
  folder: URL,
  manifest: IKernelImageManifest,
  bodies: ReadableStream<Uint8Array>[]
): Promise<void> {
  const cancel = () =>
    Promise.all(bodies.map(body => body.cancel().catch(() => undefined)));
  const storage = cacheStorage();
  if (!storage) {
    await cancel();
    return;
  }
  try {
    const cache = await storage.open(KERNEL_IMAGE_CACHE);
    const current = keys(folder, manifest);
    await dropOthers(cache, folder, current);
    await Promise.all(
      current.map((key, i) => cache.put(key, new Response(bodies[i])))
    );
    console.info(IMAGE_KEPT);
  } catch (error) {
    console.info(
      'The kernel image could not be kept for the next start:',
      error
    );
    await cancel();
  }
}

/** Drop this site's kept image, as when it failed to start. */
export async function forgetImage(folder: URL): Promise<void> {
  const storage = cacheStorage();
  if (!storage) {
    return;
  }
  try {
    await dropOthers(await storage.open(KERNEL_IMAGE_CACHE), folder, []);
  } catch (error) {
    console.info('The kept kernel image could not be dropped:', error);
  }
}

/** Delete the entries of `folder` (this site's image folder) but `keep`. */
async function dropOthers(
  cache: Cache,
  folder: URL,
  keep: string[]
): Promise<void> {
  const requests = await cache.keys();
  await Promise.all(
    requests
      .filter(
        request =>
          request.url.startsWith(folder.href) && !keep.includes(request.url)
      )
      .map(request => cache.delete(request))
  );
}
