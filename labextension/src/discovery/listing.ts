/**
 * Paths as discovery keys them, and model files as a server lists them.
 */
import type { IByteSource } from '../format';

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
