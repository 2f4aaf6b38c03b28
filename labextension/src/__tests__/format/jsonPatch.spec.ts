import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { applyJsonPatch, JsonPatchError, JsonValue } from '../../format';

describe('applyJsonPatch', () => {
  const doc: JsonValue = {
    a: 1,
    list: [1, 2, 3],
    nested: { 'x/y': 1, 't~': 2 }
  };

  it('adds, replaces and removes members and array items', () => {
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/b', value: { c: true } },
      { op: 'replace', path: '/a', value: 'one' },
      { op: 'add', path: '/list/1', value: 9 },
      { op: 'add', path: '/list/-', value: 4 },
      { op: 'remove', path: '/list/0' },
      { op: 'replace', path: '/list/0', value: 8 },
      { op: 'add', path: '/nested/new', value: null }
    ]);
    assert.deepEqual(out, {
      a: 'one',
      b: { c: true },
      list: [8, 2, 3, 4],
      nested: { 'x/y': 1, 't~': 2, new: null }
    });
  });

  it('leaves the input untouched', () => {
    const before = JSON.stringify(doc);
    applyJsonPatch(doc, [{ op: 'add', path: '/list/-', value: 1 }]);
    assert.equal(JSON.stringify(doc), before);
  });

  it('decodes ~1 and ~0 in pointers', () => {
    const out = applyJsonPatch(doc, [
      { op: 'replace', path: '/nested/x~1y', value: 10 },
      { op: 'remove', path: '/nested/t~0' }
    ]);
    assert.deepEqual((out as any).nested, { 'x/y': 10 });
  });

  it('replaces the whole document with an empty path', () => {
    assert.deepEqual(
      applyJsonPatch(doc, [{ op: 'replace', path: '', value: [1] }]),
      [1]
    );
  });

  it('adds to an array position equal to its length', () => {
    assert.deepEqual(
      applyJsonPatch([1], [{ op: 'add', path: '/1', value: 2 }]),
      [1, 2]
    );
  });

  it('rejects what it cannot apply', () => {
    const bad: [unknown, RegExp][] = [
      [{ op: 'add' }, /must be an array of operations/],
      [[{ op: 'move', path: '/a', from: '/b' }], /unsupported op "move"/],
      [[{ op: 'replace', path: '/missing', value: 1 }], /no member "missing"/],
      [[{ op: 'remove', path: '/missing' }], /no member "missing"/],
      [[{ op: 'add', path: '/no/parent', value: 1 }], /segment "no" not found/],
      [[{ op: 'add', path: 'a', value: 1 }], /must start with/],
      [[{ op: 'add', path: '/list/7', value: 1 }], /out of range/],
      [[{ op: 'add', path: '/list/01', value: 1 }], /not an array index/],
      [[{ op: 'add', path: '/a/b', value: 1 }], /not an object or array/],
      [[{ op: 'add', path: '/a' }], /has no "value"/],
      [[{ path: '/a' }], /needs string "op" and "path"/],
      [[{ op: 'remove', path: '' }], /whole document/]
    ];
    for (const [patch, message] of bad) {
      assert.throws(
        () => applyJsonPatch(doc, patch),
        (e: unknown) => {
          assert.ok(e instanceof JsonPatchError);
          assert.match(e.message, message);
          return true;
        }
      );
    }
  });

  it('keeps "__proto__" as a plain key', () => {
    const out = applyJsonPatch({}, [
      { op: 'add', path: '/__proto__', value: { polluted: true } }
    ]);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(({} as any).polluted, undefined);
    assert.deepEqual(Object.keys(out as object), ['__proto__']);
  });
});
