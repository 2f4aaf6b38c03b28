import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';

import { ApiKeyStore } from '../../registry/apiKeyStore';
import { digestBase64 } from '../../registry/base64Digest';
import { PushRecords } from '../../registry/pushRecords';
import {
  defaultFields,
  fileNameProblem,
  IContentsReader,
  ModelPusher,
  parseTags,
  PushError
} from '../../registry/pushService';
import { RegistryConnection } from '../../registry/registryConnection';
import { expected, fixtureBase64 } from '../format/fixtures';
import {
  IFaultProxy,
  ILiveRegistry,
  registryPython,
  startFaultProxy,
  startRegistry
} from './liveRegistry';
import { MemoryState } from './fakes';

/** Read-only contents: any write would be a bug, so none exists. */
class Files implements IContentsReader {
  reads: string[] = [];
  constructor(readonly files: { [path: string]: string }) {}
  async get(path: string) {
    this.reads.push(path);
    if (!(path in this.files)) {
      throw new Error(`No such file: ${path}`);
    }
    return { content: this.files[path], format: 'base64', name: path };
  }
}

const sha = (bytes: Uint8Array | Buffer) =>
  createHash('sha256').update(bytes).digest('hex');

describe('push helpers', () => {
  it('knows the Registry file-name rule', () => {
    assert.equal(fileNameProblem('model_1.luml'), undefined);
    assert.match(fileNameProblem('model #1.luml') ?? '', /rename the file/);
    assert.match(fileNameProblem('noextension') ?? '', /rename the file/);
    assert.deepEqual(parseTags(' a, b ,,a\nc '), ['a', 'b', 'c']);
  });
});

const python = registryPython();
const live = { skip: python.problem ?? false };

describe('ModelPusher against the local Registry', live, () => {
  let registry: ILiveRegistry;
  let proxy: IFaultProxy;
  let files: Files;
  let state: MemoryState;
  let pusher: ModelPusher;
  let target: {
    organizationId: string;
    orbitId: string;
    collectionId: string;
    collectionName: string;
  };
  const original = {
    'models/tiny.luml': fixtureBase64('sklearn_basic.luml'),
    'card.luml': fixtureBase64('sklearn_card.luml'),
    'bad name#1.luml': fixtureBase64('sklearn_basic.luml'),
    'notes.luml': Buffer.from('just some text').toString('base64')
  };

  const api = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(registry.url + path, {
      ...init,
      headers: { Authorization: `Bearer ${registry.key}` }
    });
    assert.ok(response.ok, await response.clone().text());
    return response.json();
  };
  const artifactPath = (id: string) =>
    `/v1/organizations/${target.organizationId}/orbits/${target.orbitId}/collections/${target.collectionId}/artifacts/${id}`;

  before(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry.url);
    const [org] = await api('/v1/users/me/organizations');
    const [orbit] = await api(`/v1/organizations/${org.id}/orbits`);
    const page = await api(
      `/v1/organizations/${org.id}/orbits/${orbit.id}/collections`
    );
    target = {
      organizationId: org.id,
      orbitId: orbit.id,
      collectionId: page.items[0].id,
      collectionName: page.items[0].name
    };
  });

  after(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  beforeEach(() => {
    proxy.decide = () => 'pass';
    proxy.seen.length = 0;
    files = new Files({ ...original });
    state = new MemoryState();
    const keys = new ApiKeyStore(null);
    const connection = new RegistryConnection({
      build: { url: proxy.url },
      keys,
      client: { retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 10 } }
    });
    connection.setApiKey(registry.key);
    pusher = new ModelPusher(
      files,
      connection,
      new PushRecords(state),
      digestBase64
    );
  });

  it('reads raw bytes where a reader gives them, not base64 contents', async () => {
    const asked: string[] = [];
    const raw = new ModelPusher(
      {
        get: () => {
          throw new Error('the contents API must not be read');
        }
      },
      new RegistryConnection({
        build: { url: proxy.url },
        keys: new ApiKeyStore(null)
      }),
      new PushRecords(null),
      digestBase64,
      async path => {
        asked.push(path);
        return Buffer.from(fixtureBase64('sklearn_basic.luml'), 'base64');
      }
    );
    const model = await raw.prepare('models/tiny.luml');
    const want = expected('sklearn_basic.luml');
    assert.deepEqual(asked, ['models/tiny.luml']);
    assert.equal(model.sha256, want.sha256);
    assert.equal(model.size, want.size);
    assert.equal((model.body as Blob).size, want.size);
    assert.equal(defaultFields(model).name, 'tiny-linear');
  });

  it('pushes a real model: identical bytes, its manifest, status uploaded', async () => {
    const phases: string[] = [];
    const model = await pusher.prepare('models/tiny.luml', {
      onProgress: p => phases.push(p.phase)
    });
    const want = expected('sklearn_basic.luml');
    assert.equal(model.sha256, want.sha256);
    assert.equal(model.size, want.size);
    assert.deepEqual(defaultFields(model), {
      name: 'tiny-linear',
      description: 'A tiny linear regression on three features.',
      tags: ['luml.ai::sklearn:v1', 'luml.ai::kind_tabular:v1']
    });
    let pushedSignal = 0;
    pusher.pushed.connect(() => pushedSignal++);
    const result = await pusher.push(model, {
      target,
      tags: ['notebook'],
      onProgress: p => phases.push(p.phase)
    });
    assert.deepEqual(
      [...new Set(phases)],
      ['reading', 'hashing', 'creating', 'uploading', 'confirming']
    );
    assert.equal(result.artifact.status, 'uploaded');
    assert.equal(pushedSignal, 1);

    const stored = await api(artifactPath(result.artifact.id));
    assert.equal(stored.status, 'uploaded');
    assert.equal(stored.name, 'tiny-linear');
    assert.deepEqual(stored.tags, ['notebook']);
    assert.deepEqual(stored.manifest, want.manifest);
    assert.deepEqual(stored.file_index, want.file_index);
    assert.equal(stored.type, 'model');
    const { url } = await api(
      artifactPath(result.artifact.id) + '/download-url'
    );
    const bytes = Buffer.from(await (await fetch(url)).arrayBuffer());
    assert.equal(sha(bytes), want.sha256);

    // remembered, and the same bytes to the same collection are a duplicate
    assert.equal(
      pusher.records.forPath('models/tiny.luml')[0].artifactId,
      result.artifact.id
    );
    assert.equal(
      pusher.findDuplicate(model, proxy.url, target.collectionId)?.artifactId,
      result.artifact.id
    );
    const card = await pusher.prepare('card.luml');
    assert.equal(
      pusher.findDuplicate(card, proxy.url, target.collectionId),
      undefined
    );
    // the local files were only read
    assert.deepEqual(files.files, original);
  });

  it('tests typed connection values before they are saved', async () => {
    const connection = new RegistryConnection({
      build: { url: 'https://api.luml.ai' },
      keys: new ApiKeyStore(null)
    });
    const ok = await connection.testWith(registry.url + '/', registry.key);
    assert.equal(ok.ok, true);
    assert.match(
      ok.message,
      /^Connected to http:\/\/127\.0\.0\.1:\d+\. The key works for: Local Organization\.$/
    );
    const wrong = await connection.testWith(registry.url, 'dfs_wrong');
    assert.equal(wrong.error?.kind, 'unauthorized');
    assert.match(wrong.message, /did not accept the API key/);
    // nothing was saved by testing
    assert.equal(connection.url, 'https://api.luml.ai');
    assert.equal(connection.keySource, 'none');
  });

  it('refuses what the Registry would refuse, before any request', async () => {
    await assert.rejects(pusher.prepare('bad name#1.luml'), (e: PushError) => {
      assert.match(e.message, /does not accept the file name/);
      return true;
    });
    await assert.rejects(pusher.prepare('notes.luml'), (e: PushError) => {
      assert.match(e.message, /notes\.luml cannot be pushed: /);
      return true;
    });
    await assert.rejects(
      pusher.prepare('missing.luml'),
      /Could not read missing\.luml/
    );
    await assert.rejects(
      pusher.prepare('notes.txt'),
      /notes\.txt is not a model file/
    );
    assert.equal(proxy.seen.length, 0);
  });

  it('a 500 on every PUT: a clear error, upload_failed, and a retry that works', async () => {
    proxy.decide = (method, path) =>
      method === 'PUT' && path.startsWith('/storage/')
        ? { status: 500, body: '{"detail": "disk on fire"}' }
        : 'pass';
    const model = await pusher.prepare('models/tiny.luml');
    const failed: PushError = await pusher.push(model, { target }).then(
      () => assert.fail('the push should fail'),
      e => e
    );
    assert.ok(failed instanceof PushError);
    assert.equal(failed.kind, 'server');
    assert.equal(failed.failureReported, true);
    assert.match(failed.message, /storage had a server error \(HTTP 500\)/);
    assert.match(
      failed.message,
      /marked upload_failed\. Your local file is unchanged\.$/
    );
    const stored = await api(artifactPath(failed.artifactId!));
    assert.equal(stored.status, 'upload_failed');
    assert.equal(pusher.records.all().length, 0);

    proxy.decide = () => 'pass';
    const retried = await pusher.push(model, { target });
    assert.equal(retried.artifact.status, 'uploaded');
    assert.notEqual(retried.artifact.id, failed.artifactId);
  });

  it('a Registry that went away: the failure is reported at the next push', async () => {
    proxy.decide = method =>
      method === 'PUT' || method === 'PATCH' ? 'drop' : 'pass';
    const model = await pusher.prepare('card.luml');
    const failed: PushError = await pusher.push(model, { target }).then(
      () => assert.fail('the push should fail'),
      e => e
    );
    assert.equal(failed.kind, 'network');
    assert.equal(failed.failureReported, false);
    assert.match(
      failed.message,
      /^Could not reach http:\/\/127\.0\.0\.1:\d+ to upload the file/
    );
    assert.match(failed.message, /at the next push to this Registry/);
    assert.equal(
      (await api(artifactPath(failed.artifactId!))).status,
      'pending_upload'
    );
    assert.equal(pusher.records.unreported(proxy.url).length, 1);
    assert.equal(
      (state.data.get('luml-notebooks:registry-pushes') as any).unreported
        .length,
      1
    );

    proxy.decide = () => 'pass';
    const ok = await pusher.push(model, { target });
    assert.equal(ok.artifact.status, 'uploaded');
    assert.equal(
      (await api(artifactPath(failed.artifactId!))).status,
      'upload_failed'
    );
    assert.equal(pusher.records.unreported(proxy.url).length, 0);
  });

  it('cancelled mid-upload: marked upload_failed', async () => {
    proxy.decide = method => (method === 'PUT' ? 'drop' : 'pass');
    const slow = new RegistryConnection({
      build: { url: proxy.url },
      keys: new ApiKeyStore(null),
      client: { retry: { retries: 5, baseDelayMs: 60_000 } }
    });
    slow.setApiKey(registry.key);
    const cancellable = new ModelPusher(
      files,
      slow,
      new PushRecords(null),
      digestBase64
    );
    const model = await cancellable.prepare('models/tiny.luml');
    const controller = new AbortController();
    const push = cancellable.push(model, {
      target,
      signal: controller.signal,
      onProgress: p => {
        if (p.retry) {
          controller.abort();
        }
      }
    });
    const failed: PushError = await push.then(
      () => assert.fail('the push should be cancelled'),
      e => e
    );
    assert.ok(failed.cancelled);
    assert.match(
      failed.message,
      /^The push was cancelled\. Artifact .* was marked upload_failed/
    );
    assert.equal(
      (await api(artifactPath(failed.artifactId!))).status,
      'upload_failed'
    );
  });
});
