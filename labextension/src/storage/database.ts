/**
 * Opening an instance database with the stores the drive needs, and small
 * promise wrappers over IndexedDB requests and transactions.
 */
import { CONTENTS_STORES } from './schema';

export function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Resolves when `tx` commits; rejects with the error that aborted it. */
export function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () =>
      reject(tx.error ?? new DOMException('Transaction aborted', 'AbortError'));
  });
}

function open(
  factory: IDBFactory,
  name: string,
  version?: number,
  upgrade?: (db: IDBDatabase) => void
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request =
      version === undefined ? factory.open(name) : factory.open(name, version);
    request.onupgradeneeded = () => upgrade?.(request.result);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    // another tab holds an older version open: it closes on versionchange
    // (localforage and this drive both do), then this open goes on
    request.onblocked = () => undefined;
  });
}

/**
 * Open database `name`, adding any store of `CONTENTS_STORES` it lacks (an
 * instance made before chunked storage, or a database localforage made).
 * The connection closes itself when another connection upgrades the
 * database; `onClose` then lets the owner reopen it.
 */
export async function openContentsDatabase(
  factory: IDBFactory,
  name: string,
  onClose: () => void
): Promise<IDBDatabase> {
  let db = await open(factory, name);
  const missing = CONTENTS_STORES.filter(
    store => !db.objectStoreNames.contains(store)
  );
  if (missing.length) {
    const version = db.version + 1;
    db.close();
    db = await open(factory, name, version, upgraded => {
      for (const store of CONTENTS_STORES) {
        if (!upgraded.objectStoreNames.contains(store)) {
          upgraded.createObjectStore(store);
        }
      }
    });
  }
  db.onversionchange = () => {
    db.close();
    onClose();
  };
  db.onclose = () => onClose();
  return db;
}
