import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { normalizePath } from '../../discovery/listing';

describe('normalizePath', () => {
  it('drops leading and trailing slashes only', () => {
    assert.equal(normalizePath('/a/b.luml'), 'a/b.luml');
    assert.equal(normalizePath('//a/b/'), 'a/b');
    assert.equal(normalizePath('a//b'), 'a//b');
    assert.equal(normalizePath('/'), '');
  });
});
