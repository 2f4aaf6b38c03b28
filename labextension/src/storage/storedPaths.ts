/**
 * The paths JupyterLite keeps in browser storage, read from the IndexedDB
 * keys alone. Listing a folder through the contents API makes the browser
 * drive read every stored file, content included, once per folder; the keys
 * name the same files in one cheap pass. No JupyterLab imports.
 */

/**
 * Every key of the drive's `files` store (a path per file and folder), or
 * null when there is no such database or store (nothing is created).
 */
export async function readStoragePaths(
  databaseName: string,
  storeName = 'files',
  factory: IDBFactory | undefined = globalThis.indexedDB
): Promise<string[] | null> {
  if (!factory || typeof factory.databases !== 'function') {
    return null;
  }
  // opening a database that does not exist would create it: look first
  const known = await factory.databases();
  if (!known.some(d => d.name === databaseName)) {
    return null;
  }
  const db = await requestResult(factory.open(databaseName));
  // the drive may upgrade the database to add stores: never stand in its way
  db.onversionchange = () => db.close();
  try {
    if (!db.objectStoreNames.contains(storeName)) {
      return null;
    }
    const keys = await requestResult(
      db.transaction(storeName, 'readonly').objectStore(storeName).getAllKeys()
    );
    return keys.filter((k): k is string => typeof k === 'string');
  } finally {
    db.close();
  }
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}
