import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';

import { base64ToChunks } from '../../discovery/modelDownload';

function joined(chunks: Uint8Array[]): Buffer {
  return Buffer.concat(chunks.map(c => Buffer.from(c)));
}

describe('base64ToChunks', () => {
  it('gives back the exact bytes, whatever the chunk size', () => {
    for (const size of [0, 1, 2, 3, 4, 5, 511, 512, 1000, 4099]) {
      const bytes = randomBytes(size);
      const b64 = bytes.toString('base64');
      for (const chunk of [4, 8, 12, 1024, 4 * 1024 * 1024]) {
        const chunks = base64ToChunks(b64, chunk);
        assert.deepEqual(joined(chunks), bytes, `size ${size} chunk ${chunk}`);
        assert.ok(chunks.every(c => c.length <= (chunk / 4) * 3));
      }
    }
  });

  it('accepts base64 wrapped at 76 columns, as a Jupyter server sends it', () => {
    const bytes = randomBytes(300);
    const wrapped = bytes.toString('base64').replace(/(.{76})/g, '$1\n');
    assert.deepEqual(joined(base64ToChunks(wrapped, 8)), bytes);
  });

  it('refuses content that is not base64 with a clear message', () => {
    assert.throws(
      () => base64ToChunks('\u0000not base64!'),
      /not valid base64/
    );
    assert.throws(() => base64ToChunks('AAAA', 6), /multiple of 4/);
  });
});
