import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import {
  Base64ByteSource,
  BytesByteSource,
  createSha256,
  sha256Hex
} from '../../format';
import {
  CountingSource,
  expected,
  fixtureBase64,
  fixtureBytes,
  FIXTURES
} from './fixtures';

const nodeSha = (bytes: Uint8Array) =>
  createHash('sha256').update(bytes).digest('hex');

describe('sha256Hex', () => {
  for (const name of FIXTURES) {
    it(`${name}: equals Python's hashlib`, async () => {
      const want = expected(name).sha256;
      assert.equal(
        await sha256Hex(new Base64ByteSource(fixtureBase64(name))),
        want
      );
      assert.equal(
        await sha256Hex(new BytesByteSource(fixtureBytes(name)), {
          chunkSize: 1000
        }),
        want
      );
    });
  }

  it('hashes empty and odd-sized sources with any chunk size', async () => {
    assert.equal(
      await sha256Hex(new BytesByteSource(new Uint8Array(0))),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    );
    const bytes = new Uint8Array(10_007).map((_, i) => (i * 31) & 0xff);
    const b64 = Buffer.from(bytes).toString('base64');
    for (const chunkSize of [1, 3, 64, 1000, 4096, 10_007, 1 << 20]) {
      assert.equal(
        await sha256Hex(new Base64ByteSource(b64), { chunkSize }),
        nodeSha(bytes),
        `chunk ${chunkSize}`
      );
    }
  });

  it('streams: reads never exceed the chunk size and progress reaches the total', async () => {
    const bytes = new Uint8Array(20 * 1024 * 1024 + 5).fill(0x5a);
    const src = new CountingSource(new BytesByteSource(bytes));
    const progress: number[] = [];
    const hex = await sha256Hex(src, {
      chunkSize: 1024 * 1024,
      onProgress: done => progress.push(done)
    });
    assert.equal(hex, nodeSha(bytes));
    assert.equal(src.maxRead, 1024 * 1024);
    assert.equal(src.bytesRead, bytes.length);
    assert.equal(progress[progress.length - 1], bytes.length);
    assert.equal(progress.length, 21);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const src = new BytesByteSource(new Uint8Array(10_000));
    await assert.rejects(
      sha256Hex(src, {
        chunkSize: 1000,
        signal: controller.signal,
        onProgress: () => controller.abort()
      }),
      /aborted/
    );
  });

  it('fails on a source that returns nothing', async () => {
    await assert.rejects(
      sha256Hex({ size: 10, read: () => new Uint8Array(0) }),
      /could not read the file at byte 0/
    );
  });
});

describe('createSha256', () => {
  it('gives interleaved hashers their own state, reused or new', async () => {
    const a = Buffer.from('first file');
    const b = Buffer.from('second, longer file');
    for (let round = 0; round < 3; round++) {
      const one = await createSha256();
      const two = await createSha256();
      one.update(a.subarray(0, 3));
      two.update(b);
      one.update(a.subarray(3));
      assert.equal(one.hex(), nodeSha(a));
      assert.equal(two.hex(), nodeSha(b));
    }
  });

  it('refuses use after its digest was read', async () => {
    const hasher = await createSha256();
    hasher.update(Buffer.from('x'));
    hasher.hex();
    // a reused hasher must never take bytes from an ended one
    assert.throws(() => hasher.update(Buffer.from('y')), /already read/);
    assert.throws(() => hasher.hex(), /already read/);
    const next = await createSha256();
    assert.equal(next.hex(), nodeSha(new Uint8Array(0)));
  });
});
