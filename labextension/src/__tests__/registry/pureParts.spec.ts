import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import { MemoryStorage } from '../common/memoryStorage';
import { ApiKeyStore, apiKeyProblem } from '../../registry/apiKeyStore';
import {
  answerDigestRequest,
  digestBase64,
  DigestMessage,
  StreamedDigests
} from '../../registry/base64Digest';
import { IPushRecord, PushRecords } from '../../registry/pushRecords';
import {
  LOCAL_KEY_FILE,
  readRegistryBuildSettings,
  RegistryConnection
} from '../../registry/registryConnection';
import { describeTransfer, TransferMeter } from '../../registry/transferMeter';
import { MemoryState } from './fakes';

describe('digestBase64', () => {
  it('hashes and reassembles the exact bytes, in chunks', async () => {
    const bytes = new Uint8Array(100_003).map((_, i) => (i * 7919) & 0xff);
    const b64 = Buffer.from(bytes).toString('base64');
    const progress: number[] = [];
    let pauses = 0;
    const digest = await digestBase64(b64, {
      fromBase64: null,
      chunkSize: 30_000,
      onProgress: done => progress.push(done),
      pause: async () => {
        pauses++;
      }
    });
    assert.equal(
      digest.sha256,
      createHash('sha256').update(bytes).digest('hex')
    );
    assert.equal(digest.size, bytes.length);
    assert.deepEqual(new Uint8Array(await digest.blob.arrayBuffer()), bytes);
    assert.deepEqual(progress, [0, 30_000, 60_000, 90_000, 100_003]);
    assert.equal(pauses, 3);
  });

  it('takes the native path when the runtime decodes base64', async () => {
    const bytes = new Uint8Array(70_001).map((_, i) => (i * 31) & 0xff);
    const b64 = Buffer.from(bytes).toString('base64');
    let decoded = 0;
    const digest = await digestBase64(b64, {
      fromBase64: text => {
        decoded++;
        return new Uint8Array(Buffer.from(text, 'base64'));
      }
    });
    assert.equal(decoded, 1);
    assert.equal(
      digest.sha256,
      createHash('sha256').update(bytes).digest('hex')
    );
    assert.deepEqual(new Uint8Array(await digest.blob.arrayBuffer()), bytes);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      digestBase64('AAAA', { signal: controller.signal }),
      /cancelled/
    );
  });

  it('answers worker requests with progress, then the digest or an error', async () => {
    const messages: DigestMessage[] = [];
    await answerDigestRequest({ id: 7, base64: 'aGVsbG8=' }, m =>
      messages.push(m)
    );
    const done = messages[messages.length - 1];
    assert.equal(done.type, 'done');
    assert.equal(done.id, 7);
    assert.equal(
      (done as { sha256: string }).sha256,
      createHash('sha256').update('hello').digest('hex')
    );
    const failed: DigestMessage[] = [];
    await answerDigestRequest({ id: 8, base64: 'a$$$' }, m => failed.push(m));
    assert.equal(failed[failed.length - 1].type, 'error');
  });
});

describe('StreamedDigests (the worker side of streamed hashing)', () => {
  it('acknowledges each chunk and answers the hash of the whole, not its bytes', async () => {
    const messages: DigestMessage[] = [];
    const digests = new StreamedDigests(m => messages.push(m));
    const parts = [
      new Uint8Array(70_000).fill(1),
      new Uint8Array(5).fill(2),
      new Uint8Array(1_000).fill(3)
    ];
    // sent at once, as the page does: answered in order all the same
    await Promise.all([
      ...parts.map(bytes => digests.answer({ id: 3, type: 'chunk', bytes })),
      digests.answer({ id: 3, type: 'end' })
    ]);
    assert.deepEqual(
      messages.slice(0, 3).map(m => [m.type, (m as { size: number }).size]),
      [
        ['ack', 70_000],
        ['ack', 5],
        ['ack', 1_000]
      ]
    );
    const done = messages[3] as Extract<DigestMessage, { type: 'done' }>;
    assert.equal(done.type, 'done');
    const whole = Buffer.concat(parts);
    assert.equal(done.size, whole.length);
    assert.equal(done.sha256, createHash('sha256').update(whole).digest('hex'));
    assert.equal(done.blob, undefined, 'the page gathers the bytes');
  });

  it('keeps the files of different ids apart', async () => {
    const messages: DigestMessage[] = [];
    const digests = new StreamedDigests(m => messages.push(m));
    await digests.answer({ id: 1, type: 'chunk', bytes: Buffer.from('ab') });
    await digests.answer({ id: 2, type: 'chunk', bytes: Buffer.from('xyz') });
    await digests.answer({ id: 1, type: 'end' });
    await digests.answer({ id: 2, type: 'end' });
    const sizes = messages
      .filter(m => m.type === 'done')
      .map(m => [m.id, (m as { size: number }).size]);
    assert.deepEqual(sizes, [
      [1, 2],
      [2, 3]
    ]);
  });
});

describe('TransferMeter', () => {
  it('measures speed over a recent window and restarts after a retry', () => {
    let now = 0;
    const meter = new TransferMeter(10_000_000, 3000, () => now);
    meter.update(0);
    now = 1000;
    let snap = meter.update(2_000_000);
    assert.equal(snap.bytesPerSecond, 2_000_000);
    assert.equal(snap.secondsLeft, 4);
    now = 2000;
    snap = meter.update(3_000_000);
    assert.equal(snap.bytesPerSecond, 1_500_000);
    assert.equal(
      describeTransfer(snap),
      '3.0 MB of 10 MB · 1.5 MB/s · 5 s left'
    );
    now = 2100;
    snap = meter.update(0);
    assert.equal(snap.bytesPerSecond, undefined);
  });
});

describe('ApiKeyStore', () => {
  it('keeps one key per Registry URL, never sends one to another URL', () => {
    const storage = new MemoryStorage();
    const keys = new ApiKeyStore(storage);
    keys.set('https://api.luml.ai/', ' dfs_abc ');
    assert.equal(keys.get('https://api.luml.ai'), 'dfs_abc');
    assert.equal(keys.get('https://evil.example'), undefined);
    assert.equal(
      new ApiKeyStore(storage).get('https://api.luml.ai'),
      'dfs_abc'
    );
    keys.forget('https://api.luml.ai');
    assert.equal(keys.get('https://api.luml.ai'), undefined);
    assert.equal(storage.items.size, 0);
  });

  it('refuses keys that cannot be right, and survives damaged storage', () => {
    assert.match(apiKeyProblem('') ?? '', /empty/);
    assert.match(apiKeyProblem('Bearer dfs_x') ?? '', /without "Bearer"/);
    assert.match(apiKeyProblem('dfs_a b') ?? '', /no spaces/);
    assert.equal(apiKeyProblem('dfs_ok'), undefined);
    const storage = new MemoryStorage();
    storage.setItem('luml-notebooks:registry-api-keys', '{not json');
    const keys = new ApiKeyStore(storage);
    assert.equal(keys.get('https://api.luml.ai'), undefined);
    assert.throws(() => keys.set('https://api.luml.ai', 'a b'), /no spaces/);
    // no storage at all (blocked): kept in memory for the session
    const memoryOnly = new ApiKeyStore(null);
    memoryOnly.set('https://api.luml.ai', 'dfs_1');
    assert.equal(memoryOnly.get('https://api.luml.ai'), 'dfs_1');
  });
});

const record = (over: Partial<IPushRecord> = {}): IPushRecord => ({
  path: 'models/a.luml',
  sha256: 'aa',
  size: 10,
  registryUrl: 'http://127.0.0.1:8765',
  organizationId: 'o',
  orbitId: 'b',
  collectionId: 'c',
  artifactId: 'x1',
  artifactName: 'a',
  pushedAt: '2026-01-01T00:00:00Z',
  ...over
});

describe('PushRecords', () => {
  it('remembers pushes in the state store, newest first', async () => {
    const state = new MemoryState();
    const records = new PushRecords(state);
    let changes = 0;
    records.changed.connect(() => changes++);
    await records.add(record());
    await records.add(record({ artifactId: 'x2', sha256: 'bb' }));
    const again = new PushRecords(state);
    await again.ready;
    assert.deepEqual(
      again.forPath('models/a.luml').map(r => r.artifactId),
      ['x2', 'x1']
    );
    assert.equal(
      again.findDuplicate('aa', 'http://127.0.0.1:8765', 'c')?.artifactId,
      'x1'
    );
    assert.equal(
      again.findDuplicate('aa', 'http://127.0.0.1:8765', 'd'),
      undefined
    );
    assert.equal(
      again.findDuplicate('aa', 'https://api.luml.ai', 'c'),
      undefined
    );
    assert.equal(changes, 2);
  });

  it('follows renames of files and folders', async () => {
    const records = new PushRecords(new MemoryState());
    await records.add(record({ path: 'models/a.luml' }));
    await records.add(record({ path: 'other.luml', artifactId: 'x3' }));
    await records.renamePath('models', 'archive/models');
    assert.equal(records.forPath('archive/models/a.luml').length, 1);
    await records.renamePath('other.luml', 'renamed.luml');
    assert.equal(records.forPath('renamed.luml')[0].artifactId, 'x3');
    assert.equal(records.forPath('models/a.luml').length, 0);
  });

  it('keeps valid entries of a damaged state and tracks unreported failures', async () => {
    const state = new MemoryState();
    state.data.set('luml-notebooks:registry-pushes', {
      records: [record(), { path: 3 }, null],
      unreported: 'nope'
    });
    const records = new PushRecords(state);
    await records.ready;
    assert.equal(records.all().length, 1);
    const failure = {
      registryUrl: 'http://r',
      organizationId: 'o',
      orbitId: 'b',
      collectionId: 'c',
      artifactId: 'f1',
      failedAt: 'now'
    };
    await records.addUnreported(failure);
    await records.addUnreported(failure);
    assert.equal(records.unreported('http://r').length, 1);
    assert.equal(records.unreported('http://other').length, 0);
    await records.removeUnreported('f1');
    assert.equal(records.unreported('http://r').length, 0);
  });
});

describe('RegistryConnection', () => {
  it('reads the build settings, tolerating anything malformed', () => {
    assert.deepEqual(
      readRegistryBuildSettings(
        JSON.stringify({
          'luml-notebooks:registry': {
            url: 'http://127.0.0.1:8765',
            localKey: true
          }
        })
      ),
      { url: 'http://127.0.0.1:8765', localKey: true }
    );
    assert.deepEqual(readRegistryBuildSettings('{oops'), {});
    assert.deepEqual(readRegistryBuildSettings(''), {});
    assert.equal(LOCAL_KEY_FILE, 'luml-local-registry-key.json');
  });

  it('uses the setting, else the build URL, else the hosted platform', () => {
    const keys = new ApiKeyStore(new MemoryStorage());
    const hosted = new RegistryConnection({ build: {}, keys });
    assert.equal(hosted.url, 'https://api.luml.ai');
    const built = new RegistryConnection({
      build: { url: 'http://127.0.0.1:8765/' },
      keys
    });
    assert.equal(built.url, 'http://127.0.0.1:8765');
    let changed = 0;
    built.changed.connect(() => changed++);
    built.setUserUrl('https://registry.example');
    assert.equal(built.url, 'https://registry.example');
    built.setUserUrl('not a url');
    assert.equal(built.url, 'http://127.0.0.1:8765');
    assert.match(built.urlProblem ?? '', /not a URL/);
    built.setUserUrl('');
    assert.equal(changed, 3);
  });

  it('takes the local Registry key only for its URL; a user key wins', async () => {
    const keys = new ApiKeyStore(new MemoryStorage());
    const connection = new RegistryConnection({
      build: { url: 'http://127.0.0.1:8765', localKey: true },
      keys,
      loadLocalKey: async () => ({
        url: 'http://127.0.0.1:8765/',
        apiKey: 'dfs_local'
      })
    });
    await connection.ready;
    assert.equal(connection.keySource, 'local-registry');
    assert.equal(connection.apiKey(), 'dfs_local');
    connection.setUserUrl('https://api.luml.ai');
    assert.equal(connection.apiKey(), undefined);
    assert.equal(connection.keySource, 'none');
    connection.setUserUrl('');
    connection.setApiKey('dfs_mine');
    assert.equal(connection.keySource, 'browser');
    assert.equal(connection.apiKey(), 'dfs_mine');
    connection.setApiKey(null);
    assert.equal(connection.apiKey(), 'dfs_local');

    const unasked = new RegistryConnection({
      build: { url: 'http://127.0.0.1:8765' },
      keys,
      loadLocalKey: async () => {
        throw new Error('must not be asked without localKey');
      }
    });
    await unasked.ready;
    assert.equal(unasked.keySource, 'none');
  });

  it('stores the default URL as an empty setting', () => {
    const connection = new RegistryConnection({
      build: { url: 'http://127.0.0.1:8765' },
      keys: new ApiKeyStore(null)
    });
    assert.equal(connection.settingFor(''), '');
    assert.equal(connection.settingFor('http://127.0.0.1:8765/'), '');
    assert.equal(
      connection.settingFor(' https://registry.example/ '),
      'https://registry.example'
    );
  });

  it('reports a failed connection test as one sentence', async () => {
    const connection = new RegistryConnection({
      build: { url: 'http://127.0.0.1:9' },
      keys: new ApiKeyStore(null)
    });
    const report = await connection.testConnection();
    assert.equal(report.ok, false);
    assert.equal(report.error?.kind, 'missing-key');
    assert.match(
      report.message,
      /No API key is set for the Registry at http:\/\/127\.0\.0\.1:9/
    );
  });
});
