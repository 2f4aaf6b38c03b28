import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isModelPath, normalizePath } from '../../discovery/modelFiles';

describe('isModelPath', () => {
  it('matches the four extensions in any case and folder', () => {
    for (const p of [
      'a.luml',
      'x/B.LUML',
      'deep/er/c.dfs',
      'd.FnNx',
      'e.pyfnx',
      '.hidden.luml'
    ]) {
      assert.equal(isModelPath(p), true, p);
    }
    for (const p of ['a.luml.txt', 'luml', '.luml', 'a.tar', 'dir/.dfs']) {
      assert.equal(isModelPath(p), false, p);
    }
  });
});

describe('normalizePath', () => {
  it('drops leading and trailing slashes only', () => {
    assert.equal(normalizePath('/a/b.luml'), 'a/b.luml');
    assert.equal(normalizePath('//a/b/'), 'a/b');
    assert.equal(normalizePath('a//b'), 'a//b');
    assert.equal(normalizePath('/'), '');
  });
});
