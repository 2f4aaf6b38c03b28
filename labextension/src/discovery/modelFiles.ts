import { PathExt } from '@jupyterlab/coreutils';

import type { IByteSource } from '../format';

/** The format's name and its legacy names; matched case-insensitively. */
export const MODEL_EXTENSIONS = ['.luml', '.dfs', '.fnnx', '.pyfnx'];

/** Whether a path names a model file (by extension, in any folder). */
export function isModelPath(path: string): boolean {
  const name = PathExt.basename(path).toLowerCase();
  return MODEL_EXTENSIONS.some(
    ext => name.length > ext.length && name.endsWith(ext)
  );
}

/** A path as the list keys it: no leading or trailing slash. */
export function normalizePath(path: string): string {
  return path.replace(/^\/+/, '').replace(/\/+$/, '');
}

/** A model file as a server lists it (no content). */
export interface IListedModelFile {
  path: string;
  size: number;
  last_modified: string;
}

/**
 * Model files on a Jupyter server's disk, where a kernel writes without the
 * contents manager seeing it: a cheap listing to poll, and random access to
 * a file's bytes so only headers and small members travel.
 */
export interface IRemoteModelFiles {
  /** Every model file, reading no file. */
  list(): Promise<IListedModelFile[]>;
  /** Random access to a file's bytes; rejects with `status` 404 if gone. */
  open(path: string): Promise<IByteSource>;
}
