import { litePluginSettings } from '../common/pageConfig';

/** The plugin id under which the site builder records the shipped defaults. */
export const DEFAULTS_SETTINGS_ID = 'luml-notebooks:defaults';

/**
 * Where a default file stands for this user:
 * - `shipped`: no copy of the user's, or a copy with the shipped content;
 * - `edited`: the user's copy differs from the shipped version it started from;
 * - `updated`: the user's copy differs, and a newer version has been shipped
 *   since the user's edit started.
 */
export type DefaultState = 'shipped' | 'edited' | 'updated';

/**
 * What is remembered, per default and per instance, about the user's copy.
 */
export interface IEditRecord {
  /** sha256 of the shipped version the user's copy started from. */
  readonly baseHash: string;
  /** The shipped version the user was last told about, if any. */
  readonly notifiedHash?: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The shipped defaults (path to sha256) from the page's `litePluginSettings`
 * JSON. Entries that are not a relative path with a sha256 are left out.
 */
export function readShippedDefaults(allSettings: string): Map<string, string> {
  const shipped = new Map<string, string>();
  const files = litePluginSettings(allSettings, DEFAULTS_SETTINGS_ID)?.files;
  if (!files || typeof files !== 'object' || Array.isArray(files)) {
    return shipped;
  }
  for (const [path, hash] of Object.entries(files)) {
    if (
      typeof hash === 'string' &&
      SHA256_HEX.test(hash) &&
      path !== '' &&
      !path.startsWith('/') &&
      !path.split('/').includes('..')
    ) {
      shipped.set(path, hash);
    }
  }
  return shipped;
}

/** What is known about one default when its state is decided. */
export interface IStateFacts {
  /** Whether the browser holds a copy of the file (which then shadows the shipped one). */
  readonly hasLocalCopy: boolean;
  /** Whether that copy has the shipped content (see `sameContent`). */
  readonly sameAsShipped: boolean;
  /** sha256 of the version shipped now. */
  readonly shippedHash: string;
  /** What is remembered about the user's copy. */
  readonly record: IEditRecord | null;
}

/** A decided state, and what to remember from now on (null: forget). */
export interface IStateDecision {
  readonly state: DefaultState;
  readonly record: IEditRecord | null;
}

/**
 * Decide a default's state. A copy with the shipped content is as shipped,
 * and any later edit starts from the version shipped now. A differing copy is
 * "updated" when it started from an older shipped version; when nothing is
 * known about where it started, it counts as "edited" (never claim an update
 * that cannot be shown).
 */
export function decideState(facts: IStateFacts): IStateDecision {
  if (!facts.hasLocalCopy) {
    return { state: 'shipped', record: null };
  }
  if (facts.sameAsShipped) {
    return { state: 'shipped', record: { baseHash: facts.shippedHash } };
  }
  if (!facts.record) {
    return { state: 'edited', record: null };
  }
  const state =
    facts.record.baseHash === facts.shippedHash ? 'edited' : 'updated';
  return { state, record: facts.record };
}

/**
 * The record after the user's copy of a default was saved: the first save
 * remembers the version shipped now as where the edit started.
 */
export function recordAfterSave(
  record: IEditRecord | null,
  shippedHash: string
): IEditRecord {
  return record ?? { baseHash: shippedHash };
}

/** Whether the user should be told that a newer version was shipped. */
export function needsUpdateNotice(
  state: DefaultState,
  record: IEditRecord | null,
  shippedHash: string
): boolean {
  return state === 'updated' && record?.notifiedHash !== shippedHash;
}

/** Whether `path` is `folder` itself or inside it. */
export function isAtOrUnder(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.replace(/\/$/, '') + '/');
}
