import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';

import { IDBFactory } from 'fake-indexeddb';

import {
  BackupReader,
  BackupWriter,
  BytesRandomAccess,
  Restorer
} from '../../backup';
import {
  mimetypeOf,
  SiteShippedFiles,
  StorageContents,
  storedSize
} from '../../backup/storageContents';
import { databaseName } from '../../instances/ids';
import { InstanceStore } from '../../instances/instanceStore';
import { CollectSink } from './memoryContents';
import { NOTEBOOK, sampleInstance } from './sampleInstance';

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
    contents.close();
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

  it('sizes and mimetypes match the drive', () => {
    assert.equal(storedSize('base64', 'AAE='), 2);
    assert.equal(storedSize('json', { a: 1 }), 7);
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
