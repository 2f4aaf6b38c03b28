import { InstanceStore } from './store';

/** localStorage, or null where the browser blocks it. */
function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The instance store of this browser. */
export function browserStore(): InstanceStore {
  if (typeof indexedDB === 'undefined') {
    throw new Error('This browser has no IndexedDB storage.');
  }
  return new InstanceStore({
    indexedDB,
    random: crypto,
    storage: localStorageOrNull(),
    locks: navigator.locks ?? null
  });
}
