import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  BackupError,
  BackupReader,
  BackupWriter,
  BytesRandomAccess
} from '../../backup';
import {
  centralHeader,
  endRecords,
  IZipRecord,
  localHeader
} from '../../backup/zipWriter';
import { CollectSink, MemoryContents } from './memoryContents';
import { craftZip64, SparseRandomAccess, zipOf } from './zipTools';

/** More files than a 16-bit count can hold. */
const MANY = 65_600;
const GiB = 1024 ** 3;

function manyFiles(): MemoryContents {
  const contents = new MemoryContents();
  for (let folder = 0; folder < Math.ceil(MANY / 1000); folder++) {
    contents.addFolder(`f${folder}`);
  }
  for (let i = 0; i < MANY; i++) {
    contents.addText(`f${Math.floor(i / 1000)}/${i}.txt`, `${i}\n`);
  }
  return contents;
}

describe('zip64: archives past 65,535 files or 4 GiB', () => {
  it('backs up and restores 65,600 files, all of them', async () => {
    const sink = new CollectSink();
    const summary = await new BackupWriter(manyFiles()).write(sink, {
      instance: { id: 'jl_many', name: 'Many' },
      siteVersion: '0.1.0'
    });
    assert.equal(summary.manifest.files.length, MANY);
    const zip = Buffer.from(sink.bytes());
    // the 16-bit count says "see the zip64 record", which holds the truth
    const end = zip.length - 22;
    assert.equal(zip.readUInt32LE(end), 0x06054b50);
    assert.equal(zip.readUInt16LE(end + 10), 0xffff);
    assert.equal(zip.readUInt32LE(end - 20), 0x07064b50);
    const zip64End = Number(zip.readBigUInt64LE(end - 20 + 8));
    assert.equal(zip.readUInt32LE(zip64End), 0x06064b50);
    // files, empty folders (none here) and the manifest
    assert.equal(Number(zip.readBigUInt64LE(zip64End + 32)), MANY + 1);

    const reader = await BackupReader.open(new BytesRandomAccess(zip));
    assert.equal(reader.files.length, MANY);
    const hashes = await reader.verify();
    assert.equal(hashes.size, MANY);
    const restored = new MemoryContents();
    const { Restorer } = await import('../../backup');
    const result = await new Restorer(restored).restore(reader, {
      policy: 'skip'
    });
    assert.equal(result.written.length, MANY);
    assert.equal(restored.records.get('f65/65599.txt')?.content, '65599\n');
  });

  it('rejects the short zip a 16-bit writer made of 65,600 files', async () => {
    const entries: [string, string][] = [];
    for (let i = 0; i < MANY; i++) {
      entries.push([`f/${i}.txt`, `${i}\n`]);
    }
    const short = Buffer.from(zipOf(entries));
    // what such writers leave: 65,600 entries counted as 64
    assert.equal(short.readUInt16LE(short.length - 22 + 10), MANY - 0x10000);
    await assert.rejects(
      BackupReader.open(new BytesRandomAccess(short)),
      (error: BackupError) => {
        assert.equal(error.code, 'damaged');
        assert.match(error.message, /counts 64 entries/);
        assert.match(error.message, /65,535/);
        assert.match(error.message, /Nothing was restored/);
        return true;
      }
    );
  });

  it('reads entries whose offsets and directory lie past 4 GiB', async () => {
    const hello = new TextEncoder().encode('hello\n');
    const world = new TextEncoder().encode('world\n');
    const source = craftZip64(
      [
        { name: 'small.txt', data: hello, offset: 0 },
        { name: 'far/away.txt', data: world, offset: 5 * GiB },
        {
          name: 'farther.txt',
          data: hello,
          offset: 6 * GiB + 7,
          zip64Sizes: true
        }
      ],
      9 * GiB
    );
    const reader = await BackupReader.open(source);
    const byPath = new Map(reader.files.map(f => [f.path, f]));
    assert.deepEqual(
      [...byPath.keys()],
      ['small.txt', 'far/away.txt', 'farther.txt']
    );
    assert.equal(byPath.get('far/away.txt')!.entry.localHeaderOffset, 5 * GiB);
    assert.equal(
      byPath.get('farther.txt')!.entry.localHeaderOffset,
      6 * GiB + 7
    );
    assert.equal(byPath.get('farther.txt')!.size, hello.length);
    const chunks: Uint8Array[] = [];
    for await (const chunk of reader.stream(byPath.get('far/away.txt')!)) {
      chunks.push(chunk);
    }
    assert.equal(Buffer.concat(chunks).toString(), 'world\n');
    await reader.verify();
  });

  it('writes offsets past 4 GiB into zip64 fields every reader finds', async () => {
    const data = new TextEncoder().encode('far away\n');
    const { crc32 } = await import('node:zlib');
    const records: IZipRecord[] = [0, 4 * GiB - 100, 4 * GiB, 7 * GiB].map(
      (offset, i) => ({
        name: `part${i}.txt`,
        method: 0,
        streamed: false,
        folder: false,
        modified: Date.UTC(2026, 2, 4),
        crc32: crc32(data),
        compressedSize: data.length,
        size: data.length,
        localHeaderOffset: offset
      })
    );
    const directoryOffset = 8 * GiB;
    const directory = Buffer.concat(records.map(centralHeader));
    const tail = Buffer.concat([
      directory,
      endRecords(records.length, directory.length, directoryOffset)
    ]);
    const source = new SparseRandomAccess(directoryOffset + tail.length);
    for (const record of records) {
      source.set(
        record.localHeaderOffset,
        Buffer.concat([localHeader(record), data])
      );
    }
    source.set(directoryOffset, tail);

    // the classic fields say "see zip64"; the zip64 ones hold the truth
    const end = tail.length - 22;
    assert.equal(tail.readUInt32LE(end + 16), 0xffffffff);
    assert.equal(tail.readUInt16LE(end + 10), records.length);
    assert.equal(tail.readUInt32LE(end - 20), 0x07064b50);
    const zip64End = end - 20 - 56;
    assert.equal(tail.readUInt32LE(zip64End), 0x06064b50);
    assert.equal(Number(tail.readBigUInt64LE(zip64End + 48)), directoryOffset);
    assert.equal(
      Number(tail.readBigUInt64LE(end - 20 + 8)),
      directoryOffset + directory.length
    );
    // below 4 GiB the 32-bit field holds the offset, from there zip64 does
    const offsetFields = records.map(
      (_, i) => directory.readUInt32LE(centralOffset(directory, i) + 42) >>> 0
    );
    assert.deepEqual(offsetFields, [0, 4 * GiB - 100, 0xffffffff, 0xffffffff]);

    const reader = await BackupReader.open(source);
    assert.deepEqual(
      reader.files.map(f => f.entry.localHeaderOffset),
      records.map(r => r.localHeaderOffset)
    );
    await reader.verify();
  });
});

/** Where the i-th central header starts. */
function centralOffset(directory: Buffer, index: number): number {
  let p = 0;
  for (let i = 0; i < index; i++) {
    p +=
      46 +
      directory.readUInt16LE(p + 28) +
      directory.readUInt16LE(p + 30) +
      directory.readUInt16LE(p + 32);
  }
  return p;
}
