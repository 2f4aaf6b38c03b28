/**
 * How safe this browser's storage is: whether the browser granted persistent
 * storage (it may otherwise evict the site's data when space runs low) and how
 * much of the quota is used.
 */
import { formatBytes } from '../common/byteSize';
import {
  defineMessages,
  englishText,
  IMessage,
  ITextBundle,
  renderMessage
} from '../common/messages';

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

/** The storage-health texts, as messages (see `common/messages.ts`). */
export const storageHealthMessage = defineMessages('storageHealth', {
  persisted: trans =>
    trans.__(
      'Persistent storage granted: the browser will not clear instances on its own when space runs low.'
    ),
  notPersisted: trans =>
    trans.__(
      'Persistent storage not granted: the browser may clear instances when space runs low. Back up your work.'
    ),
  persistenceUnknown: trans =>
    trans.__(
      'This browser does not say whether it keeps the instances when space runs low (it needs HTTPS to tell). Back up your work.'
    ),
  usageUnknown: trans => trans.__('Storage use: unknown in this browser.'),
  usage: (trans, p) =>
    trans.__(
      'Storage use for this site: %1 of %2 available (%3%).',
      p.usage,
      p.quota,
      p.percent
    ),
  usageBelowOnePercent: (trans, p) =>
    trans.__(
      'Storage use for this site: %1 of %2 available (less than 1%).',
      p.usage,
      p.quota
    )
});

export function persistenceMessage(health: IStorageHealth): IMessage {
  if (health.persisted === true) {
    return storageHealthMessage('persisted');
  }
  if (health.persisted === false) {
    return storageHealthMessage('notPersisted');
  }
  return storageHealthMessage('persistenceUnknown');
}

export function usageMessage(health: IStorageHealth): IMessage {
  if (health.usage === null || health.quota === null) {
    return storageHealthMessage('usageUnknown');
  }
  const share = health.quota > 0 ? (100 * health.usage) / health.quota : 0;
  const sizes = {
    usage: formatBytes(health.usage),
    quota: formatBytes(health.quota)
  };
  return share < 1
    ? storageHealthMessage('usageBelowOnePercent', sizes)
    : storageHealthMessage('usage', { ...sizes, percent: share.toFixed(0) });
}

export function describePersistence(
  health: IStorageHealth,
  trans: ITextBundle = englishText
): string {
  return renderMessage(persistenceMessage(health), trans);
}

export function describeUsage(
  health: IStorageHealth,
  trans: ITextBundle = englishText
): string {
  return renderMessage(usageMessage(health), trans);
}
