import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  RangeByteSource,
  readLumlModel,
  SourceChangedError
} from '../../format';
import {
  buildTar,
  modelMembers,
  pseudoRandomBytes,
  SAMPLE_MANIFEST
} from './tarBuilder';

/** A remote file over bytes in memory, counting what travels. */
function remote(bytes: Uint8Array) {
  const log = { requests: 0, bytes: 0 };
  let file = bytes;
  const fetch = async (offset: number, length: number) => {
    log.requests++;
    const slice = file.slice(offset, offset + length);
    log.bytes += slice.length;
    return { bytes: slice, size: file.length };
  };
  return {
    fetch,
    log,
    replace: (next: Uint8Array) => (file = next)
  };
}

describe('RangeByteSource', () => {
  it('matches the bytes at random ranges, across block edges', async () => {
    const bytes = pseudoRandomBytes(50_001, 5);
    const { fetch } = remote(bytes);
    const src = await RangeByteSource.open(fetch, {
      blockSize: 1000,
      maxBlocks: 3,
      maxFetch: 4000
    });
    assert.equal(src.size, bytes.length);
    let x = 17;
    for (let i = 0; i < 500; i++) {
      x = (x * 1664525 + 1013904223) >>> 0;
      const offset = x % (bytes.length + 10);
      const length = (x >>> 9) % 12_000;
      assert.deepEqual(
        Buffer.from(await src.read(offset, length)),
        Buffer.from(bytes.subarray(offset, offset + length)),
        `offset=${offset} length=${length}`
      );
    }
  });

  it('reads a model with large weights from a few small requests', async () => {
    const weights = pseudoRandomBytes(5 * 1024 * 1024, 9);
    const tar = buildTar([
      ...modelMembers({ ...SAMPLE_MANIFEST, name: 'big' }),
      { name: 'variant_artifacts/extra_files/weights.bin', data: weights }
    ]);
    const { fetch, log } = remote(tar);
    const src = await RangeByteSource.open(fetch);
    const result = await readLumlModel(src);
    assert.ok(result.ok);
    assert.equal(result.ok && result.summary.name, 'big');
    assert.equal(result.ok && result.size, tar.length);
    assert.ok(log.requests <= 4, `${log.requests} requests`);
    assert.ok(log.bytes < 300 * 1024, `${log.bytes} bytes fetched`);
    assert.equal(src.bytesFetched, log.bytes);
  });

  it('fails clearly when the file changes between reads', async () => {
    const r = remote(pseudoRandomBytes(10_000, 1));
    const src = await RangeByteSource.open(r.fetch, { blockSize: 1000 });
    r.replace(pseudoRandomBytes(12_000, 2));
    await assert.rejects(src.read(5000, 10), SourceChangedError);
  });

  it('opens an empty file', async () => {
    const src = await RangeByteSource.open(remote(new Uint8Array(0)).fetch);
    assert.equal(src.size, 0);
    assert.equal((await src.read(0, 10)).length, 0);
  });
});
