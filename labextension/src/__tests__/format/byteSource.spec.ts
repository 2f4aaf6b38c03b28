import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Base64ByteSource, BytesByteSource } from '../../format';
import { pseudoRandomBytes } from './tarBuilder';

describe('Base64ByteSource', () => {
  it('decodes every range at every alignment, for every padding length', () => {
    for (let n = 0; n <= 40; n++) {
      const bytes = pseudoRandomBytes(n, n + 1);
      const b64 = Buffer.from(bytes).toString('base64');
      const src = new Base64ByteSource(b64);
      assert.equal(src.size, n, `size of ${n} bytes`);
      for (let offset = 0; offset <= n + 2; offset++) {
        for (let length = 0; length <= n + 3 - offset; length++) {
          const want = Buffer.from(b64, 'base64').subarray(
            offset,
            offset + length
          );
          assert.deepEqual(
            Buffer.from(src.read(offset, length)),
            want,
            `n=${n} offset=${offset} length=${length}`
          );
        }
      }
    }
  });

  it('matches Buffer on a larger buffer at random ranges', () => {
    const bytes = pseudoRandomBytes(100_003, 7);
    const b64 = Buffer.from(bytes).toString('base64');
    const src = new Base64ByteSource(b64);
    let x = 99;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1664525 + 1013904223) >>> 0;
      const offset = x % bytes.length;
      const length = (x >>> 7) % 3000;
      assert.deepEqual(
        Buffer.from(src.read(offset, length)),
        Buffer.from(bytes.subarray(offset, offset + length))
      );
    }
  });

  it('accepts base64 without padding, wrapped at 76 columns, and base64url', () => {
    const bytes = pseudoRandomBytes(1000, 3);
    const b64 = Buffer.from(bytes).toString('base64');
    const variants = [
      b64.replace(/=+$/, ''),
      b64.replace(/.{76}/g, '$&\n'),
      b64.replace(/.{76}/g, '$&\r\n'),
      Buffer.from(bytes).toString('base64url')
    ];
    for (const v of variants) {
      const src = new Base64ByteSource(v);
      assert.equal(src.size, 1000);
      assert.deepEqual(Buffer.from(src.read(0, 1000)), Buffer.from(bytes));
      assert.deepEqual(
        Buffer.from(src.read(511, 77)),
        Buffer.from(bytes.subarray(511, 588))
      );
    }
  });

  it('accepts a wrapped string that ends with a newline, and a bare trailing newline', () => {
    const bytes = pseudoRandomBytes(5000, 5);
    const b64 = Buffer.from(bytes).toString('base64');
    for (const v of [`${b64.replace(/.{76}/g, '$&\n')}\n`, `${b64}\n`]) {
      const src = new Base64ByteSource(v);
      assert.equal(src.size, 5000);
      assert.deepEqual(
        Buffer.from(src.read(4000, 1000)),
        Buffer.from(bytes.subarray(4000))
      );
    }
  });

  it('looks for wrapping only at the ends, not through the whole string', () => {
    // so construction does not grow with the file (bench/discovery.py
    // prints the figures); stray whitespace deep inside fails on read
    const bytes = pseudoRandomBytes(6000, 9);
    const b64 = Buffer.from(bytes).toString('base64');
    const stray = `${b64.slice(0, 4000)} ${b64.slice(4000)}`;
    const src = new Base64ByteSource(stray);
    assert.deepEqual(
      Buffer.from(src.read(0, 2000)),
      Buffer.from(bytes.subarray(0, 2000))
    );
    assert.throws(() => src.read(2900, 200), /invalid base64 character " "/);
  });

  it('clamps ranges outside the data', () => {
    const src = new Base64ByteSource(
      Buffer.from('hello world').toString('base64')
    );
    assert.equal(src.read(-5, 3).length, 3);
    assert.equal(Buffer.from(src.read(6, 100)).toString(), 'world');
    assert.equal(src.read(11, 5).length, 0);
    assert.equal(src.read(50, 5).length, 0);
    assert.equal(src.read(3, -1).length, 0);
  });

  it('is empty for an empty string', () => {
    const src = new Base64ByteSource('');
    assert.equal(src.size, 0);
    assert.equal(src.read(0, 10).length, 0);
  });

  it('throws on read of an invalid character, not on construction', () => {
    const src = new Base64ByteSource('QUJD*EVG');
    assert.equal(src.size, 6);
    assert.deepEqual(Buffer.from(src.read(0, 3)).toString(), 'ABC');
    assert.throws(
      () => src.read(3, 1),
      /invalid base64 character "\*" at position 4/
    );
  });

  it('rejects "=" in the middle', () => {
    const src = new Base64ByteSource('QQ==QUJD');
    assert.throws(() => src.read(0, 6), /invalid base64 character "="/);
  });
});

describe('BytesByteSource', () => {
  it('returns views clipped to the data', () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    const src = new BytesByteSource(bytes);
    assert.equal(src.size, 5);
    assert.deepEqual([...src.read(1, 2)], [2, 3]);
    assert.deepEqual([...src.read(3, 10)], [4, 5]);
    assert.equal(src.read(9, 1).length, 0);
    assert.equal(src.read(1, 2).buffer, bytes.buffer);
  });
});
