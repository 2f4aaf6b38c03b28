import { ISignal } from '@lumino/signaling';
import { Token } from '@lumino/coreutils';

/**
 * Where the app runs: entirely in the browser (JupyterLite) or against a
 * Jupyter server. Features that only make sense in one of them ask this.
 */
export type HostKind = 'browser' | 'server';

/**
 * Facts about the deployed site, fixed at build time.
 */
export interface ISiteInfo {
  /** The product name shown to users. */
  readonly productName: string;
  /** The version of the site build (the Python package's version). */
  readonly siteVersion: string;
  /** Where the app runs. */
  readonly host: HostKind;
  /** Where the Python runtime is loaded from. */
  readonly pyodideSource: 'vendored' | 'cdn' | 'none';
}

export const ISiteInfo = new Token<ISiteInfo>(
  'luml-notebooks:ISiteInfo',
  'Facts about the deployed LUML Notebooks site, fixed at build time.'
);

/**
 * An instance of this browser, as listed for switching.
 */
export interface IInstanceSummary {
  readonly id: string;
  /** The name; empty for a database made without one. */
  readonly fullname: string;
  readonly createdAt: Date | null;
}

/**
 * The instance this JupyterLab tab shows.
 */
export interface ICurrentInstance {
  readonly id: string;
  /** The name as shown (a placeholder when the instance has none). */
  readonly name: string;
  /** True once the instance was deleted (in another tab or window). */
  readonly deleted: boolean;
  /** Emits when the name changes or the instance is deleted. */
  readonly changed: ISignal<ICurrentInstance, void>;
  /** Rename; rejects with a message a user can act on. */
  rename(fullname: string): Promise<void>;
  /** The names of the other instances (a new name must differ). */
  otherNames(): Promise<string[]>;
  /** Check that the instance still exists; marks it deleted if not. */
  check(): Promise<boolean>;
}

/**
 * The instances of this browser, seen from JupyterLab.
 */
export interface IInstances {
  /** The instance of this tab; null when JupyterLab runs on a server. */
  readonly current: ICurrentInstance | null;
  /** Every instance of this browser, oldest first. */
  list(): Promise<IInstanceSummary[]>;
  /** The link that opens instance `id`. */
  link(id: string): string;
  /** The instances page. */
  readonly pageUrl: string;
}

export const IInstances = new Token<IInstances>(
  'luml-notebooks:IInstances',
  "The browser's notebook instances and the one this tab shows."
);
