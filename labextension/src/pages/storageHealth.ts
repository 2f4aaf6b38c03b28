/**
 * How safe this browser's storage is: whether the browser granted persistent
 * storage (it may otherwise evict the site's data when space runs low) and how
 * much of the quota is used.
 */
import { formatBytes } from '../common/byteSize';

export interface IStorageHealth {
  /** true granted, false refused, null when the browser cannot say. */
  readonly persisted: boolean | null;
  readonly usage: number | null;
  readonly quota: number | null;
}

/** Ask for persistent storage (once per page) and read usage and quota. */
export async function readStorageHealth(ask: boolean): Promise<IStorageHealth> {
  const storage = navigator.storage as StorageManager | undefined;
  if (!storage) {
    return { persisted: null, usage: null, quota: null };
  }
  let persisted: boolean | null = null;
  try {
    persisted = await storage.persisted();
    if (!persisted && ask) {
      persisted = await storage.persist();
    }
  } catch {
    persisted = null;
  }
  let usage: number | null = null;
  let quota: number | null = null;
  try {
    const estimate = await storage.estimate();
    usage = estimate.usage ?? null;
    quota = estimate.quota ?? null;
  } catch {
    // some browsers refuse estimates in private windows
  }
  return { persisted, usage, quota };
}

export function describePersistence(health: IStorageHealth): string {
  if (health.persisted === true) {
    return 'Persistent storage granted: the browser will not clear instances on its own when space runs low.';
  }
  if (health.persisted === false) {
    return 'Persistent storage not granted: the browser may clear instances when space runs low. Back up your work.';
  }
  return 'This browser does not say whether it keeps the instances when space runs low (it needs HTTPS to tell). Back up your work.';
}

export function describeUsage(health: IStorageHealth): string {
  if (health.usage === null || health.quota === null) {
    return 'Storage use: unknown in this browser.';
  }
  const share = health.quota > 0 ? (100 * health.usage) / health.quota : 0;
  return `Storage use for this site: ${formatBytes(health.usage)} of ${formatBytes(
    health.quota
  )} available (${share < 1 ? 'less than 1' : share.toFixed(0)}%).`;
}
