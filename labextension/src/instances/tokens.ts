import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

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
