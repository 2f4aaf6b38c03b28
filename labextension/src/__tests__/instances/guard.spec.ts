import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';

import { IDBFactory } from 'fake-indexeddb';

import { databaseName } from '../../instances/ids';
import { guardInstanceDatabase } from '../../instances/guard';
import { InstanceStore } from '../../instances/instanceStore';

/** Open a database the way localforage does: create its store on upgrade. */
function openLikeLocalforage(
  idb: IDBFactory,
  name: string
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = idb.open(name);
    request.onupgradeneeded = () => request.result.createObjectStore('files');
    request.onsuccess = () => resolve(request.result);
    request.onerror = event => {
      event.preventDefault();
      reject(request.error);
    };
  });
}

describe('guardInstanceDatabase', () => {
  it('lets the existing instance database open as usual', async () => {
    const idb = new IDBFactory();
    const store = new InstanceStore({
      indexedDB: idb,
      random: webcrypto as never
    });
    const made = await store.create('Open');
    let missing = 0;
    guardInstanceDatabase(idb, databaseName(made.id), () => missing++);
    (await openLikeLocalforage(idb, databaseName(made.id))).close();
    assert.equal(missing, 0);
  });

  it('refuses to re-create a deleted instance database', async () => {
    const idb = new IDBFactory();
    const store = new InstanceStore({
      indexedDB: idb,
      random: webcrypto as never
    });
    const made = await store.create('Deleted');
    let missing = 0;
    const release = guardInstanceDatabase(
      idb,
      databaseName(made.id),
      () => missing++
    );
    await store.delete(made.id);
    await assert.rejects(openLikeLocalforage(idb, databaseName(made.id)), {
      name: 'AbortError'
    });
    assert.equal(missing, 1);
    assert.deepEqual(await idb.databases(), []);
    // the store still answers "absent" through the guard
    assert.equal(await store.get(made.id), null);
    assert.equal(missing, 2);
    // other databases are not guarded
    (await openLikeLocalforage(idb, 'other')).close();
    release();
    (await openLikeLocalforage(idb, databaseName(made.id))).close();
    assert.equal(missing, 2);
  });
});
