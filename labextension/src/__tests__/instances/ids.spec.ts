import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';

import {
  databaseName,
  instanceIdOf,
  instanceLink,
  isInstanceId,
  newInstanceId,
  storageNames,
  withInstanceParam
} from '../../instances/ids';

const UUID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('instance ids', () => {
  it('makes v4 UUIDs with or without randomUUID', () => {
    assert.match(newInstanceId(webcrypto as never), UUID);
    const noUuid = {
      getRandomValues: (array: Uint8Array) => webcrypto.getRandomValues(array)
    };
    const ids = new Set(
      Array.from({ length: 50 }, () => newInstanceId(noUuid))
    );
    assert.equal(ids.size, 50);
    for (const id of ids) {
      assert.match(id, UUID);
    }
  });

  it('accepts short URL-safe ids only', () => {
    assert.equal(isInstanceId('3f0c2a9e-1b7d-4c55-9a51-0e0f4d1c2b3a'), true);
    assert.equal(isInstanceId('legacy_id-1'), true);
    for (const bad of [
      '',
      '-x',
      'a b',
      '<script>',
      'x'.repeat(129),
      'é',
      null
    ]) {
      assert.equal(isInstanceId(bad), false, String(bad));
    }
  });

  it('maps ids to one jl_ database and back', () => {
    assert.equal(databaseName('abc'), 'jl_abc');
    assert.equal(instanceIdOf('jl_abc'), 'abc');
    assert.equal(instanceIdOf('JupyterLite Storage - /'), null);
    assert.equal(instanceIdOf('jl_'), null);
    assert.deepEqual(storageNames('abc'), {
      contentsStorageName: 'jl_abc',
      settingsStorageName: 'jl_abc',
      workspacesStorageName: 'jl_abc'
    });
  });

  it('builds links that keep the rest of the URL', () => {
    assert.equal(
      instanceLink('http://h/site/', 'abc'),
      'http://h/site/lab/index.html?instance=abc'
    );
    assert.equal(
      withInstanceParam('http://h/lab/index.html?path=a%20b.ipynb#x', 'i'),
      'http://h/lab/index.html?path=a+b.ipynb&instance=i#x'
    );
  });
});
