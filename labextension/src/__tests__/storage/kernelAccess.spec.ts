// The kernel channel's messages and reserved paths, as the page reads them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseKernelPath, parseKernelPiece } from '../../storage';

describe('the kernel channel', () => {
  it('takes a posted piece only in its exact shape', () => {
    const bytes = new Uint8Array([1, 2, 3]).buffer;
    const piece = parseKernelPiece({
      id: 'w1',
      path: '/a.bin',
      offset: 8,
      bytes
    });
    assert.deepEqual(piece, {
      id: 'w1',
      path: '/a.bin',
      offset: 8,
      bytes: new Uint8Array([1, 2, 3])
    });
    const good = { id: 'w1', path: '/a.bin', offset: 0, bytes };
    for (const bad of [
      null,
      'w1',
      { ...good, id: '' },
      { ...good, id: 'a/b' },
      { ...good, path: 3 },
      { ...good, offset: -1 },
      { ...good, offset: 1.5 },
      { ...good, bytes: new Uint8Array(3) },
      { ...good, bytes: 'AQID' }
    ]) {
      assert.equal(parseKernelPiece(bad), null, JSON.stringify(bad));
    }
  });

  it('reads the reserved paths of the channel', () => {
    assert.deepEqual(parseKernelPath('.luml-kernel/channel'), {
      kind: 'channel'
    });
    assert.deepEqual(parseKernelPath('.luml-kernel/stored/w1/42/dir/a.bin'), {
      kind: 'stored',
      id: 'w1',
      bytes: 42,
      path: 'dir/a.bin'
    });
    assert.deepEqual(
      parseKernelPath('.luml-kernel/blob/33554432/67108864/dir/a b.bin'),
      { kind: 'blob', start: 33554432, end: 67108864, path: 'dir/a b.bin' }
    );
    assert.deepEqual(parseKernelPath('.luml-kernel/range/0/8/a.bin'), {
      kind: 'range',
      start: 0,
      end: 8,
      path: 'a.bin'
    });
    assert.deepEqual(parseKernelPath('.luml-kernel/release/0f-9a'), {
      kind: 'release',
      id: '0f-9a'
    });
    for (const bad of [
      '.luml-kernel/channel/x',
      '.luml-kernel/stored/w1/x/a.bin',
      '.luml-kernel/blob/',
      '.luml-kernel/blob/a.bin',
      '.luml-kernel/blob/0/8/',
      '.luml-kernel/blob/8/0/a.bin',
      '.luml-kernel/blob/0/99999999999999999999/a.bin',
      '.luml-kernel/range/8/0/a.bin',
      '.luml-kernel/release/a/b',
      'channel'
    ]) {
      assert.equal(parseKernelPath(bad), null, bad);
    }
  });
});
