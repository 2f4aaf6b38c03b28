import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import type { LumlReadResult } from '../format';

/**
 * A model file found in the instance's storage, with what its headers say.
 */
export interface IDiscoveredModel {
  /** Path in the contents manager (no leading slash). */
  readonly path: string;
  /** The file name (last path segment). */
  readonly name: string;
  /** File size in bytes. */
  readonly size: number;
  /** ISO 8601 time of the last change, as the contents manager reports it. */
  readonly lastModified: string;
  /** The metadata, or why the file could not be read as a model. */
  readonly result: LumlReadResult;
}

/**
 * What changed in the list of models since the last `changed` emission.
 */
export interface IModelsChange {
  /** Paths added, updated or removed. */
  readonly paths: readonly string[];
  /** Models that moved without a change of content. */
  readonly renamed: readonly { oldPath: string; newPath: string }[];
}

/**
 * Knows every model file (`.luml`, `.dfs`, `.fnnx`, `.pyfnx`) of the instance
 * and keeps the list current as files are saved, renamed and deleted, in this
 * tab and in other tabs of the same instance.
 */
export interface IModelDiscovery {
  /** Emitted when the list of models (or the scan state) changes. */
  readonly changed: ISignal<IModelDiscovery, IModelsChange>;
  /** Known models, sorted by path. */
  readonly models: readonly IDiscoveredModel[];
  /** Resolves when the first full scan is done. */
  readonly ready: Promise<void>;
  /** True while a full scan walks the folders. */
  readonly scanning: boolean;
  /** Paths of model files waiting to be read (or being read). */
  readonly pending: readonly string[];
  /** The model at a path, if known. */
  get(path: string): IDiscoveredModel | undefined;
  /**
   * Check a file or folder again (the whole instance without a path) and
   * update the list; resolves when done.
   */
  refresh(path?: string): Promise<void>;
}

export const IModelDiscovery = new Token<IModelDiscovery>(
  'luml-notebooks:IModelDiscovery',
  'Knows the model files of the instance and their metadata.'
);
