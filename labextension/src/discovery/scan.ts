import { PathExt } from '@jupyterlab/coreutils';
import type { Contents } from '@jupyterlab/services';

import { isModelPath } from '../format/modelFiles';
import { IListedModelFile, normalizePath } from './listing';

/** How many folder listings run at once: each may iterate all storage. */
const MAX_LISTINGS = 2;

/** Whether a path is the scope itself or under it ('' is everything). */
export function isInScope(path: string, scope: string): boolean {
  return scope === '' || path === scope || path.startsWith(`${scope}/`);
}

/**
 * Every path held in browser storage, normalized; null when it cannot be
 * had, and then the scan lists every folder instead.
 */
export async function readStoredPaths(
  storagePaths: (() => Promise<readonly string[] | null>) | null
): Promise<Set<string> | null> {
  try {
    const paths = await storagePaths?.();
    return paths ? new Set(paths.map(normalizePath)) : null;
  } catch (e) {
    console.warn('Listing browser storage failed; listing folders', e);
    return null;
  }
}

/**
 * The model files of a server's listing at or under `scope`, as listing
 * entries of the contents manager (no content).
 */
export function listedModelFiles(
  listed: readonly IListedModelFile[],
  scope: string
): Contents.IModel[] {
  const files: Contents.IModel[] = [];
  for (const file of listed) {
    const path = normalizePath(file.path);
    if (!isInScope(path, scope) || !isModelPath(path)) {
      continue;
    }
    files.push({
      path,
      name: PathExt.basename(path),
      type: 'file',
      size: file.size,
      last_modified: file.last_modified
    } as Contents.IModel);
  }
  return files;
}

export interface IWalkVisitor {
  /** Paths known from browser storage: not reported, their folders not listed. */
  stored: Set<string> | null;
  /** True once the walk should stop (the discovery was disposed). */
  isCancelled(): boolean;
  /** A model file listed in a folder, as the listing describes it. */
  onModelFile(path: string, item: Contents.IModel): void;
}

/**
 * Walks folders through the contents manager and reports the model files
 * in them as each listing arrives, so reads start while the walk goes on.
 */
export class FolderWalker {
  constructor(private readonly _contents: Pick<Contents.IManager, 'get'>) {}

  async walk(dir: string, visitor: IWalkVisitor): Promise<void> {
    let listing: Contents.IModel;
    await this._slots.acquire();
    try {
      listing = await this._contents.get(dir, { content: true });
    } catch {
      return; // the folder went away meanwhile
    } finally {
      this._slots.release();
    }
    if (visitor.isCancelled() || listing.type !== 'directory') {
      return;
    }
    const children: Contents.IModel[] = Array.isArray(listing.content)
      ? listing.content
      : [];
    const folders: string[] = [];
    for (const child of children) {
      if (!child || typeof child.path !== 'string') {
        continue;
      }
      const path = normalizePath(child.path);
      if (visitor.stored?.has(path)) {
        continue; // in browser storage: already known from its keys
      }
      if (child.type === 'directory') {
        folders.push(path);
      } else if (isModelPath(path)) {
        visitor.onModelFile(path, child);
      }
    }
    await Promise.all(folders.map(f => this.walk(f, visitor)));
  }

  private readonly _slots = new Slots(MAX_LISTINGS);
}

/** At most `n` holders at a time; the others wait in order. */
export class Slots {
  constructor(private _free: number) {}

  acquire(): Promise<void> {
    if (this._free > 0) {
      this._free--;
      return Promise.resolve();
    }
    return new Promise(resolve => this._waiting.push(resolve));
  }

  release(): void {
    const next = this._waiting.shift();
    if (next) {
      next();
    } else {
      this._free++;
    }
  }

  private _waiting: (() => void)[] = [];
}
