import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { BlobRandomAccess, READ_AHEAD } from '../../backup';

/** A Blob that counts its slices (each one a round trip in a browser). */
class CountingBlob extends Blob {
  slices = 0;

  slice(start?: number, end?: number, type?: string): Blob {
    this.slices += 1;
    return super.slice(start, end, type);
  }
}

describe('BlobRandomAccess', () => {
  it('serves small reads from one read-ahead, large ones directly', async () => {
    const bytes = new Uint8Array(3 * READ_AHEAD);
    bytes.forEach((_, i) => (bytes[i] = i % 251));
    const blob = new CountingBlob([bytes]);
    const source = new BlobRandomAccess(blob);
    const expect = (offset: number, length: number, got: Uint8Array) =>
      assert.deepEqual(got, bytes.subarray(offset, offset + length));

    // a thousand small entries' headers and bytes, front to back
    for (let i = 0; i < 1000; i++) {
      expect(i * 100, 30, await source.read(i * 100, 30));
      expect(i * 100 + 30, 70, await source.read(i * 100 + 30, 70));
    }
    assert.equal(blob.slices, 1);
    // past the window, and a large read, each take one slice
    expect(READ_AHEAD + 5, 10, await source.read(READ_AHEAD + 5, 10));
    assert.equal(blob.slices, 2);
    expect(0, 2 * READ_AHEAD, await source.read(0, 2 * READ_AHEAD));
    assert.equal(blob.slices, 3);
    // the end of the blob is never read past
    expect(3 * READ_AHEAD - 4, 4, await source.read(3 * READ_AHEAD - 4, 100));
  });
});
