// JupyterLite stores contents with localforage 1.10 (the same version as here):
// check that it works in an instance database made by InstanceStore and
// leaves the platform's meta record alone.
import 'fake-indexeddb/auto';

import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';

import localforage from 'localforage';

import { databaseName } from '../../instances/ids';
import { InstanceStore } from '../../instances/instanceStore';

describe('an instance database under localforage', () => {
  it('takes JupyterLite stores without upgrades and keeps meta', async () => {
    const store = new InstanceStore({ indexedDB, random: webcrypto as never });
    const made = await store.create('Forage');
    const name = databaseName(made.id);
    // the options JupyterLite's drive, settings and workspaces use
    const files = localforage.createInstance({
      name,
      storeName: 'files',
      version: 1
    });
    const settings = localforage.createInstance({
      name,
      storeName: 'settings',
      version: 1
    });
    const statedb = localforage.createInstance({
      name,
      storeName: 'statedb',
      version: 1
    });
    await files.setItem('a.ipynb', {
      name: 'a.ipynb',
      type: 'notebook',
      size: 3
    });
    await settings.setItem('plugin', '{}');
    await statedb.setItem('workspace', { data: {} });
    assert.deepEqual(await files.keys(), ['a.ipynb']);

    const databases = await indexedDB.databases();
    assert.deepEqual(databases, [{ name, version: 1 }]);
    assert.deepEqual(await store.get(made.id), made);

    await store.rename(made.id, 'Renamed');
    // localforage's connection survives our write, and a new store still works
    assert.equal(await settings.getItem('plugin'), '{}');
    const extra = localforage.createInstance({
      name,
      storeName: 'extra',
      version: 1
    });
    await extra.setItem('k', 'v');
    assert.equal((await store.get(made.id))?.fullname, 'Renamed');
    assert.equal((await store.stats(made.id)).files, 1);

    // deleting while localforage holds connections: they close on request
    await store.delete(made.id);
    assert.deepEqual(await indexedDB.databases(), []);
  });
});
