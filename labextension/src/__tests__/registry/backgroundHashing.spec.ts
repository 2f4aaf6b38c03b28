// Model files in browser storage are hashed ahead of a push, by content:
// the push then only reads the bytes, and a file written again is hashed
// again, never pushed with the hash of its older bytes.
import 'fake-indexeddb/auto';

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import { Signal } from '@lumino/signaling';

import type {
  IDiscoveredModel,
  IModelDiscovery,
  IModelsChange
} from '../../discovery/tokens';
import { ApiKeyStore } from '../../registry/apiKeyStore';
import {
  digestBase64,
  hashChunksHere,
  IChunkedFile
} from '../../registry/base64Digest';
import { BackgroundHasher } from '../../registry/backgroundHashing';
import type { IUploadBody } from '../../registry/client/registryClient';
import {
  MODEL_HASHES_STATE_KEY,
  ModelHashes
} from '../../registry/modelHashes';
import { PushRecords } from '../../registry/pushRecords';
import { IStoredModelFile, ModelPusher } from '../../registry/pushService';
import { RegistryConnection } from '../../registry/registryConnection';
import { bytesToBase64 } from '../../storage/base64';
import { FileStore } from '../../storage/fileStore';
import { CHUNK_SIZE } from '../../storage/schema';
import {
  SAMPLE_MANIFEST,
  buildTar,
  modelMembers,
  pseudoRandomBytes
} from '../format/tarBuilder';
import { fileRecord } from '../storage/records';
import { MemoryState } from './fakes';

const PATH = 'models/big.luml';
let counter = 0;

const sha = (bytes: Uint8Array) =>
  createHash('sha256').update(bytes).digest('hex');

function bigModel(seed: number): Uint8Array {
  return buildTar([
    ...modelMembers(SAMPLE_MANIFEST),
    { name: 'weights.bin', data: pseudoRandomBytes(CHUNK_SIZE + 7, seed) }
  ]);
}

async function bodyBytes(body: Blob | IUploadBody): Promise<Uint8Array> {
  const blob = body instanceof Blob ? body : await body.read(0, body.size);
  return new Uint8Array(await blob.arrayBuffer());
}

/** A discovery that knows one model and says when it changes. */
class OneModel {
  readonly changed = new Signal<IModelDiscovery, IModelsChange>(
    this as unknown as IModelDiscovery
  );
  readonly ready = Promise.resolve();
  readonly scanning = false;
  readonly pending = [];
  get models(): IDiscoveredModel[] {
    return [
      {
        path: PATH,
        name: 'big.luml',
        size: 0,
        lastModified: '',
        result: { ok: true } as IDiscoveredModel['result']
      }
    ];
  }
  get(path: string) {
    return this.models.find(m => m.path === path);
  }
  async refresh() {}
  saved() {
    this.changed.emit({ paths: [PATH], renamed: [] });
  }
}

async function setUp(options: { enabled?: boolean } = {}) {
  const store = new FileStore({ indexedDB, name: `jl_ahead${counter++}` });
  const save = (bytes: Uint8Array) =>
    store.putContent(PATH, fileRecord(PATH), bytesToBase64(bytes));
  const open = async (path: string): Promise<IStoredModelFile> =>
    store.reader((await store.getRecord(path))!);
  const hashed: number[] = [];
  const state = new MemoryState();
  const ahead = new BackgroundHasher({
    open,
    hash: async (file: IChunkedFile, job) => {
      hashed.push(file.size);
      return hashChunksHere(file, job);
    },
    hashes: new ModelHashes(state),
    whenIdle: () => Promise.resolve(),
    enabled: options.enabled
  });
  const digested: number[] = [];
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
    {
      open,
      hash: async (file, job) => {
        digested.push(file.size);
        return hashChunksHere(file, job);
      },
      hashes: ahead
    }
  );
  return { store, save, ahead, pusher, hashed, digested, state };
}

describe('hashing model files ahead of a push', () => {
  it('hashes a model once when found, and the push only reads its bytes', async () => {
    const { save, ahead, pusher, hashed, digested, state } = await setUp();
    const bytes = bigModel(1);
    await save(bytes);
    const discovery = new OneModel();
    ahead.follow(discovery as unknown as IModelDiscovery);
    await discovery.ready;
    await ahead.settled;
    assert.deepEqual(hashed, [bytes.length]);
    assert.ok(state.data.has(MODEL_HASHES_STATE_KEY), 'kept in the state');

    // found again (a reload, another tab): not hashed again
    discovery.saved();
    await ahead.settled;
    assert.equal(hashed.length, 1);

    const model = await pusher.prepare(PATH);
    assert.equal(model.sha256, sha(bytes));
    assert.equal(model.hashedIn, 'before the push');
    assert.deepEqual(digested, [], 'not hashed by the push');
    assert.deepEqual(await bodyBytes(model.body), bytes);
  });

  it('a model written again after it was hashed pushes with its new hash', async () => {
    const { save, ahead, pusher, hashed } = await setUp();
    const discovery = new OneModel();
    ahead.follow(discovery as unknown as IModelDiscovery);
    const first = bigModel(1);
    await save(first);
    discovery.saved();
    await ahead.settled;
    assert.equal(hashed.length, 1);

    // the same size, other bytes
    const second = bigModel(2);
    assert.equal(second.length, first.length);
    await save(second);
    // the push before the new version was hashed ahead
    const model = await pusher.prepare(PATH);
    assert.equal(model.sha256, sha(second));
    assert.notEqual(model.sha256, sha(first));
    assert.deepEqual(await bodyBytes(model.body), second);

    // and after: the hash the push computed is the one kept
    discovery.saved();
    await ahead.settled;
    const again = await pusher.prepare(PATH);
    assert.equal(again.sha256, sha(second));
    assert.equal(again.hashedIn, 'before the push');
  });

  it('a push waits for the hash of the same content in progress', async () => {
    const { save, ahead, pusher, hashed, digested } = await setUp();
    const bytes = bigModel(3);
    await save(bytes);
    ahead.schedule([PATH]);
    const model = await pusher.prepare(PATH);
    assert.equal(model.sha256, sha(bytes));
    assert.equal(hashed.length + digested.length, 1, 'hashed once');
  });

  it('hashes nothing when turned off', async () => {
    const { save, ahead, hashed, pusher, digested } = await setUp({
      enabled: false
    });
    const bytes = bigModel(4);
    await save(bytes);
    ahead.follow(new OneModel() as unknown as IModelDiscovery);
    ahead.schedule([PATH]);
    await ahead.settled;
    assert.deepEqual(hashed, []);
    const model = await pusher.prepare(PATH);
    assert.equal(model.sha256, sha(bytes));
    assert.equal(digested.length, 1);
    // on again: the models discovery knows are hashed (this one already is)
    ahead.enabled = true;
    await ahead.settled;
    assert.deepEqual(hashed, []);
  });

  it('keeps hashes by content id and size, and loads them back', async () => {
    const state = new MemoryState();
    const hashes = new ModelHashes(state);
    await hashes.remember({
      contentId: 'abc-1',
      size: 10,
      sha256: 'a'.repeat(64),
      path: 'm.luml',
      hashedAt: '2026-01-01T00:00:00.000Z'
    });
    const loaded = new ModelHashes(state);
    await loaded.ready;
    assert.equal(loaded.get('abc-1', 10), 'a'.repeat(64));
    assert.equal(loaded.get('abc-1', 11), undefined, 'another size');
    assert.equal(loaded.get('abc-2', 10), undefined);
  });
});
