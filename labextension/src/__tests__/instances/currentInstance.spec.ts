import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';

import { IDBFactory } from 'fake-indexeddb';

import { CurrentInstance, UNNAMED } from '../../instances/currentInstance';
import { InstanceChannel } from '../../instances/channel';
import { InstanceStore } from '../../instances/instanceStore';

function waitFor(check: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (check()) {
        resolve();
      } else if (Date.now() - started > 2000) {
        reject(new Error('timed out'));
      } else {
        setTimeout(poll, 5);
      }
    };
    poll();
  });
}

describe('CurrentInstance', () => {
  it('follows renames and deletion announced by other tabs', async () => {
    const store = new InstanceStore({
      indexedDB: new IDBFactory(),
      random: webcrypto as never
    });
    const made = await store.create('Tab');
    const mine = new InstanceChannel();
    const theirs = new InstanceChannel();
    const current = new CurrentInstance(made.id, made.fullname, store, mine);
    let changes = 0;
    current.changed.connect(() => changes++);

    theirs.post({ type: 'renamed', id: 'someone-else', fullname: 'X' });
    theirs.post({ type: 'renamed', id: made.id, fullname: 'Renamed <b>' });
    await waitFor(() => current.name === 'Renamed <b>');
    assert.equal(changes, 1);

    theirs.post({ type: 'deleting', id: made.id });
    await waitFor(() => current.deleted);
    assert.equal(changes, 2);
    current.markDeleted();
    assert.equal(changes, 2, 'told once');
    current.dispose();
    mine.close();
    theirs.close();
  });

  it('renames through the store and tells the other tabs', async () => {
    const store = new InstanceStore({
      indexedDB: new IDBFactory(),
      random: webcrypto as never
    });
    const made = await store.create('Made');
    const other = await store.create('Other');
    const mine = new InstanceChannel();
    const theirs = new InstanceChannel();
    const heard: unknown[] = [];
    theirs.listen(news => heard.push(news));
    const current = new CurrentInstance(made.id, '', store, mine);
    assert.equal(current.name, UNNAMED);
    assert.deepEqual(await current.otherNames(), [other.fullname]);
    await assert.rejects(current.rename('OTHER'), /already exists/);
    await current.rename('Mine');
    assert.equal(current.name, 'Mine');
    await waitFor(() => heard.length === 1);
    assert.deepEqual(heard, [
      { type: 'renamed', id: made.id, fullname: 'Mine' }
    ]);

    assert.equal(await current.check(), true);
    await store.delete(made.id);
    assert.equal(await current.check(), false);
    assert.equal(current.deleted, true);
    current.dispose();
    mine.close();
    theirs.close();
  });
});
