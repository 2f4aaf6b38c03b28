import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { notebookOfLink } from '../../kernel/earlyStart';

describe('notebookOfLink', () => {
  it('names the notebook a link opens, and nothing else', () => {
    assert.equal(notebookOfLink('?path=a/b.ipynb'), 'a/b.ipynb');
    assert.equal(notebookOfLink('?path=data.csv'), null);
    assert.equal(notebookOfLink(''), null);
  });
});
