/**
 * Keeps a JupyterLab tab from silently re-creating its instance database.
 *
 * When an instance is deleted while a tab still shows it, the tab's storage
 * library (localforage) reconnects on its next read or write, and opening a
 * missing IndexedDB database creates it: the deleted instance would come back
 * empty, without its `meta` record. The instance database always exists
 * before JupyterLab starts, so inside the tab any creation of it means it was
 * deleted: the creation is aborted (the read or write fails) and `onMissing`
 * tells the user.
 */
export function guardInstanceDatabase(
  idb: IDBFactory,
  database: string,
  onMissing: () => void
): () => void {
  const open = idb.open;
  const guarded = function (
    this: IDBFactory,
    name: string,
    version?: number
  ): IDBOpenDBRequest {
    const request =
      version === undefined
        ? open.call(this, name)
        : open.call(this, name, version);
    if (name === database) {
      request.addEventListener('upgradeneeded', event => {
        if ((event as IDBVersionChangeEvent).oldVersion === 0) {
          // before the opener's own handler, which would create stores
          event.stopImmediatePropagation();
          request.transaction?.abort();
          onMissing();
        }
      });
    }
    return request;
  };
  Object.defineProperty(idb, 'open', {
    value: guarded,
    configurable: true,
    writable: true
  });
  return () => {
    delete (idb as { open?: unknown }).open;
    if (idb.open !== open) {
      Object.defineProperty(idb, 'open', {
        value: open,
        configurable: true,
        writable: true
      });
    }
  };
}

/** The window event a JupyterLab tab gets when its instance database is gone. */
export const MISSING_EVENT = 'luml-notebooks:instance-missing';
