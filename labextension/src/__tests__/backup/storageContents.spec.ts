// IDBKeyRange for the storage layer's key ranges (each test has its own factory)
import 'fake-indexeddb/auto';

import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';

import { IDBFactory } from 'fake-indexeddb';

import {
  BinaryParts,
  BackupReader,
  BackupWriter,
  BytesRandomAccess,
  Restorer
} from '../../backup';
import {
  SiteShippedFiles,
  StorageContents
} from '../../backup/storageContents';
import { FileStore } from '../../storage/fileStore';
import { inlineSize, mimetypeOf } from '../../storage/formats';
import {
  CHUNKS_STORE,
  FILES_STORE,
  INLINE_LIMIT,
  IStoredModel,
  isChunked
} from '../../storage/schema';
import { bytesToBase64 } from '../../storage/base64';
import { databaseName } from '../../instances/ids';
import { InstanceStore } from '../../instances/instanceStore';
import { CollectSink } from './memoryContents';
import { zipOf } from './zipTools';
import { NOTEBOOK, sampleInstance } from './sampleInstance';
import { pseudoRandomBytes } from '../format/tarBuilder';
import { fileRecord } from '../storage/records';

async function newInstance(idb: IDBFactory, name: string) {
  const store = new InstanceStore({
    indexedDB: idb as unknown as globalThis.IDBFactory,
    random: webcrypto as any
  });
  const info = await store.create(name);
  return StorageContents.open(
    idb as unknown as globalThis.IDBFactory,
    databaseName(info.id)
  );
}

/** The instance database of a new instance, through the storage layer. */
async function newStore(idb: IDBFactory, name: string): Promise<FileStore> {
  const store = new InstanceStore({
    indexedDB: idb as unknown as globalThis.IDBFactory,
    random: webcrypto as any
  });
  const info = await store.create(name);
  return new FileStore({
    indexedDB: idb as unknown as globalThis.IDBFactory,
    name: databaseName(info.id)
  });
}

function pattern(size: number, seed = 11): Uint8Array {
  return pseudoRandomBytes(size, seed);
}

const fileModel = (path: string): IStoredModel => fileRecord(path);

async function backupOf(contents: StorageContents): Promise<Uint8Array> {
  const sink = new CollectSink();
  await new BackupWriter(contents).write(sink, {
    instance: { id: 'x', name: 'x' },
    siteVersion: 'v'
  });
  return sink.bytes();
}

async function entryBytes(zip: Uint8Array, path: string): Promise<Uint8Array> {
  const reader = await BackupReader.open(new BytesRandomAccess(zip));
  const file = reader.files.find(f => f.path === path);
  assert.ok(file, `${path} is in the backup`);
  const parts: Uint8Array[] = [];
  for await (const chunk of reader.stream(file)) {
    parts.push(chunk);
  }
  return new Uint8Array(Buffer.concat(parts));
}

async function storeCount(store: FileStore, name: string): Promise<number> {
  const db = await store.database();
  return new Promise((resolve, reject) => {
    const request = db.transaction(name).objectStore(name).count();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** A site that ships `hello.py` and `nb/shipped.ipynb`. */
function site(): SiteShippedFiles {
  const files: Record<string, string> = {
    'api/contents/all.json': JSON.stringify({
      content: [
        { name: 'hello.py', path: 'hello.py', type: 'file', size: 14 },
        { name: 'nb', path: 'nb', type: 'directory' }
      ]
    }),
    'api/contents/nb/all.json': JSON.stringify({
      content: [
        { name: 'shipped.ipynb', path: 'nb/shipped.ipynb', type: 'notebook' }
      ]
    }),
    'files/hello.py': "print('hi')\n",
    'files/nb/shipped.ipynb': JSON.stringify(NOTEBOOK)
  };
  const fake = async (url: any) => {
    const path = new URL(String(url)).pathname.replace(/^\/site\//, '');
    const body = files[decodeURIComponent(path)];
    return body === undefined
      ? new Response('', { status: 404 })
      : new Response(body);
  };
  return new SiteShippedFiles(
    'http://localhost/site/',
    'all.json',
    fake as typeof fetch
  );
}

describe('StorageContents', () => {
  it('stores records as the JupyterLite drive does', async () => {
    const idb = new IDBFactory();
    const contents = await newInstance(idb, 'A');
    await contents.save('work', { type: 'directory' });
    const text = await contents.save('work/a.py', {
      type: 'file',
      format: 'text',
      content: 'é\n'
    });
    assert.equal(text.size, 3);
    assert.equal((text as any).mimetype, 'text/x-python');
    const nb = await contents.save('work/n.ipynb', {
      format: 'json',
      content: NOTEBOOK
    });
    assert.equal(nb.type, 'notebook');
    const bin = await contents.save('b.bin', {
      format: 'base64',
      content: 'AAEC'
    });
    assert.equal(bin.size, 3);
    await assert.rejects(
      contents.save('missing/x.txt', { format: 'text', content: 'x' }),
      /Directory does not exist/
    );
    const root = await contents.get('', { content: true });
    assert.deepEqual((root.content as any[]).map(c => c.path).sort(), [
      'b.bin',
      'work'
    ]);
    const work = await contents.get('work', { content: true });
    assert.deepEqual((work.content as any[]).map(c => c.name).sort(), [
      'a.py',
      'n.ipynb'
    ]);
    const moved = await contents.rename('work', 'moved');
    assert.equal(moved.type, 'directory');
    assert.equal(
      (await contents.get('moved/a.py', { content: true })).content,
      'é\n'
    );
    await assert.rejects(contents.get('work/a.py'));
    await contents.delete('moved');
    await assert.rejects(contents.get('moved/n.ipynb'));
    // a folder deleted after files were saved into it is not written into
    await assert.rejects(
      contents.save('moved/late.txt', { format: 'text', content: 'x' }),
      /Directory does not exist/
    );
    contents.close();
  });

  it('keeps the creation time of a file saved over', async () => {
    const idb = new IDBFactory();
    const store = await newStore(idb, 'Times');
    let now = new Date('2026-01-01T00:00:00.000Z');
    const open = () =>
      StorageContents.open(
        idb as unknown as globalThis.IDBFactory,
        store.name,
        {
          now: () => now
        }
      );
    const contents = await open();
    await contents.save('a.txt', { format: 'text', content: 'one' });
    now = new Date('2026-02-02T00:00:00.000Z');
    await contents.save('a.txt', { format: 'text', content: 'two' });
    const record = await store.getRecord('a.txt');
    assert.equal(record?.created, '2026-01-01T00:00:00.000Z');
    assert.equal(record?.last_modified, '2026-02-02T00:00:00.000Z');
    assert.equal(record?.content, 'two');
    contents.close();
    store.close();
  });

  it('round-trips a backup between two instances byte for byte', async () => {
    const idb = new IDBFactory();
    const source = await newInstance(idb, 'Source');
    // the sample written into storage through the restorer
    const sink = new CollectSink();
    await new BackupWriter(sampleInstance()).write(sink, {
      instance: { id: 'x', name: 'x' },
      siteVersion: 'v'
    });
    const zip = sink.bytes();
    const open = () => BackupReader.open(new BytesRandomAccess(zip));
    await new Restorer(source).restore(await open(), { policy: 'skip' });

    const again = new CollectSink();
    const summary = await new BackupWriter(source).write(again, {
      instance: { id: 'x', name: 'x' },
      siteVersion: 'v'
    });
    const first = (await open()).manifest!;
    const hashes = (files: { path: string; sha256: string }[]) =>
      Object.fromEntries(files.map(f => [f.path, f.sha256]));
    assert.deepEqual(hashes(summary.manifest.files), hashes(first.files));
    assert.deepEqual(
      summary.manifest.folders.map(f => f.path).sort(),
      first.folders.map(f => f.path).sort()
    );
    source.close();
  });

  it('layers shipped files under stored ones', async () => {
    const idb = new IDBFactory();
    const store = new InstanceStore({
      indexedDB: idb as unknown as globalThis.IDBFactory,
      random: webcrypto as any
    });
    const info = await store.create('S');
    const contents = await StorageContents.open(
      idb as unknown as globalThis.IDBFactory,
      databaseName(info.id),
      { shipped: site() }
    );
    const root = await contents.get('', { content: true });
    assert.deepEqual((root.content as any[]).map(c => c.name).sort(), [
      'hello.py',
      'nb'
    ]);
    const hello = await contents.get('hello.py', { content: true });
    assert.equal(hello.format, 'text');
    assert.equal(hello.content, "print('hi')\n");
    const nb = await contents.get('nb/shipped.ipynb', { content: true });
    assert.equal(nb.format, 'json');
    assert.deepEqual(nb.content, NOTEBOOK);
    await contents.save('hello.py', { format: 'text', content: 'edited' });
    assert.equal(
      (await contents.get('hello.py', { content: true })).content,
      'edited'
    );
    contents.close();
  });

  it('never creates a database', async () => {
    const idb = new IDBFactory();
    await assert.rejects(
      StorageContents.open(idb as unknown as globalThis.IDBFactory, 'jl_nope'),
      /no longer exists/
    );
    assert.deepEqual(await idb.databases(), []);
  });

  it('backs up a file kept in chunks with its exact bytes', async () => {
    const idb = new IDBFactory();
    const store = await newStore(idb, 'Chunked');
    const big = pattern(2 * INLINE_LIMIT + 12345);
    const saved = await store.putContent(
      'data/big.bin',
      fileModel('data/big.bin'),
      bytesToBase64(big)
    );
    assert.ok(isChunked(saved));
    await store.putRecord('data', {
      ...fileModel('data'),
      type: 'directory',
      format: 'json'
    });
    const small = pattern(1000, 3);
    await store.putContent(
      'small.bin',
      fileModel('small.bin'),
      bytesToBase64(small)
    );
    store.close();
    const contents = await StorageContents.open(
      idb as unknown as globalThis.IDBFactory,
      store.name
    );
    const listed = await contents.get('data', { content: true });
    assert.deepEqual(
      (listed.content as any[]).map(c => [c.path, c.size, c.content]),
      [['data/big.bin', big.length, null]]
    );
    assert.equal((listed.content as any[])[0].chunks, undefined);
    const zip = await backupOf(contents);
    contents.close();
    assert.deepEqual(await entryBytes(zip, 'data/big.bin'), big);
    assert.deepEqual(await entryBytes(zip, 'small.bin'), small);
    const manifest = (await BackupReader.open(new BytesRandomAccess(zip)))
      .manifest!;
    const record = manifest.files.find(f => f.path === 'data/big.bin')!;
    assert.equal(record.size, big.length);
    assert.equal(record.kind, 'binary');
  });

  it('restores a large file as chunks, and over one, dropping the old chunks', async () => {
    const idb = new IDBFactory();
    const big = pattern(INLINE_LIMIT + 777, 5);
    const zip = zipOf([['m/model.luml', big]]);
    const store = await newStore(idb, 'Target');
    const older = pattern(3 * INLINE_LIMIT, 9);
    await store.putRecord('m', {
      ...fileModel('m'),
      type: 'directory',
      format: 'json'
    });
    await store.putContent(
      'm/model.luml',
      fileModel('m/model.luml'),
      bytesToBase64(older)
    );
    assert.equal(await storeCount(store, CHUNKS_STORE), 3);
    const contents = await StorageContents.open(
      idb as unknown as globalThis.IDBFactory,
      store.name
    );
    const given: unknown[] = [];
    const save = contents.save.bind(contents);
    contents.save = (path, options = {}) => {
      given.push(options.content);
      return save(path, options);
    };
    const reader = await BackupReader.open(new BytesRandomAccess(zip));
    const result = await new Restorer(contents).restore(reader, {
      policy: 'overwrite'
    });
    assert.deepEqual(result.written, ['m/model.luml']);
    // the bytes came as parts: no base64 string of the whole file
    assert.ok(given.some(content => content instanceof BinaryParts));
    assert.ok(!given.some(content => typeof content === 'string'));
    contents.close();
    const record = await store.getRecord('m/model.luml');
    assert.ok(isChunked(record), 'stored as chunks');
    assert.equal(record!.content, null);
    assert.equal(record!.size, big.length);
    assert.deepEqual(await store.readBytes(record!), big);
    // the old content's chunks and the set-aside copy are gone
    assert.equal(await storeCount(store, CHUNKS_STORE), 2);
    assert.deepEqual((await store.keys()).sort(), ['m', 'm/model.luml']);
    store.close();
  });

  it('moves and deletes chunked files with their chunks', async () => {
    const idb = new IDBFactory();
    const store = await newStore(idb, 'Moves');
    const big = pattern(INLINE_LIMIT + 1, 13);
    await store.putContent('a.bin', fileModel('a.bin'), bytesToBase64(big));
    const contents = await StorageContents.open(
      idb as unknown as globalThis.IDBFactory,
      store.name
    );
    await contents.save('dir', { type: 'directory' });
    await contents.rename('a.bin', 'dir/b.bin');
    const moved = await contents.get('dir/b.bin', { content: true });
    assert.equal(moved.size, big.length);
    assert.deepEqual(
      await entryBytes(await backupOf(contents), 'dir/b.bin'),
      big
    );
    await contents.delete('dir');
    assert.equal(await storeCount(store, CHUNKS_STORE), 0);
    assert.equal(await storeCount(store, FILES_STORE), 0);
    contents.close();
    store.close();
  });

  it('backs up an old instance: inline base64 records of any size', async () => {
    const idb = new IDBFactory();
    const store = await newStore(idb, 'Old');
    const big = pattern(INLINE_LIMIT + 4096, 17);
    const db = await store.database();
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(FILES_STORE, 'readwrite');
      // as JupyterLite 0.8 writes it: one base64 string, whatever the size
      tx.objectStore(FILES_STORE).put(
        {
          ...fileModel('old.bin'),
          content: bytesToBase64(big),
          size: big.length
        },
        'old.bin'
      );
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    store.close();
    const contents = await StorageContents.open(
      idb as unknown as globalThis.IDBFactory,
      store.name
    );
    assert.deepEqual(
      await entryBytes(await backupOf(contents), 'old.bin'),
      big
    );
    contents.close();
  });

  it('a failed large save keeps the previous file', async () => {
    const idb = new IDBFactory();
    const store = await newStore(idb, 'Full');
    const contents = await StorageContents.open(
      idb as unknown as globalThis.IDBFactory,
      store.name
    );
    await contents.save('keep.txt', { format: 'text', content: 'precious' });
    const put = FileStore.prototype.putChunk;
    let calls = 0;
    FileStore.prototype.putChunk = async function (id, index, bytes) {
      if (++calls === 2) {
        throw new DOMException('Quota exceeded', 'QuotaExceededError');
      }
      return put.call(this, id, index, bytes);
    };
    try {
      await assert.rejects(
        contents.save('keep.txt', {
          format: 'base64',
          content: bytesToBase64(pattern(3 * INLINE_LIMIT))
        }),
        (error: Error) =>
          error.name === 'QuotaExceededError' &&
          /Not enough browser storage.*keeps its previous content/.test(
            error.message
          )
      );
    } finally {
      FileStore.prototype.putChunk = put;
    }
    const kept = await contents.get('keep.txt', { content: true });
    assert.equal(kept.content, 'precious');
    assert.equal(await storeCount(store, CHUNKS_STORE), 0);
    contents.close();
    store.close();
  });

  it('sizes and mimetypes match the drive', () => {
    assert.equal(inlineSize('base64', 'AAE='), 2);
    assert.equal(inlineSize('json', { a: 1 }), 7);
    assert.equal(mimetypeOf('x.CSV'), 'text/csv');
    assert.equal(
      mimetypeOf('m.luml', {
        luml: { extensions: ['.luml'], mimeTypes: ['application/x-luml'] }
      }),
      'application/x-luml'
    );
    assert.equal(mimetypeOf('noext'), 'application/octet-stream');
  });
});
