// Model files kept in chunks (over 4 MiB) are read by range for discovery
// and Inspect, and chunk by chunk for push: never whole through the contents
// API, whose content for them is null.
import 'fake-indexeddb/auto';

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import type { Contents } from '@jupyterlab/services';

import { readStoredModel } from '../../discovery/headerReads';
import { readModelFile } from '../../discovery/modelReading';
import { ApiKeyStore } from '../../registry/apiKeyStore';
import { digestBase64, hashChunksHere } from '../../registry/base64Digest';
import { PushRecords } from '../../registry/pushRecords';
import type { IUploadBody } from '../../registry/client/registryClient';
import { ModelPusher } from '../../registry/pushService';
import { RegistryConnection } from '../../registry/registryConnection';
import { bytesToBase64 } from '../../storage/base64';
import { FileStore, READ_AHEAD } from '../../storage/fileStore';
import { CHUNK_SIZE, isChunked, publicModel } from '../../storage/schema';
import {
  SAMPLE_MANIFEST,
  buildTar,
  modelMembers,
  pseudoRandomBytes
} from '../format/tarBuilder';
import { fileRecord } from '../storage/records';

let counter = 0;

/** A .luml of about `weights` bytes: the six root files, then the weights. */
function bigModel(weights: number): Uint8Array {
  return buildTar([
    ...modelMembers(SAMPLE_MANIFEST),
    { name: 'weights.bin', data: pseudoRandomBytes(weights, 3) }
  ]);
}

async function storedModel(bytes: Uint8Array, path = 'models/big.luml') {
  const store = new FileStore({ indexedDB, name: `jl_reads${counter++}` });
  const base = fileRecord(path, '2026-01-02T00:00:00.000Z');
  const record = await store.putContent(path, base, bytesToBase64(bytes));
  assert.ok(isChunked(record), 'kept in chunks');
  // count the chunks a read touches
  const read = store.readChunk.bind(store);
  const counts = { chunks: 0 };
  store.readChunk = async (ref, index) => {
    counts.chunks++;
    return read(ref, index);
  };
  const contents = {
    get: async (asked: string, options?: Contents.IFetchOptions) => {
      assert.equal(asked, path);
      assert.ok(!options?.content, 'never read whole through contents');
      return publicModel((await store.getRecord(path))!);
    }
  } as unknown as Contents.IManager;
  const open = async (asked: string) =>
    store.reader((await store.getRecord(asked))!);
  return { store, record, counts, contents, open };
}

describe('model files kept in chunks', () => {
  it('discovery reads the headers of a 20 MiB model from two of its chunks', async () => {
    const bytes = bigModel(20 * 2 ** 20);
    const { record, counts, contents, open } = await storedModel(bytes);
    const outcome = await readStoredModel(
      contents,
      {
        path: 'models/big.luml',
        version: 1,
        announce: false,
        mayBeInProgress: true
      },
      () => false,
      open
    );
    assert.equal(outcome.kind, 'read');
    if (outcome.kind !== 'read') {
      return;
    }
    assert.ok(outcome.result.ok, 'read as a model');
    assert.equal(outcome.size, bytes.length);
    assert.equal(outcome.lastModified, '2026-01-02T00:00:00.000Z');
    assert.equal(outcome.result.ok && outcome.result.summary.name, 'sample');
    // the headers before the weights, and the one after them
    assert.ok(
      counts.chunks <= 2,
      `${counts.chunks} of ${record.chunks!.count} chunks read`
    );
  });

  it('Inspect reads the model through byte ranges', async () => {
    const bytes = bigModel(9 * 2 ** 20);
    const { counts, contents, open } = await storedModel(bytes);
    const details = await readModelFile(contents, 'models/big.luml', open);
    assert.ok(details.result.ok);
    assert.equal(details.size, bytes.length);
    assert.ok(counts.chunks <= 2, `${counts.chunks} chunks read`);
  });

  it('a reader asks a few chunks ahead, in order, and no further', async () => {
    const bytes = bigModel(6 * CHUNK_SIZE);
    const { store, record } = await storedModel(bytes);
    const reader = store.reader(record);
    let asked = 0;
    const read = store.readChunk.bind(store);
    store.readChunk = (ref, index) => {
      asked++;
      return read(ref, index);
    };
    const seen: Uint8Array[] = [];
    for await (const chunk of reader.chunks()) {
      // this chunk, and at most READ_AHEAD more asked
      assert.ok(
        asked - (seen.length + 1) <= READ_AHEAD,
        `${asked} asked, ${seen.length + 1} taken`
      );
      seen.push(chunk.slice());
    }
    assert.equal(asked, record.chunks!.count);
    assert.deepEqual(Buffer.concat(seen), Buffer.from(bytes));
    // a caller that stops early leaves its reads ahead to settle quietly
    asked = 0;
    for await (const chunk of reader.chunks()) {
      assert.ok(chunk.length > 0);
      break;
    }
    assert.ok(asked <= READ_AHEAD + 1);
  });

  it('push hashes the bytes chunk by chunk, and reads them again to upload', async () => {
    const bytes = bigModel(2 * CHUNK_SIZE + 5);
    const { open } = await storedModel(bytes);
    const pusher = new ModelPusher(
      {
        get: () => {
          throw new Error('the contents API must not be read');
        }
      },
      new RegistryConnection({
        build: { url: 'http://127.0.0.1:9/' },
        keys: new ApiKeyStore(null)
      }),
      new PushRecords(null),
      digestBase64,
      null,
      { open, hash: hashChunksHere }
    );
    const progress: number[] = [];
    const model = await pusher.prepare('models/big.luml', {
      onProgress: p => {
        if (p.phase === 'hashing') {
          progress.push(p.loaded);
        }
      }
    });
    assert.equal(model.size, bytes.length);
    assert.equal(
      model.sha256,
      createHash('sha256').update(bytes).digest('hex')
    );
    assert.ok(progress.length >= 3, 'progress after each chunk');
    assert.ok(!(model.body instanceof Blob));
    const body = model.body as IUploadBody;
    assert.deepEqual(
      new Uint8Array(await (await body.read(0, body.size)).arrayBuffer()),
      bytes
    );
    // a range across chunks, as a multipart upload asks for its parts
    const [from, to] = [CHUNK_SIZE - 3, 2 * CHUNK_SIZE + 2];
    assert.deepEqual(
      new Uint8Array(await (await body.read(from, to)).arrayBuffer()),
      bytes.subarray(from, to)
    );
  });
});
