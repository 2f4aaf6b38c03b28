import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';

import { IDBFactory } from 'fake-indexeddb';

import { DEFAULT_INSTANCE_NAME, resolveBootTarget } from '../../instances/boot';
import { InstanceStore } from '../../instances/instanceStore';
import { MemoryStorage } from '../common/memoryStorage';

function newStore(): InstanceStore {
  return new InstanceStore({
    indexedDB: new IDBFactory(),
    random: webcrypto as never,
    storage: new MemoryStorage()
  });
}

describe('resolveBootTarget', () => {
  it('creates the default instance only when there is none', async () => {
    const store = newStore();
    const first = await resolveBootTarget(store, '');
    assert.equal(first.kind, 'open');
    assert.equal(
      first.kind === 'open' && first.instance.fullname,
      DEFAULT_INSTANCE_NAME
    );
    assert.equal(first.kind === 'open' && first.named, false);
    const again = await resolveBootTarget(store, '?path=a.ipynb');
    assert.equal(
      again.kind === 'open' && again.instance.id,
      first.kind === 'open' && first.instance.id
    );
    assert.equal((await store.list()).length, 1);
  });

  it("prefers the tab's own instance over the last used one", async () => {
    const store = newStore();
    const mine = await store.create('Mine');
    const other = await store.create('Other');
    store.lastUsed = other.id;
    const target = await resolveBootTarget(store, '?workspace=w', mine.id);
    assert.equal(target.kind === 'open' && target.instance.id, mine.id);
    assert.equal(target.kind === 'open' && target.named, false);
    // a tab whose instance was deleted falls back to the last used one
    await store.delete(mine.id);
    const fallback = await resolveBootTarget(store, '', mine.id);
    assert.equal(fallback.kind === 'open' && fallback.instance.id, other.id);
  });

  it('opens the last used instance when the URL names none', async () => {
    const store = newStore();
    await store.create('First');
    const second = await store.create('Second');
    store.lastUsed = second.id;
    const target = await resolveBootTarget(store, '');
    assert.equal(target.kind === 'open' && target.instance.id, second.id);
    // a forgotten last instance falls back to the oldest
    store.lastUsed = 'deleted-one';
    const fallback = await resolveBootTarget(store, '');
    assert.equal(
      fallback.kind === 'open' && fallback.instance.fullname,
      'First'
    );
  });

  it('opens a named instance and never creates an unknown one', async () => {
    const store = newStore();
    const made = await store.create('Named');
    const target = await resolveBootTarget(
      store,
      `?instance=${made.id}&path=x`
    );
    assert.deepEqual(target, { kind: 'open', instance: made, named: true });
    assert.deepEqual(await resolveBootTarget(store, '?instance=0000-typo'), {
      kind: 'unknown',
      id: '0000-typo'
    });
    assert.deepEqual(await resolveBootTarget(store, '?instance=%3Cscript%3E'), {
      kind: 'invalid',
      raw: '<script>'
    });
    assert.equal((await store.list()).length, 1);
  });
});
