import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { beforeEach, describe, it } from 'node:test';

import { IDBFactory } from 'fake-indexeddb';

import { MemoryStorage } from '../common/memoryStorage';
import { databaseName } from '../../instances/ids';
import {
  INFO_KEY,
  InstanceError,
  InstanceStore,
  LAST_INSTANCE_KEY,
  INSTANCE_STORES,
  META_STORE,
  lastBackupKey,
  missingStores
} from '../../instances/instanceStore';

function openRaw(
  idb: IDBFactory,
  name: string,
  version?: number
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = version ? idb.open(name, version) : idb.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function names(idb: IDBFactory): Promise<string[]> {
  return (await idb.databases()).map(db => db.name ?? '').sort();
}

async function readInfo(idb: IDBFactory, id: string): Promise<unknown> {
  const db = await openRaw(idb, databaseName(id));
  try {
    return await new Promise((resolve, reject) => {
      const get = db
        .transaction(META_STORE)
        .objectStore(META_STORE)
        .get(INFO_KEY);
      get.onsuccess = () => resolve(get.result);
      get.onerror = () => reject(get.error);
    });
  } finally {
    db.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<InstanceError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof InstanceError, String(error));
    return error;
  }
  assert.fail('expected a rejection');
}

describe('InstanceStore', () => {
  let idb: IDBFactory;
  let storage: MemoryStorage;
  let store: InstanceStore;
  let clock: number;

  beforeEach(() => {
    idb = new IDBFactory();
    storage = new MemoryStorage();
    clock = Date.parse('2026-05-01T10:00:00Z');
    store = new InstanceStore({
      indexedDB: idb,
      random: webcrypto as never,
      storage,
      now: () => new Date((clock += 1000))
    });
  });

  it('creates one jl_<id> database with the platform meta record', async () => {
    const made = await store.create('  Churn   models ');
    assert.equal(made.fullname, 'Churn models');
    assert.deepEqual(await names(idb), [databaseName(made.id)]);
    assert.deepEqual(await readInfo(idb, made.id), {
      createdAt: '2026-05-01T10:00:01.000Z',
      fullname: 'Churn models'
    });
    const db = await openRaw(idb, databaseName(made.id));
    assert.deepEqual(Array.from(db.objectStoreNames).sort(), [
      'checkpoints',
      'chunks',
      'counters',
      'files',
      'local-forage-detect-blob-support',
      'luml-defaults',
      'meta',
      'settings',
      'statedb'
    ]);
    assert.equal(db.version, 1);
    db.close();
  });

  it('lists instances oldest first and ignores other databases', async () => {
    const a = await store.create('A');
    const b = await store.create('B');
    (await openRaw(idb, 'JupyterLite Storage - /')).close();
    const listed = await store.list();
    assert.deepEqual(
      listed.map(info => [info.id, info.fullname]),
      [
        [a.id, 'A'],
        [b.id, 'B']
      ]
    );
    assert.ok(listed[0].createdAt! < listed[1].createdAt!);
  });

  it('never creates a database when looking up a missing instance', async () => {
    assert.equal(await store.get('nope'), null);
    assert.equal(await store.exists('nope'), false);
    await rejection(store.stats('nope'));
    assert.deepEqual(await names(idb), []);
  });

  it('refuses bad and duplicate names with clear messages', async () => {
    await store.create('Default');
    assert.match(
      (await rejection(store.create('   '))).message,
      /Give the instance a name/
    );
    const dup = await rejection(store.create('DEFAULT'));
    assert.equal(dup.reason, 'name');
    assert.match(dup.message, /“Default” already exists/);
    assert.equal((await store.list()).length, 1);
  });

  it('renames, keeping createdAt and fields it does not know', async () => {
    const made = await store.create('Old');
    const other = await store.create('Other');
    const db = await openRaw(idb, databaseName(made.id));
    await new Promise(resolve => {
      const tx = db.transaction(META_STORE, 'readwrite');
      tx.objectStore(META_STORE).put(
        {
          createdAt: '2026-01-01T00:00:00.000Z',
          fullname: 'Old',
          owner: 'platform'
        },
        INFO_KEY
      );
      tx.oncomplete = resolve;
    });
    db.close();
    await store.rename(made.id, 'Новое имя <b>');
    assert.deepEqual(await readInfo(idb, made.id), {
      createdAt: '2026-01-01T00:00:00.000Z',
      fullname: 'Новое имя <b>',
      owner: 'platform'
    });
    assert.match(
      (await rejection(store.rename(made.id, 'other'))).message,
      /already exists/
    );
    // renaming to its own name in another case is fine
    await store.rename(other.id, 'OTHER');
    assert.equal((await store.get(other.id))?.fullname, 'OTHER');
    assert.equal(
      (await rejection(store.rename('gone', 'x'))).reason,
      'not-found'
    );
  });

  it('adopts a jl_ database without meta, adding meta on rename', async () => {
    const db = await openRaw(idb, 'jl_platform-made', 3);
    db.close();
    const [found] = await store.list();
    assert.deepEqual(found, {
      id: 'platform-made',
      fullname: '',
      createdAt: null
    });
    await store.rename('platform-made', 'Adopted');
    const info = (await readInfo(idb, 'platform-made')) as Record<
      string,
      string
    >;
    assert.equal(info.fullname, 'Adopted');
    assert.ok(!Number.isNaN(Date.parse(info.createdAt)));
  });

  it('adds the stores an older instance lacks in one upgrade, keeping its data', async () => {
    // as an older version made it: without the defaults records store
    const old = await openRaw(idb, 'jl_older', 1);
    old.close();
    await new Promise<void>((resolve, reject) => {
      const request = idb.open('jl_older', 2);
      request.onupgradeneeded = () => {
        request.result.createObjectStore('files').put({ name: 'a' }, 'a.py');
      };
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
      request.onerror = () => reject(request.error);
    });
    await store.addMissingStores('older');
    let db = await openRaw(idb, 'jl_older');
    assert.deepEqual(
      Array.from(db.objectStoreNames).sort(),
      [...INSTANCE_STORES].sort()
    );
    assert.equal(db.version, 3);
    const file = await new Promise((resolve, reject) => {
      const get = db.transaction('files').objectStore('files').get('a.py');
      get.onsuccess = () => resolve(get.result);
      get.onerror = () => reject(get.error);
    });
    assert.deepEqual(file, { name: 'a' });
    db.close();

    // complete: no upgrade at all
    await store.addMissingStores('older');
    db = await openRaw(idb, 'jl_older');
    assert.equal(db.version, 3);
    db.close();
    // a new instance has every store from the start
    const made = await store.create('New');
    await store.addMissingStores(made.id);
    db = await openRaw(idb, databaseName(made.id));
    assert.equal(db.version, 1);
    db.close();
  });

  it('never creates a database when adding stores to a missing instance', async () => {
    const error = await rejection(store.addMissingStores('nowhere'));
    assert.equal(error.reason, 'not-found');
    assert.deepEqual(await names(idb), []);
  });

  it('names the stores a database lacks', () => {
    assert.deepEqual(missingStores(INSTANCE_STORES), []);
    assert.deepEqual(
      missingStores(INSTANCE_STORES.filter(name => name !== 'luml-defaults')),
      ['luml-defaults']
    );
    assert.deepEqual(missingStores(['meta']), [...INSTANCE_STORES]);
  });

  it('deletes every database of the instance and forgets its keys', async () => {
    const keep = await store.create('Keep');
    const gone = await store.create('Gone');
    store.lastUsed = gone.id;
    storage.setItem(lastBackupKey(gone.id), '2026-05-01T00:00:00Z');
    storage.setItem(lastBackupKey(keep.id), '2026-04-01T00:00:00Z');
    await store.delete(gone.id);
    assert.deepEqual(await names(idb), [databaseName(keep.id)]);
    assert.equal(storage.getItem(LAST_INSTANCE_KEY), null);
    assert.equal(storage.getItem(lastBackupKey(gone.id)), null);
    assert.equal(
      store.lastBackup(keep.id)?.toISOString(),
      '2026-04-01T00:00:00.000Z'
    );
  });

  it('deletes while another connection is open once it closes', async () => {
    const made = await store.create('Busy');
    const held = await openRaw(idb, databaseName(made.id));
    let blocked = false;
    held.onversionchange = () => {
      setTimeout(() => held.close(), 20);
    };
    await store.delete(made.id, () => (blocked = true));
    assert.deepEqual(await names(idb), []);
    assert.equal(typeof blocked, 'boolean');
  });

  it('sums size, models and last change from files and checkpoints', async () => {
    const made = await store.create('Stats');
    const db = await openRaw(idb, databaseName(made.id));
    await new Promise(resolve => {
      const tx = db.transaction(['files', 'checkpoints'], 'readwrite');
      const files = tx.objectStore('files');
      files.put(
        {
          name: 'm.luml',
          type: 'file',
          size: 1000,
          last_modified: '2026-05-02T00:00:00Z'
        },
        'm.luml'
      );
      files.put(
        {
          name: 'n.ipynb',
          type: 'notebook',
          size: 300,
          last_modified: '2026-05-03T00:00:00Z'
        },
        'n.ipynb'
      );
      files.put({ name: 'd', type: 'directory', size: 0 }, 'd');
      tx.objectStore('checkpoints').put([{ size: 200 }], 'n.ipynb');
      tx.oncomplete = resolve;
    });
    db.close();
    const stats = await store.stats(made.id);
    assert.equal(stats.bytes, 1500);
    assert.equal(stats.models, 1);
    assert.equal(stats.files, 3);
    assert.equal(stats.lastModified?.toISOString(), '2026-05-03T00:00:00.000Z');
  });

  it('reads backup times written as ISO text or epoch milliseconds', () => {
    storage.setItem(lastBackupKey('a'), '1767225600000');
    assert.equal(
      store.lastBackup('a')?.toISOString(),
      '2026-01-01T00:00:00.000Z'
    );
    storage.setItem(lastBackupKey('b'), 'garbage');
    assert.equal(store.lastBackup('b'), null);
    assert.equal(store.lastBackup('c'), null);
  });

  it('serializes changes through the lock manager', async () => {
    const held: string[] = [];
    const locked = new InstanceStore({
      indexedDB: idb,
      random: webcrypto as never,
      locks: {
        request: async (name, callback) => {
          held.push(name);
          return callback();
        }
      }
    });
    const made = await locked.create('Locked');
    await locked.rename(made.id, 'Locked 2');
    await locked.delete(made.id);
    assert.deepEqual(held, [
      'luml-notebooks:instances',
      'luml-notebooks:instances',
      'luml-notebooks:instances'
    ]);
  });
});
