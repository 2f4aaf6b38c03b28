import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  decideState,
  isAtOrUnder,
  needsUpdateNotice,
  readShippedDefaults,
  recordAfterSave
} from '../../defaults';

const H1 = '1'.repeat(64);
const H2 = '2'.repeat(64);

describe('decideState', () => {
  it('is as shipped without a browser copy, and forgets any record', () => {
    assert.deepEqual(
      decideState({
        hasLocalCopy: false,
        sameAsShipped: false,
        shippedHash: H1,
        record: { baseHash: H1 }
      }),
      { state: 'shipped', record: null }
    );
  });

  it('is as shipped when the copy has the shipped cells, and rebases', () => {
    assert.deepEqual(
      decideState({
        hasLocalCopy: true,
        sameAsShipped: true,
        shippedHash: H2,
        record: { baseHash: H1, notifiedHash: H2 }
      }),
      { state: 'shipped', record: { baseHash: H2 } }
    );
  });

  it('is edited when the copy differs from the version it started from', () => {
    const record = { baseHash: H1 };
    assert.deepEqual(
      decideState({
        hasLocalCopy: true,
        sameAsShipped: false,
        shippedHash: H1,
        record
      }),
      { state: 'edited', record }
    );
  });

  it('is updated when a newer version shipped since the edit started', () => {
    const record = { baseHash: H1 };
    assert.deepEqual(
      decideState({
        hasLocalCopy: true,
        sameAsShipped: false,
        shippedHash: H2,
        record
      }),
      { state: 'updated', record }
    );
  });

  it('says edited, not updated, when where the edit started is unknown', () => {
    assert.deepEqual(
      decideState({
        hasLocalCopy: true,
        sameAsShipped: false,
        shippedHash: H2,
        record: null
      }),
      { state: 'edited', record: null }
    );
  });
});

describe('records and notices', () => {
  it('remembers the version shipped at the first save only', () => {
    const first = recordAfterSave(null, H1);
    assert.deepEqual(first, { baseHash: H1 });
    assert.equal(recordAfterSave(first, H2), first);
  });

  it('tells about an update once per shipped version', () => {
    assert.equal(needsUpdateNotice('updated', { baseHash: H1 }, H2), true);
    assert.equal(
      needsUpdateNotice('updated', { baseHash: H1, notifiedHash: H2 }, H2),
      false
    );
    const third = '3'.repeat(64);
    assert.equal(
      needsUpdateNotice('updated', { baseHash: H1, notifiedHash: H2 }, third),
      true
    );
    assert.equal(needsUpdateNotice('edited', { baseHash: H1 }, H1), false);
  });
});

describe('readShippedDefaults', () => {
  it('reads path to sha256 from the page settings', () => {
    const settings = JSON.stringify({
      'luml-notebooks:defaults': {
        files: { 'a.ipynb': H1, 'data/b.csv': H2 }
      }
    });
    assert.deepEqual(
      [...readShippedDefaults(settings)],
      [
        ['a.ipynb', H1],
        ['data/b.csv', H2]
      ]
    );
  });

  it('leaves out bad entries and survives bad settings', () => {
    const settings = JSON.stringify({
      'luml-notebooks:defaults': {
        files: {
          'ok.ipynb': H1,
          'short.ipynb': 'abc',
          '/abs.ipynb': H1,
          '../up.ipynb': H1,
          'num.ipynb': 5
        }
      }
    });
    assert.deepEqual([...readShippedDefaults(settings).keys()], ['ok.ipynb']);
    assert.equal(readShippedDefaults('').size, 0);
    assert.equal(readShippedDefaults('{not json').size, 0);
    assert.equal(
      readShippedDefaults('{"luml-notebooks:defaults": []}').size,
      0
    );
    assert.equal(
      readShippedDefaults('{"luml-notebooks:defaults": {"files": [1]}}').size,
      0
    );
  });
});

describe('isAtOrUnder', () => {
  it('matches the path itself and paths inside a folder', () => {
    assert.ok(isAtOrUnder('data/a.csv', 'data'));
    assert.ok(isAtOrUnder('data/a.csv', 'data/'));
    assert.ok(isAtOrUnder('data/a.csv', 'data/a.csv'));
    assert.equal(isAtOrUnder('database/a.csv', 'data'), false);
  });
});
