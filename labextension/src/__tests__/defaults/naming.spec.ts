import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { myEditsPath } from '../../defaults';

describe('myEditsPath', () => {
  const none = () => false;

  it('adds -my-edits before the extension, in the same folder', () => {
    assert.equal(
      myEditsPath('Getting started.ipynb', none),
      'Getting started-my-edits.ipynb'
    );
    assert.equal(
      myEditsPath('data/readings.csv', none),
      'data/readings-my-edits.csv'
    );
    assert.equal(myEditsPath('a/b/c.tar.gz', none), 'a/b/c.tar-my-edits.gz');
  });

  it('handles names without an extension', () => {
    assert.equal(myEditsPath('README', none), 'README-my-edits');
    assert.equal(myEditsPath('dir/.env', none), 'dir/.env-my-edits');
  });

  it('numbers the name when it is taken', () => {
    const taken = new Set([
      'Build a model-my-edits.ipynb',
      'Build a model-my-edits-2.ipynb'
    ]);
    assert.equal(
      myEditsPath('Build a model.ipynb', p => taken.has(p)),
      'Build a model-my-edits-3.ipynb'
    );
  });

  it('only looks at the same folder', () => {
    const taken = new Set(['x-my-edits.ipynb']);
    assert.equal(
      myEditsPath('sub/x.ipynb', p => taken.has(p)),
      'sub/x-my-edits.ipynb'
    );
  });
});
