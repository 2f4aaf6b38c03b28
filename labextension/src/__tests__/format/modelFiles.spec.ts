import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isModelPath, MODEL_EXTENSIONS } from '../../format/modelFiles';

describe('isModelPath', () => {
  it('matches the four extensions in any case and folder', () => {
    assert.deepEqual(
      [...MODEL_EXTENSIONS],
      ['.luml', '.dfs', '.fnnx', '.pyfnx']
    );
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
  });

  it('refuses other names, and an extension with nothing before it', () => {
    for (const p of [
      'a.luml.txt',
      'luml',
      '.luml',
      'a.tar',
      'dir/.dfs',
      'notes.ipynb'
    ]) {
      assert.equal(isModelPath(p), false, p);
    }
  });
});
