/**
 * The browser's localStorage, for the small records the product keeps per
 * site (the last instance, backup times, Registry keys, the page theme).
 */

/** What the product uses of Web Storage; tests pass a Map-backed fake. */
export type WebStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/**
 * localStorage, or null where the browser blocks it (some privacy settings
 * make reading `window.localStorage` throw).
 */
export function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
