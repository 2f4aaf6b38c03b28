import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import type { IContentDiff } from './content';
import type { DefaultState } from './state';

export type { DefaultState };

/**
 * One default file and its state.
 */
export interface IDefaultStatus {
  /** The file's path in the instance. */
  readonly path: string;
  readonly state: DefaultState;
  /** sha256 of the version the site ships now. */
  readonly shippedHash: string;
  /** sha256 of the shipped version the user's copy started from, when known. */
  readonly baseHash: string | null;
}

/**
 * The shipped version of a default compared with the user's copy: cells
 * (type and source) for notebooks, lines for other text.
 */
export interface IDefaultComparison extends IContentDiff {
  readonly path: string;
  readonly state: DefaultState;
}

/**
 * The site's default files (the notebooks and data every instance starts
 * with) and where the user's copies stand against the shipped versions.
 */
export interface IDefaultNotebooks {
  /** Whether the site ships defaults (never with a Jupyter server). */
  readonly enabled: boolean;
  /** Resolves when every default's state is first known. */
  readonly ready: Promise<void>;
  /** Emitted when a state changes. */
  readonly changed: ISignal<IDefaultNotebooks, void>;
  /** Every default with its state, by path. */
  readonly statuses: ReadonlyArray<IDefaultStatus>;
  /** Whether a path is a default file. */
  isDefault(path: string): boolean;
  /** A default's state; null if the path is not a default. */
  status(path: string): IDefaultStatus | null;
  /** Check every default again. */
  refresh(): Promise<void>;
  /** The difference between the shipped version and the user's copy. */
  compare(path: string): Promise<IDefaultComparison>;
  /** Where a reset would keep the user's copy (`<name>-my-edits.<ext>`). */
  keptCopyPath(path: string): Promise<string>;
  /**
   * Bring back the shipped version. With `keepCopy`, the user's copy is first
   * saved beside it and checked; it is never lost when something fails.
   */
  reset(
    path: string,
    options: { keepCopy: boolean }
  ): Promise<{ path: string; keptAs: string | null }>;
  /**
   * Defaults with a newer shipped version the user has not been told about;
   * they count as told from now on.
   */
  takeUpdateNotices(): Promise<IDefaultStatus[]>;
}

export const IDefaultNotebooks = new Token<IDefaultNotebooks>(
  'luml-notebooks:IDefaultNotebooks',
  'The default files shipped with the site and the state of the user copies.'
);
