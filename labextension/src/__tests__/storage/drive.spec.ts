// The chunked drive on fake-indexeddb: big files round-trip, old records
// are read as they are, failed writes keep the previous content.
import 'fake-indexeddb/auto';

import assert from 'node:assert/strict';
import { resolveObjectURL } from 'node:buffer';
import { afterEach, describe, it } from 'node:test';

import type { ServerConnection } from '@jupyterlab/services';

import {
  CHUNKS_STORE,
  CHUNK_SIZE,
  ChunkedStorageDrive,
  FILES_STORE,
  INLINE_LIMIT,
  KERNEL_CHANNEL_PREFIX,
  ShippedContents,
  bytesToBase64,
  isChunked,
  newContentId,
  wholeReadProblem
} from '../../storage';
import { pseudoRandomBytes } from '../format/tarBuilder';

let counter = 0;

function newDrive(name = `jl_test${counter++}`): ChunkedStorageDrive {
  return new ChunkedStorageDrive({
    indexedDB,
    storageName: name,
    serverSettings: {
      baseUrl: 'http://localhost/'
    } as ServerConnection.ISettings,
    shipped: new ShippedContents({
      baseUrl: 'http://localhost/',
      allJsonFile: ''
    })
  });
}

function pattern(size: number, seed = 7): Uint8Array {
  return pseudoRandomBytes(size, seed);
}

async function rawPut(drive: ChunkedStorageDrive, key: string, value: unknown) {
  const db = await drive.store.database();
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction(FILES_STORE, 'readwrite');
    tx.objectStore(FILES_STORE).put(value, key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

/** A new drive holding `big.bin` of `size` patterned bytes. */
async function driveWithBigFile(size: number) {
  const drive = newDrive();
  const bytes = pattern(size);
  await drive.save('big.bin', {
    type: 'file',
    format: 'base64',
    content: bytesToBase64(bytes)
  });
  return { drive, bytes };
}

async function readChunksStore<T>(
  drive: ChunkedStorageDrive,
  ask: (store: IDBObjectStore) => IDBRequest<T>
): Promise<T> {
  const db = await drive.store.database();
  return new Promise((resolve, reject) => {
    const request = ask(
      db.transaction(CHUNKS_STORE, 'readonly').objectStore(CHUNKS_STORE)
    );
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

const chunkKeys = (drive: ChunkedStorageDrive) =>
  readChunksStore(drive, store => store.getAllKeys());

const chunkValues = (drive: ChunkedStorageDrive): Promise<unknown[]> =>
  readChunksStore(drive, store => store.getAll());

/** Make puts into `store` fail as a full disk does, while `full()` says so. */
function refusePuts(store: string, full: () => boolean): () => void {
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (
    this: IDBObjectStore,
    ...args: Parameters<IDBObjectStore['put']>
  ) {
    if (this.name === store && full()) {
      throw new DOMException(
        'The quota has been exceeded.',
        'QuotaExceededError'
      );
    }
    return put.apply(this, args);
  };
  return () => {
    IDBObjectStore.prototype.put = put;
  };
}

describe('ChunkedStorageDrive', () => {
  let restore: (() => void) | null = null;
  afterEach(() => {
    restore?.();
    restore = null;
  });

  it('keeps small files in the JupyterLite 0.8 record', async () => {
    const drive = newDrive();
    const bytes = pattern(1000);
    await drive.save('small.bin', {
      type: 'file',
      format: 'base64',
      content: bytesToBase64(bytes)
    });
    const record = await drive.store.getRecord('small.bin');
    assert.equal(record?.content, bytesToBase64(bytes));
    assert.equal(record?.size, 1000);
    assert.equal(isChunked(record), false);
    assert.deepEqual(await chunkKeys(drive), []);
  });

  it('reopens a database connection that closed under it', async () => {
    const drive = newDrive();
    await drive.save('kept.txt', {
      type: 'file',
      format: 'text',
      content: 'six MiB of work'
    });
    // as when another page upgrades the database: the next transaction on
    // this connection would throw "the database connection is closing"
    (await drive.store.database()).close();
    const model = await drive.get('kept.txt', { content: true });
    assert.equal(model.content, 'six MiB of work');
  });

  it('refuses to hand over whole a file no string can hold, saying what works', async () => {
    const drive = newDrive();
    const size = 600 * 2 ** 20;
    await rawPut(drive, 'huge.bin', {
      name: 'huge.bin',
      path: 'huge.bin',
      type: 'file',
      format: 'base64',
      mimetype: 'application/octet-stream',
      content: null,
      size,
      writable: true,
      created: '2026-01-01T00:00:00.000Z',
      last_modified: '2026-01-01T00:00:00.000Z',
      chunks: { id: 'never-read', chunkSize: CHUNK_SIZE, count: 150 }
    });
    await assert.rejects(
      drive.get('huge.bin', { content: true }),
      /huge\.bin \(600 MiB\) is too large to open whole .*\(at most 383 MiB this way\)\. Python in a notebook reads it/
    );
    // its listing and metadata are unaffected
    assert.equal((await drive.get('huge.bin', { content: false })).size, size);
    assert.equal(
      wholeReadProblem({ path: 'a', size: 300 * 2 ** 20 }, 'base64'),
      null
    );
    assert.equal(
      wholeReadProblem({ path: 'a', size: 500 * 2 ** 20 }, 'text'),
      null
    );
  });

  it('stores a file larger than one chunk in chunks and reads it back', async () => {
    const { drive, bytes } = await driveWithBigFile(2 * CHUNK_SIZE + 12345);
    const record = await drive.store.getRecord('big.bin');
    assert.ok(isChunked(record));
    assert.equal(record.content, null);
    assert.equal(record.size, bytes.length);
    assert.equal(record.chunks.count, 3);
    const model = await drive.get('big.bin', { content: true });
    assert.equal(model.content, bytesToBase64(bytes));
    assert.equal(model.size, bytes.length);
    const listed = await drive.get('', { content: true });
    const entry = listed.content.find(
      (m: { name: string }) => m.name === 'big.bin'
    );
    assert.equal(entry.size, bytes.length);
    assert.equal('chunks' in entry, false);
  });

  it('reads any byte range, across chunk borders', async () => {
    const { drive, bytes } = await driveWithBigFile(2 * CHUNK_SIZE + 100);
    for (const [start, end] of [
      [0, 10],
      [CHUNK_SIZE - 5, CHUNK_SIZE + 5],
      [CHUNK_SIZE * 2 + 90, CHUNK_SIZE * 2 + 200]
    ]) {
      assert.deepEqual(
        await drive.readRange('big.bin', start, end),
        bytes.slice(start, end)
      );
    }
  });

  it('stores chunks as Blobs and gives ranges as Blobs, byte for byte', async () => {
    const { drive, bytes } = await driveWithBigFile(2 * CHUNK_SIZE + 100);
    const values = await chunkValues(drive);
    assert.equal(values.length, 3);
    assert.ok(values.every(value => value instanceof Blob));
    const reader = await drive.openFile('big.bin');
    for (const [start, end] of [
      [0, bytes.length],
      [CHUNK_SIZE - 5, CHUNK_SIZE + 5],
      [CHUNK_SIZE * 2 + 90, CHUNK_SIZE * 2 + 200]
    ]) {
      const blob = await reader.readBlob(start, end - start);
      assert.deepEqual(
        new Uint8Array(await blob.arrayBuffer()),
        bytes.slice(start, end)
      );
    }
  });

  it('reads chunks stored as ArrayBuffers (before Blobs) alike', async () => {
    const { drive, bytes } = await driveWithBigFile(CHUNK_SIZE + 100);
    const record = await drive.store.getRecord('big.bin');
    assert.ok(isChunked(record));
    // as an earlier version stored them
    const db = await drive.store.database();
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(CHUNKS_STORE, 'readwrite');
      for (const index of [0, 1]) {
        const part = bytes.slice(index * CHUNK_SIZE, (index + 1) * CHUNK_SIZE);
        tx.objectStore(CHUNKS_STORE).put(part.buffer, [
          record.chunks.id,
          index
        ]);
      }
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    assert.ok((await chunkValues(drive)).every(v => v instanceof ArrayBuffer));
    assert.deepEqual(
      await drive.readRange('big.bin', CHUNK_SIZE - 5, CHUNK_SIZE + 5),
      bytes.slice(CHUNK_SIZE - 5, CHUNK_SIZE + 5)
    );
    const whole = await (await drive.openFile('big.bin')).blob();
    assert.deepEqual(new Uint8Array(await whole.arrayBuffer()), bytes);
  });

  it('reads JupyterLite 0.8 records as they are and rewrites them when saved', async () => {
    const drive = newDrive();
    const bytes = pattern(INLINE_LIMIT + 10);
    const legacy = {
      name: 'old.bin',
      path: 'old.bin',
      type: 'file',
      format: 'base64',
      mimetype: 'application/octet-stream',
      content: bytesToBase64(bytes),
      size: bytes.length,
      writable: true,
      created: '2025-01-01T00:00:00.000Z',
      last_modified: '2025-01-01T00:00:00.000Z'
    };
    await rawPut(drive, 'old.bin', legacy);
    await rawPut(drive, 'notes.txt', {
      ...legacy,
      name: 'notes.txt',
      path: 'notes.txt',
      format: 'text',
      content: 'hello',
      size: 5,
      mimetype: 'text/plain'
    });
    assert.equal(
      (await drive.get('old.bin', { content: true })).content,
      legacy.content
    );
    assert.deepEqual(await drive.readRange('old.bin', 5, 9), bytes.slice(5, 9));
    assert.equal(
      (await drive.get('notes.txt', { content: true })).content,
      'hello'
    );
    assert.equal(
      (await drive.get('notes.txt', { content: true, format: 'base64' }))
        .content,
      bytesToBase64(new TextEncoder().encode('hello'))
    );

    await drive.save('old.bin', {
      type: 'file',
      format: 'base64',
      content: legacy.content
    });
    const record = await drive.store.getRecord('old.bin');
    assert.ok(isChunked(record));
    assert.equal(record.created, legacy.created);
    assert.deepEqual(await drive.readRange('old.bin', 0, bytes.length), bytes);
  });

  it('rejects a write over quota with a clear message and keeps the old content', async () => {
    const drive = newDrive();
    const first = pattern(CHUNK_SIZE + 1, 1);
    await drive.save('model.bin', {
      type: 'file',
      format: 'base64',
      content: bytesToBase64(first)
    });
    let full = false;
    restore = refusePuts(CHUNKS_STORE, () => full);
    full = true;
    await assert.rejects(
      drive.save('model.bin', {
        type: 'file',
        format: 'base64',
        content: bytesToBase64(pattern(3 * CHUNK_SIZE, 2))
      }),
      (error: Error & { errno?: string }) => {
        assert.equal(error.name, 'QuotaExceededError');
        assert.equal(error.errno, 'ENOSPC');
        assert.match(
          error.message,
          /Not enough browser storage to save “model.bin”/
        );
        assert.match(error.message, /keeps its previous content/);
        return true;
      }
    );
    full = false;
    assert.deepEqual(
      await drive.readRange('model.bin', 0, first.length),
      first
    );
    // nothing of the refused write is left behind
    const ids = new Set(
      (await chunkKeys(drive)).map(key => (key as string[])[0])
    );
    assert.equal(ids.size, 1);
  });

  it('rejects when the record cannot be switched, and drops the new chunks', async () => {
    const drive = newDrive();
    await drive.save('a.txt', {
      type: 'file',
      format: 'text',
      content: 'kept'
    });
    restore = refusePuts(FILES_STORE, () => true);
    await assert.rejects(
      drive.save('a.txt', {
        type: 'file',
        format: 'base64',
        content: bytesToBase64(pattern(CHUNK_SIZE * 2))
      }),
      /Not enough browser storage/
    );
    restore();
    restore = null;
    assert.equal((await drive.get('a.txt', { content: true })).content, 'kept');
    assert.deepEqual(await chunkKeys(drive), []);
  });

  it('takes a chunked upload and switches the record only with the last part', async () => {
    const drive = newDrive();
    await drive.save('up.bin', {
      type: 'file',
      format: 'text',
      content: 'before'
    });
    const bytes = pattern(CHUNK_SIZE + 3 * 1024 * 1024);
    const part = 1024 * 1024;
    for (let start = 0, n = 1; start < bytes.length; start += part, n++) {
      const last = start + part >= bytes.length;
      await drive.save('up.bin', {
        type: 'file',
        format: 'base64',
        chunk: last ? -1 : n,
        content: bytesToBase64(bytes.subarray(start, start + part))
      });
      if (!last) {
        assert.equal(
          (await drive.get('up.bin', { content: true })).content,
          'before'
        );
      }
    }
    assert.deepEqual(await drive.readRange('up.bin', 0, bytes.length), bytes);
  });

  it('answers kernel writes through the status path, failures included', async () => {
    const drive = newDrive();
    const bytes = pattern(CHUNK_SIZE * 2 + 7);
    const piece = CHUNK_SIZE + 1;
    const send = async (id: string, data: Uint8Array) => {
      for (let offset = 0; offset < data.length; offset += piece) {
        await drive.save('/k.bin', {
          type: 'file',
          format: `luml-write/${id}/${offset}` as never,
          content: bytesToBase64(data.subarray(offset, offset + piece))
        });
      }
      await drive.save('/k.bin', {
        type: 'file',
        format: `luml-write/${id}/commit/${data.length}/base64` as never,
        content: ''
      });
      const status = await drive.get(`/.luml-kernel/status/${id}`, {
        content: true
      });
      return JSON.parse(status.content);
    };
    assert.deepEqual(await send('w1', bytes), { ok: true });
    // asked again (a torn answer on the kernel's side): the same status
    const again = await drive.get('/.luml-kernel/status/w1', { content: true });
    assert.deepEqual(JSON.parse(again.content), { ok: true });
    assert.deepEqual(await drive.readRange('k.bin', 0, bytes.length), bytes);
    const range = await drive.get(
      `.luml-kernel/range/${CHUNK_SIZE}/${CHUNK_SIZE + 10}/k.bin`,
      { content: true }
    );
    const answer = JSON.parse(range.content);
    assert.equal(answer.size, bytes.length);
    assert.equal(
      answer.data,
      bytesToBase64(bytes.slice(CHUNK_SIZE, CHUNK_SIZE + 10))
    );

    const failures: string[] = [];
    drive.writeFailed.connect((_, failure) =>
      failures.push(failure.error.errno)
    );
    let full = false;
    restore = refusePuts(CHUNKS_STORE, () => full);
    full = true;
    const status = await send('w2', pattern(CHUNK_SIZE * 3, 9));
    assert.equal(status.ok, false);
    assert.equal(status.errno, 'ENOSPC');
    assert.match(status.message, /Not enough browser storage to save “k.bin”/);
    assert.deepEqual(failures, ['ENOSPC']);
    full = false;
    assert.deepEqual(await drive.readRange('k.bin', 0, bytes.length), bytes);
  });

  it('takes a kernel write posted on its channel, a piece at a time', async () => {
    const drive = newDrive();
    const ask = async (path: string) =>
      JSON.parse((await drive.get(path, { content: true })).content);
    assert.deepEqual(await ask('.luml-kernel/channel'), { name: null });
    const name = `${KERNEL_CHANNEL_PREFIX}page-${counter}`;
    const stop = drive.listenToKernelPieces(name);
    const kernel = new BroadcastChannel(name);
    try {
      assert.deepEqual(await ask('.luml-kernel/channel'), { name });
      const piece = CHUNK_SIZE + 1;
      const send = async (id: string, data: Uint8Array, skip = -1) => {
        for (let offset = 0; offset < data.length; offset += piece) {
          if (offset === skip) {
            continue;
          }
          const bytes = data.slice(offset, offset + piece);
          kernel.postMessage({
            id,
            path: '/k.bin',
            offset,
            bytes: bytes.buffer
          });
        }
        // asked before the pieces arrived: answered once they are stored
        const stored = await ask(`.luml-kernel/stored/${id}/${piece}/k.bin`);
        assert.ok(stored.stored >= piece || !stored.ok);
        await drive.save('/k.bin', {
          type: 'file',
          format: `luml-write/${id}/commit/${data.length}/base64` as never,
          content: ''
        });
        return ask(`.luml-kernel/status/${id}`);
      };
      const bytes = pattern(CHUNK_SIZE * 2 + 7, 3);
      assert.deepEqual(await send('c1', bytes), { ok: true });
      assert.deepEqual(await drive.readRange('k.bin', 0, bytes.length), bytes);

      // a piece missing: the write fails and the file keeps its content
      const failures: string[] = [];
      drive.writeFailed.connect((_, failure) =>
        failures.push(failure.error.message)
      );
      const status = await send('c2', pattern(CHUNK_SIZE * 2 + 7, 4), piece);
      assert.equal(status.ok, false);
      assert.equal(status.errno, 'EIO');
      assert.equal(failures.length, 1);
      assert.deepEqual(await drive.readRange('k.bin', 0, bytes.length), bytes);

      // a read: a blob URL of each range, until the kernel releases it
      const ranges: Uint8Array[] = [];
      let version: string | undefined;
      const third = Math.ceil(bytes.length / 3);
      for (let at = 0; at < bytes.length; at += third) {
        const blob = await ask(`.luml-kernel/blob/${at}/${at + third}/k.bin`);
        assert.equal(blob.size, bytes.length);
        assert.equal(blob.format, 'base64');
        version ??= blob.version;
        assert.equal(blob.version, version);
        const made = resolveObjectURL(blob.url);
        assert.ok(made);
        // the range alone (the last one clipped to the file)
        assert.equal(made.size, Math.min(third, bytes.length - at));
        ranges.push(new Uint8Array(await made.arrayBuffer()));
        const id = blob.url.slice(blob.url.lastIndexOf('/') + 1);
        await ask(`.luml-kernel/release/${id}`);
        assert.equal(resolveObjectURL(blob.url), undefined);
      }
      assert.deepEqual(new Uint8Array(Buffer.concat(ranges)), bytes);
      const past = await ask(
        `.luml-kernel/blob/${bytes.length + 5}/${bytes.length + 9}/k.bin`
      );
      assert.equal(resolveObjectURL(past.url)?.size, 0);
      // a new content, a new version
      await drive.save('k.bin', {
        type: 'file',
        format: 'base64',
        content: bytesToBase64(pattern(CHUNK_SIZE + 1, 9))
      });
      const changed = await ask('.luml-kernel/blob/0/1/k.bin');
      assert.notEqual(changed.version, version);
      await assert.rejects(drive.get('.luml-kernel/blob/0/1/none.bin'));
    } finally {
      kernel.close();
      stop();
    }
    // not listening any more
    assert.deepEqual(await ask('.luml-kernel/channel'), { name: null });
  });

  it('collects chunks no record refers to once they are old', async () => {
    const drive = newDrive();
    await drive.save('big.bin', {
      type: 'file',
      format: 'base64',
      content: bytesToBase64(pattern(CHUNK_SIZE + 1))
    });
    const old = newContentId(Date.now() - 7 * 3600 * 1000);
    const recent = newContentId();
    await drive.store.putChunk(old, 0, pattern(10));
    await drive.store.putChunk(recent, 0, pattern(10));
    assert.equal(await drive.collectOrphans(), 1);
    const ids = new Set(
      (await chunkKeys(drive)).map(key => (key as string[])[0])
    );
    assert.equal(ids.has(old), false);
    assert.equal(ids.has(recent), true);
    assert.equal(ids.size, 2);
  });

  it('copies, renames, checkpoints and deletes chunked files', async () => {
    const drive = newDrive();
    const bytes = pattern(CHUNK_SIZE + 99);
    await drive.newUntitled({ type: 'directory' });
    await drive.save('big.bin', {
      type: 'file',
      format: 'base64',
      content: bytesToBase64(bytes)
    });
    const copy = await drive.copy('big.bin', 'Untitled Folder');
    assert.equal(copy.path, 'Untitled Folder/big.bin');
    await drive.rename('Untitled Folder', 'data');
    assert.deepEqual(
      await drive.readRange('data/big.bin', 0, bytes.length),
      bytes
    );
    const checkpoint = await drive.createCheckpoint('big.bin');
    await drive.save('big.bin', {
      type: 'file',
      format: 'text',
      content: 'small now'
    });
    await drive.restoreCheckpoint('big.bin', checkpoint.id);
    assert.deepEqual(await drive.readRange('big.bin', 0, bytes.length), bytes);
    await drive.delete('big.bin');
    await drive.delete('data');
    assert.deepEqual(await chunkKeys(drive), []);
  });
});
