/**
 * The kernel image: what the site build prepares so that the Pyodide kernel
 * starts from a memory snapshot instead of importing its libraries anew.
 *
 * - a memory snapshot of Pyodide with the kernel's libraries imported
 *   (IPython, jedi, comm…), gzip-compressed;
 * - the files of those libraries, as one gzip-compressed tar, because a
 *   snapshot holds the interpreter's memory but not its file system;
 * - a manifest naming both, the Pyodide release, the packages whose files
 *   the tar holds, and a digest of both files.
 *
 * Pure helpers shared by the maker (`imageMaker.ts`, Node, at build time) and
 * the loader (`pyodideLoader.ts`, the kernel's worker). Both are bundled
 * apart (`build-pages.mjs`), so this module must import nothing.
 */

/** The image's folder, beside `pyodide.mjs`. */
export const KERNEL_IMAGE_FOLDER = 'kernel-image';

/** The manifest's file name in that folder; the files it names are beside it. */
export const KERNEL_IMAGE_MANIFEST = 'manifest.json';

/** Bumped when the image's layout or contents change: older ones are remade. */
export const KERNEL_IMAGE_FORMAT = 4;

/** What the manifest says. */
export interface IKernelImageManifest {
  format: number;
  /** the Pyodide release the snapshot was made with */
  pyodide: string;
  /** the snapshot's file name */
  snapshot: string;
  /** the file name of the tar of the libraries' files */
  files: string;
  /** where the tar's paths are relative to, in the kernel's file system */
  sitePackages: string;
  /** the packages (lock names) whose files the tar holds */
  packages: string[];
  /** the SHA-256 (hex) of both files: a browser keeps a copy by it */
  digest: string;
}

/** The manifest, or a reason it cannot be used. */
export function parseManifest(
  value: unknown,
  pyodideVersion: string
): IKernelImageManifest | string {
  if (!value || typeof value !== 'object') {
    return 'the manifest is not an object';
  }
  const manifest = value as Partial<IKernelImageManifest>;
  if (manifest.format !== KERNEL_IMAGE_FORMAT) {
    return `format ${manifest.format}, expected ${KERNEL_IMAGE_FORMAT}`;
  }
  if (manifest.pyodide !== pyodideVersion) {
    return `made for Pyodide ${manifest.pyodide}, this is ${pyodideVersion}`;
  }
  const names = [manifest.snapshot, manifest.files, manifest.sitePackages];
  if (names.some(name => typeof name !== 'string' || !name)) {
    return 'the manifest lacks a file name';
  }
  if (
    !Array.isArray(manifest.packages) ||
    manifest.packages.some(name => typeof name !== 'string')
  ) {
    return 'the manifest lacks its package list';
  }
  if (
    typeof manifest.digest !== 'string' ||
    !/^[0-9a-f]{64}$/.test(manifest.digest)
  ) {
    return 'the manifest lacks its digest';
  }
  return manifest as IKernelImageManifest;
}

/**
 * How the snapshot names a JavaScript object of Pyodide's API that Python
 * holds: `['public', key]` for `pyodide[key]`, `['api', key]` for its
 * internal API's.
 */
export type SnapshotReference = readonly ['public' | 'api', string];

/** The object a reference names in a Pyodide being started. */
export function resolveReference(
  api: { public_api?: Record<string, unknown> } & Record<string, unknown>,
  reference: unknown
): unknown {
  if (
    !Array.isArray(reference) ||
    reference.length !== 2 ||
    typeof reference[1] !== 'string'
  ) {
    throw new Error('the snapshot names an object in an unknown way');
  }
  const [where, key] = reference;
  const owner =
    where === 'public' ? api.public_api : where === 'api' ? api : null;
  if (!owner || !(key in owner)) {
    throw new Error(
      `the snapshot names ${where}.${key}, which this Pyodide lacks`
    );
  }
  return owner[key];
}

/** Is this gzip data (the host may have sent it decompressed already)? */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** One regular file or folder of a tar. */
export interface ITarEntry {
  path: string;
  folder: boolean;
  data: Uint8Array;
}

/**
 * The entries of an uncompressed ustar archive (what Python's tarfile writes
 * with `format=USTAR_FORMAT`), as views into `tar`. Other entry types
 * (links, devices) are skipped; a truncated or malformed header throws.
 */
export function* tarEntries(tar: Uint8Array): Generator<ITarEntry> {
  const decoder = new TextDecoder();
  const text = (start: number, end: number): string => {
    const field = tar.subarray(start, end);
    const nul = field.indexOf(0);
    return decoder.decode(nul < 0 ? field : field.subarray(0, nul));
  };
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const name = text(offset, offset + 100);
    if (!name) {
      return; // the two empty blocks that end an archive
    }
    if (text(offset + 257, offset + 262) !== 'ustar') {
      throw new Error(`not a ustar header at byte ${offset}`);
    }
    const size = parseInt(text(offset + 124, offset + 136).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) {
      throw new Error(`a bad size at byte ${offset}`);
    }
    const start = offset + 512;
    if (start + size > tar.length) {
      throw new Error('the archive is truncated');
    }
    const type = String.fromCharCode(tar[offset + 156] || 0x30);
    const prefix = text(offset + 345, offset + 500);
    const path = (prefix ? `${prefix}/${name}` : name)
      .replace(/^(\.\/)+/, '')
      .replace(/\/$/, '');
    if (path.split('/').includes('..')) {
      throw new Error(`a path out of the archive: ${path}`);
    }
    if (path && (type === '0' || type === '5')) {
      yield {
        path,
        folder: type === '5',
        data: tar.subarray(start, start + size)
      };
    }
    offset = start + Math.ceil(size / 512) * 512;
  }
}

/** What a lock file says of a package: the packages it needs. */
export interface ILockPackages {
  [name: string]: { depends?: string[] } | undefined;
}

/**
 * The packages a start from the image still has to load: those asked for
 * and their dependencies, all the way down, that the image does not hold.
 * (Pyodide does not look at the dependencies of a package it counts as
 * loaded, so naming only the asked-for ones would skip a compiled one.)
 */
export function packagesToLoad(
  requested: string[],
  lock: ILockPackages,
  inImage: string[]
): string[] {
  const held = new Set(inImage);
  const seen = new Set<string>();
  const wanted: string[] = [];
  const visit = (name: string) => {
    if (seen.has(name)) {
      return;
    }
    seen.add(name);
    if (!held.has(name)) {
      wanted.push(name);
    }
    for (const dependency of lock[name]?.depends ?? []) {
      visit(dependency);
    }
  };
  requested.forEach(visit);
  return wanted;
}
