import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { IByteSource } from '../../format';
import { CHUNK_SIZE } from '../../storage/schema';
import { MULTIPART_THRESHOLD } from '../../registry/client/registryClient';
import { FIRST_PARTS_BYTES, storedBody } from '../../registry/storedBody';

/** A file of `size` bytes that counts and can fail its reads. */
class CountedFile implements IByteSource {
  constructor(
    readonly size: number,
    private readonly _failAt?: number
  ) {}

  reads: number[] = [];

  read(offset: number, length: number): Promise<Uint8Array> {
    this.reads.push(offset);
    if (offset === this._failAt) {
      return Promise.reject(new Error('Part 3 of the file is missing'));
    }
    const end = Math.min(this.size, offset + length);
    const bytes = new Uint8Array(end - offset);
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = (offset + i) % 251;
    }
    return Promise.resolve(bytes);
  }
}

async function bytesOf(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

const settle = () => new Promise(resolve => setTimeout(resolve, 0));

describe('storedBody', () => {
  it('reads nothing until asked or told to read ahead', async () => {
    const file = new CountedFile(3 * CHUNK_SIZE);
    const body = storedBody(file);
    await settle();
    assert.deepEqual(file.reads, []);
    body.readAhead!();
    await settle();
    assert.ok(file.reads.length > 0);
  });

  it('gives any range, across chunk boundaries, byte for byte', async () => {
    const size = 2 * CHUNK_SIZE + 1234;
    const file = new CountedFile(size);
    const body = storedBody(file);
    const all = await bytesOf(await body.read(0, size));
    const expected = await file.read(0, size);
    assert.deepEqual(all, expected);
    const middle = await bytesOf(
      await body.read(CHUNK_SIZE - 10, CHUNK_SIZE + 20)
    );
    assert.deepEqual(
      middle,
      expected.subarray(CHUNK_SIZE - 10, CHUNK_SIZE + 20)
    );
  });

  it('reads a multipart file a window ahead of the parts asked', async () => {
    const size = MULTIPART_THRESHOLD + CHUNK_SIZE;
    const file = new CountedFile(size);
    const body = storedBody(file);
    body.readAhead!();
    for (let i = 0; i < 100; i++) {
      await settle();
    }
    const window = FIRST_PARTS_BYTES / CHUNK_SIZE;
    assert.equal(file.reads.length, window);
    const part = window / 4;
    await body.read(3 * part * CHUNK_SIZE, 4 * part * CHUNK_SIZE);
    for (let i = 0; i < 100; i++) {
      await settle();
    }
    // up to the furthest part asked, and two parts more
    assert.equal(file.reads.length, 6 * part);
    assert.ok(file.reads.length * CHUNK_SIZE < size);
  });

  it('a chunk that cannot be read fails the range that holds it', async () => {
    const file = new CountedFile(4 * CHUNK_SIZE, 2 * CHUNK_SIZE);
    const body = storedBody(file);
    await assert.rejects(body.read(0, 4 * CHUNK_SIZE), /Part 3 .* missing/);
  });

  it('keeps the chunks the hashing passed, and reads only the others', async () => {
    const size = 3 * CHUNK_SIZE;
    const file = new CountedFile(size);
    const body = storedBody(file);
    const source = new CountedFile(size);
    body.keep(0, await source.read(0, CHUNK_SIZE));
    body.keep(CHUNK_SIZE, await source.read(CHUNK_SIZE, CHUNK_SIZE));
    const all = await bytesOf(await body.read(0, size));
    assert.deepEqual(all, await source.read(0, size));
    assert.deepEqual(file.reads, [2 * CHUNK_SIZE]);
  });

  it('takes chunks as Blobs from a file that gives them', async () => {
    const size = 2 * CHUNK_SIZE + 10;
    const source = new CountedFile(size);
    const blobs: number[] = [];
    const file = {
      size,
      read: () => Promise.reject(new Error('read as bytes')),
      readBlob: async (offset: number, length: number) => {
        blobs.push(offset);
        return new Blob([(await source.read(offset, length)) as BlobPart]);
      }
    };
    const body = storedBody(file);
    const all = await bytesOf(await body.read(0, size));
    assert.deepEqual(all, await source.read(0, size));
    assert.deepEqual(blobs, [0, CHUNK_SIZE, 2 * CHUNK_SIZE]);
  });

  it('stops reading when its signal aborts', async () => {
    const controller = new AbortController();
    const file = new CountedFile(MULTIPART_THRESHOLD + 1);
    const body = storedBody(file, controller.signal);
    controller.abort();
    body.readAhead!();
    await settle();
    assert.deepEqual(file.reads, []);
    await assert.rejects(body.read(0, CHUNK_SIZE));
  });
});
