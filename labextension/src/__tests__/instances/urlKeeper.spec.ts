import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { keepInstance } from '../../instances/urlKeeper';

const HERE = 'http://127.0.0.1:8000/site/lab/index.html?instance=abc';

describe('keepInstance', () => {
  it('adds the instance to the URLs the router moves to', () => {
    assert.equal(
      keepInstance('/site/lab/workspaces/w', HERE, 'abc'),
      'http://127.0.0.1:8000/site/lab/workspaces/w?instance=abc'
    );
    assert.equal(
      keepInstance('tree/a%20b.ipynb?reset', HERE, 'abc'),
      'http://127.0.0.1:8000/site/lab/tree/a%20b.ipynb?reset=&instance=abc'
    );
  });

  it('leaves other origins and named instances alone', () => {
    assert.equal(
      keepInstance('https://example.org/x', HERE, 'abc'),
      'https://example.org/x'
    );
    const named = '/site/lab/index.html?instance=other';
    assert.equal(keepInstance(named, HERE, 'abc'), named);
  });
});
