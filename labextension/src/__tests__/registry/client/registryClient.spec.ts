import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { ICollectionRef } from '../../../registry/client/apiTypes';
import {
  collectPages,
  RegistryClient,
  runLimited
} from '../../../registry/client/registryClient';
import { RegistryError } from '../../../registry/client/registryErrors';
import { expected, fixtureBytes } from '../../format/fixtures';
import {
  deadPort,
  ILiveRegistry,
  registryPython,
  startFaultProxy,
  startRegistry
} from '../liveRegistry';

const FAST_RETRY = { retries: 3, baseDelayMs: 5, maxDelayMs: 20 };

describe('paging and concurrency helpers', () => {
  it('follows cursors to the end and refuses a repeated cursor', async () => {
    const pages: {
      [cursor: string]: { items: number[]; cursor: string | null };
    } = {
      '': { items: [1, 2], cursor: 'a' },
      a: { items: [3], cursor: 'b' },
      b: { items: [4], cursor: null }
    };
    assert.deepEqual(
      await collectPages(async c => pages[c ?? '']),
      [1, 2, 3, 4]
    );
    await assert.rejects(
      collectPages(async c => ({ items: [1], cursor: 'same' })),
      /same page cursor twice/
    );
  });

  it('runs at most N tasks at once', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await runLimited([1, 2, 3, 4, 5, 6, 7], 3, async n => {
      running++;
      peak = Math.max(peak, running);
      await new Promise(r => setTimeout(r, 5));
      done.push(n);
      running--;
    });
    assert.equal(peak, 3);
    assert.deepEqual(
      done.sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7]
    );
  });
});

// ---------------------------------------------------------------------------
// Against the real local Registry

const python = registryPython();
const live = { skip: python.problem ?? false };

function blobOf(bytes: Uint8Array): Blob {
  return new Blob([bytes as BlobPart]);
}

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function raw(
  registry: ILiveRegistry,
  method: string,
  path: string,
  body?: unknown
): Promise<any> {
  const response = await fetch(registry.url + path, {
    method,
    headers: {
      Authorization: `Bearer ${registry.key}`,
      'Content-Type': 'application/json'
    },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  assert.ok(response.ok, `${method} ${path}: ${await response.clone().text()}`);
  return response.status === 204 ? undefined : response.json();
}

function createBody(bytes: Uint8Array, fileName = 'sklearn_basic.luml') {
  const want = expected('sklearn_basic.luml');
  return {
    file_name: fileName,
    name: 'client test',
    description: 'from the node tests',
    tags: ['node'],
    manifest: want.manifest,
    extra_values: {},
    file_hash: sha(bytes),
    file_index: want.file_index,
    size: bytes.length
  };
}

describe('RegistryClient against the local Registry', live, () => {
  let registry: ILiveRegistry;
  let where: ICollectionRef;
  const client = (key?: string, baseUrl?: string) =>
    new RegistryClient({
      baseUrl: baseUrl ?? registry.url,
      apiKey: () => key ?? registry.key,
      retry: FAST_RETRY,
      siteOrigin: 'http://127.0.0.1:9'
    });

  before(async () => {
    registry = await startRegistry();
    const [org] = await client().listOrganizations();
    const [orbit] = await client().listOrbits(org.id);
    const collections = await client().listAllCollections(org.id, orbit.id);
    where = {
      organizationId: org.id,
      orbitId: orbit.id,
      collectionId: collections[0].id
    };
  });

  after(async () => {
    await registry?.stop();
  });

  it('validates a good key, and maps a wrong and a missing one', async () => {
    await client().validateKey();
    await assert.rejects(
      client('dfs_wrong').validateKey(),
      (e: RegistryError) => {
        assert.equal(e.kind, 'unauthorized');
        assert.equal(e.status, 401);
        assert.match(e.detail ?? '', /Invalid API key/);
        return true;
      }
    );
    await assert.rejects(client('  ').listOrganizations(), {
      kind: 'missing-key'
    });
  });

  it('lists organizations, orbits and every page of collections', async () => {
    const { organizationId, orbitId } = where;
    for (const name of ['B one', 'B two', 'B three']) {
      await raw(
        registry,
        'POST',
        `/v1/organizations/${organizationId}/orbits/${orbitId}/collections`,
        { name, type: 'model' }
      );
    }
    const first = await client().listCollections(organizationId, orbitId, {
      limit: 2
    });
    assert.equal(first.items.length, 2);
    assert.ok(first.cursor);
    const all = await client().listAllCollections(organizationId, orbitId);
    assert.equal(all.length, 4);
    assert.equal(new Set(all.map(c => c.id)).size, 4);
    assert.ok(all.some(c => c.name === 'Models'));
  });

  it('creates, uploads, confirms: the Registry holds identical bytes', async () => {
    const bytes = fixtureBytes('sklearn_basic.luml');
    const created = await client().createArtifact(where, createBody(bytes));
    assert.equal(created.artifact.status, 'pending_upload');
    assert.equal(created.upload_details.multipart, false);
    const seen: number[] = [];
    await client().uploadFile(created.upload_details, blobOf(bytes), {
      onProgress: loaded => seen.push(loaded)
    });
    assert.equal(seen[seen.length - 1], bytes.length);
    const done = await client().setArtifactStatus(
      where,
      created.artifact.id,
      'uploaded'
    );
    assert.equal(done.status, 'uploaded');
    const url = await client().downloadUrl(where, created.artifact.id);
    const downloaded = new Uint8Array(await (await fetch(url)).arrayBuffer());
    assert.equal(sha(downloaded), sha(bytes));
  });

  it("shows the server's reason for a rejected request", async () => {
    const bytes = fixtureBytes('sklearn_basic.luml');
    await assert.rejects(
      client().createArtifact(where, createBody(bytes, 'bad#name.luml')),
      (e: RegistryError) => {
        assert.equal(e.kind, 'rejected');
        assert.equal(e.status, 422);
        assert.match(e.message, /not a valid file name/);
        return true;
      }
    );
    const wrongHash = {
      ...createBody(bytes),
      file_hash: sha(new Uint8Array(1))
    };
    const created = await client().createArtifact(where, wrongHash);
    await assert.rejects(
      client().uploadFile(created.upload_details, blobOf(bytes)),
      (e: RegistryError) => {
        assert.equal(e.kind, 'rejected');
        assert.match(e.message, /sha256|SHA-256|hash/i);
        return true;
      }
    );
  });

  it('says the collection is gone', async () => {
    const bytes = fixtureBytes('sklearn_basic.luml');
    await assert.rejects(
      client().createArtifact(
        { ...where, collectionId: '00000000-0000-0000-0000-000000000000' },
        createBody(bytes)
      ),
      (e: RegistryError) => {
        assert.equal(e.kind, 'not-found');
        assert.match(e.message, /collection was not found/);
        return true;
      }
    );
  });

  it('says when nothing listens, after retrying', async () => {
    const port = await deadPort();
    let retries = 0;
    await assert.rejects(
      client(undefined, `http://127.0.0.1:${port}`).listOrganizations({
        onRetry: () => retries++
      }),
      (e: RegistryError) => {
        assert.equal(e.kind, 'network');
        assert.match(
          e.message,
          new RegExp(`^Could not reach http://127\\.0\\.0\\.1:${port} `)
        );
        return true;
      }
    );
    assert.equal(retries, 3);
  });

  it('retries a PUT that failed with a 500, then succeeds', async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      let failures = 2;
      proxy.decide = (method, path) =>
        method === 'PUT' && path.startsWith('/storage/') && failures-- > 0
          ? { status: 500, body: 'storage down' }
          : 'pass';
      const viaProxy = client(undefined, proxy.url);
      const bytes = fixtureBytes('sklearn_card.luml');
      const body = {
        ...createBody(bytes, 'card.luml'),
        file_index: expected('sklearn_card.luml').file_index
      };
      const created = await viaProxy.createArtifact(where, body);
      assert.ok(created.upload_details.url.startsWith(proxy.url));
      const retried: string[] = [];
      await viaProxy.uploadFile(created.upload_details, blobOf(bytes), {
        onRetry: (_a, _d, error) => retried.push(error.kind)
      });
      assert.deepEqual(retried, ['server', 'server']);
      const done = await viaProxy.setArtifactStatus(
        where,
        created.artifact.id,
        'uploaded'
      );
      assert.equal(done.status, 'uploaded');
      assert.equal(
        proxy.seen.filter(s => s.startsWith('PUT /storage/')).length,
        3
      );

      // a storage that keeps failing: the error says so after a few tries
      proxy.decide = method => (method === 'PUT' ? { status: 500 } : 'pass');
      const again = await viaProxy.createArtifact(where, body);
      await assert.rejects(
        viaProxy.uploadFile(again.upload_details, blobOf(bytes)),
        (e: RegistryError) => {
          assert.equal(e.kind, 'server');
          assert.match(e.message, /storage had a server error \(HTTP 500\)/);
          return true;
        }
      );
    } finally {
      await proxy.close();
    }
  });

  it('cancels an upload', async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      proxy.decide = method => (method === 'PUT' ? 'drop' : 'pass');
      const viaProxy = new RegistryClient({
        baseUrl: proxy.url,
        apiKey: () => registry.key,
        retry: { retries: 5, baseDelayMs: 60_000 }
      });
      const bytes = fixtureBytes('sklearn_basic.luml');
      const created = await viaProxy.createArtifact(where, createBody(bytes));
      const controller = new AbortController();
      const upload = viaProxy.uploadFile(
        created.upload_details,
        blobOf(bytes),
        { signal: controller.signal }
      );
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(upload, { kind: 'cancelled' });
    } finally {
      await proxy.close();
    }
  });
});

describe('multipart upload against the local Registry', live, () => {
  let registry: ILiveRegistry;

  before(async () => {
    registry = await startRegistry({
      multipartThreshold: 10_000,
      partSize: 4096
    });
  });

  after(async () => {
    await registry?.stop();
  });

  const setUp = async () => {
    const client = new RegistryClient({
      baseUrl: registry.url,
      apiKey: () => registry.key,
      retry: FAST_RETRY
    });
    const [org] = await client.listOrganizations();
    const [orbit] = await client.listOrbits(org.id);
    const [collection] = await client.listAllCollections(org.id, orbit.id);
    const where = {
      organizationId: org.id,
      orbitId: orbit.id,
      collectionId: collection.id
    };
    const bytes = fixtureBytes('sklearn_card.luml');
    const created = await client.createArtifact(where, {
      ...createBody(bytes, 'card.luml'),
      file_index: expected('sklearn_card.luml').file_index
    });
    assert.equal(created.upload_details.multipart, true);
    return { client, where, bytes, created };
  };

  it('uploads parts concurrently and completes: identical bytes', async () => {
    const { client, where, bytes, created } = await setUp();
    const progress: number[] = [];
    await client.uploadFile(created.upload_details, blobOf(bytes), {
      onProgress: loaded => progress.push(loaded)
    });
    assert.equal(progress[progress.length - 1], bytes.length);
    await client.setArtifactStatus(where, created.artifact.id, 'uploaded');
    const url = await client.downloadUrl(where, created.artifact.id);
    const downloaded = new Uint8Array(await (await fetch(url)).arrayBuffer());
    assert.equal(sha(downloaded), sha(bytes));
  });

  it('asks a body that is read when needed for each part, once', async () => {
    const { client, where, bytes, created } = await setUp();
    const asked: [number, number][] = [];
    await client.uploadFile(created.upload_details, {
      size: bytes.length,
      read: async (start, end) => {
        asked.push([start, end]);
        return blobOf(bytes.subarray(start, end));
      }
    });
    asked.sort((a, b) => a[0] - b[0]);
    assert.equal(asked.length, Math.ceil(bytes.length / 4096));
    assert.deepEqual(asked[0], [0, 4096]);
    assert.equal(asked[asked.length - 1][1], bytes.length);
    await client.setArtifactStatus(where, created.artifact.id, 'uploaded');
    const url = await client.downloadUrl(where, created.artifact.id);
    const downloaded = new Uint8Array(await (await fetch(url)).arrayBuffer());
    assert.equal(sha(downloaded), sha(bytes));
  });
});
