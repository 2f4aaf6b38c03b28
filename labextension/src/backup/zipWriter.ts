import { Deflate, DeflateOptions } from 'fflate';

import { BackupError } from './errors';
import { backupMessage } from './messages';
import {
  CENTRAL_HEADER_SIZE,
  CENTRAL_SIGNATURE,
  Crc32,
  DATA_DESCRIPTOR_SIGNATURE,
  DATA_DESCRIPTOR_SIZE,
  DOS_DIRECTORY,
  dosDateTime,
  END_SIGNATURE,
  END_SIZE,
  EXTENDED_TIMESTAMP,
  FLAG_DATA_DESCRIPTOR,
  FLAG_UTF8,
  LOCAL_HEADER_SIZE,
  LOCAL_SIGNATURE,
  MAX_U16,
  MAX_U32,
  METHOD_DEFLATE,
  METHOD_STORED,
  RecordBuilder,
  VERSION_DEFLATE,
  VERSION_ZIP64,
  ZIP64_END_SIGNATURE,
  ZIP64_END_SIZE,
  ZIP64_EXTRA,
  ZIP64_LOCATOR_SIGNATURE,
  ZIP64_LOCATOR_SIZE,
  zipTime
} from './zipFormat';

/** One entry as the central directory describes it. */
export interface IZipRecord {
  name: string;
  method: typeof METHOD_STORED | typeof METHOD_DEFLATE;
  /** Whether sizes and CRC follow the data (a streamed entry). */
  streamed: boolean;
  folder: boolean;
  /** Modification time, milliseconds since the epoch (see zipTime). */
  modified: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** The bytes of one entry, pushed in order, then ended. */
export interface IZipEntryStream {
  push(chunk: Uint8Array): void;
  end(): void;
}

const encoder = new TextEncoder();

/**
 * A zip written front to back, one entry at a time, every byte handed to
 * `emit` as soon as it exists: memory holds the entry being written and the
 * directory's records, never the archive. Past 65,535 entries or 4 GiB it
 * writes zip64 records, so every zip tool sees every entry (16-bit counts
 * and 32-bit offsets silently wrap otherwise).
 */
export class ZipStreamWriter {
  constructor(private readonly _emit: (chunk: Uint8Array) => void) {}

  /** Bytes emitted so far. */
  get offset(): number {
    return this._offset;
  }

  /** Starts a file entry; it must be ended before the next one starts. */
  add(
    name: string,
    options: { modified: number; deflateLevel?: DeflateOptions['level'] }
  ): IZipEntryStream {
    this._checkIdle();
    const record: IZipRecord = {
      name,
      method:
        options.deflateLevel === undefined ? METHOD_STORED : METHOD_DEFLATE,
      streamed: true,
      folder: false,
      modified: zipTime(options.modified),
      crc32: 0,
      compressedSize: 0,
      size: 0,
      localHeaderOffset: this._offset
    };
    this._write(localHeader(record));
    const crc = new Crc32();
    const out = (chunk: Uint8Array) => {
      record.compressedSize += chunk.length;
      this._write(chunk);
    };
    const deflate =
      options.deflateLevel === undefined
        ? null
        : new Deflate({ level: options.deflateLevel }, (chunk: Uint8Array) =>
            out(chunk)
          );
    this._busy = true;
    return {
      push: (chunk: Uint8Array) => {
        crc.update(chunk);
        record.size += chunk.length;
        if (deflate) {
          deflate.push(chunk, false);
        } else {
          out(chunk);
        }
      },
      end: () => {
        deflate?.push(new Uint8Array(0), true);
        record.crc32 = crc.digest();
        this._write(dataDescriptor(record));
        this._records.push(record);
        this._busy = false;
      }
    };
  }

  /** An empty folder: a name ending in a slash, no data. */
  addFolder(name: string, modified: number): void {
    this._checkIdle();
    const record: IZipRecord = {
      name: `${name}/`,
      method: METHOD_STORED,
      streamed: false,
      folder: true,
      modified: zipTime(modified),
      crc32: 0,
      compressedSize: 0,
      size: 0,
      localHeaderOffset: this._offset
    };
    this._write(localHeader(record));
    this._records.push(record);
  }

  /** Writes the central directory and the end records. */
  end(): void {
    this._checkIdle();
    const directoryOffset = this._offset;
    // a few records per chunk: a 70,000-entry directory is some megabytes
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    for (const record of this._records) {
      const header = centralHeader(record);
      batch.push(header);
      batchBytes += header.length;
      if (batchBytes >= DIRECTORY_CHUNK) {
        this._write(concat(batch));
        batch = [];
        batchBytes = 0;
      }
    }
    if (batch.length) {
      this._write(concat(batch));
    }
    const directorySize = this._offset - directoryOffset;
    this._write(
      endRecords(this._records.length, directorySize, directoryOffset)
    );
    this._records = [];
  }

  private _checkIdle(): void {
    if (this._busy) {
      throw new Error('The previous zip entry was not ended.');
    }
  }

  private _write(chunk: Uint8Array): void {
    this._offset += chunk.length;
    this._emit(chunk);
  }

  private _offset = 0;
  private _records: IZipRecord[] = [];
  private _busy = false;
}

const DIRECTORY_CHUNK = 1024 * 1024;

/** Extended timestamp: UTC seconds, finer than the DOS two-second field. */
function timestampExtra(modified: number): Uint8Array {
  return new RecordBuilder(9)
    .u16(EXTENDED_TIMESTAMP)
    .u16(5)
    .raw(new Uint8Array([1])) // flags: modification time present
    .u32(Math.floor(modified / 1000)).bytes;
}

function flagsOf(record: IZipRecord): number {
  return FLAG_UTF8 | (record.streamed ? FLAG_DATA_DESCRIPTOR : 0);
}

/**
 * A local header. A streamed entry's sizes and CRC follow its data, in the
 * data descriptor; an entry's own sizes never reach 4 GiB (one file of an
 * instance is one string in browser memory), so no zip64 field is needed.
 */
export function localHeader(record: IZipRecord): Uint8Array {
  const name = encoder.encode(record.name);
  const extra = timestampExtra(record.modified);
  const { date, time } = dosDateTime(record.modified);
  const known = !record.streamed;
  return new RecordBuilder(LOCAL_HEADER_SIZE + name.length + extra.length)
    .u32(LOCAL_SIGNATURE)
    .u16(VERSION_DEFLATE)
    .u16(flagsOf(record))
    .u16(record.method)
    .u16(time)
    .u16(date)
    .u32(known ? record.crc32 : 0)
    .u32(known ? record.compressedSize : 0)
    .u32(known ? record.size : 0)
    .u16(name.length)
    .u16(extra.length)
    .raw(name)
    .raw(extra).bytes;
}

function dataDescriptor(record: IZipRecord): Uint8Array {
  if (record.size >= MAX_U32 || record.compressedSize >= MAX_U32) {
    throw new BackupError(
      'write-failed',
      backupMessage('fileTooLargeForZip', {
        path: JSON.stringify(record.name)
      })
    );
  }
  return new RecordBuilder(DATA_DESCRIPTOR_SIZE)
    .u32(DATA_DESCRIPTOR_SIGNATURE)
    .u32(record.crc32)
    .u32(record.compressedSize)
    .u32(record.size).bytes;
}

/**
 * A central directory header; an offset past 4 GiB moves into a zip64
 * extra field (the 32-bit field then says 0xFFFFFFFF).
 */
export function centralHeader(record: IZipRecord): Uint8Array {
  const name = encoder.encode(record.name);
  const zip64 = record.localHeaderOffset >= MAX_U32;
  const timestamp = timestampExtra(record.modified);
  const extra = zip64
    ? new RecordBuilder(timestamp.length + 12)
        .raw(timestamp)
        .u16(ZIP64_EXTRA)
        .u16(8)
        .u64(record.localHeaderOffset).bytes
    : timestamp;
  const version = zip64 ? VERSION_ZIP64 : VERSION_DEFLATE;
  const { date, time } = dosDateTime(record.modified);
  return new RecordBuilder(CENTRAL_HEADER_SIZE + name.length + extra.length)
    .u32(CENTRAL_SIGNATURE)
    .u16(version) // made by, on MS-DOS (attributes below are DOS's)
    .u16(version)
    .u16(flagsOf(record))
    .u16(record.method)
    .u16(time)
    .u16(date)
    .u32(record.crc32)
    .u32(record.compressedSize)
    .u32(record.size)
    .u16(name.length)
    .u16(extra.length)
    .u16(0) // comment
    .u16(0) // disk
    .u16(0) // internal attributes
    .u32(record.folder ? DOS_DIRECTORY : 0)
    .u32(zip64 ? MAX_U32 : record.localHeaderOffset)
    .raw(name)
    .raw(extra).bytes;
}

/**
 * The end of the archive: the zip64 end record and its locator when the
 * count, the directory's size or its offset overflow the classic fields,
 * then the classic end record (its overflowing fields at their maximum).
 */
export function endRecords(
  count: number,
  directorySize: number,
  directoryOffset: number
): Uint8Array {
  const zip64 =
    count >= MAX_U16 || directorySize >= MAX_U32 || directoryOffset >= MAX_U32;
  const end = new RecordBuilder(END_SIZE)
    .u32(END_SIGNATURE)
    .u16(0) // this disk
    .u16(0) // the directory's disk
    .u16(Math.min(count, MAX_U16))
    .u16(Math.min(count, MAX_U16))
    .u32(Math.min(directorySize, MAX_U32))
    .u32(Math.min(directoryOffset, MAX_U32))
    .u16(0).bytes; // comment
  if (!zip64) {
    return end;
  }
  const zip64EndOffset = directoryOffset + directorySize;
  return new RecordBuilder(ZIP64_END_SIZE + ZIP64_LOCATOR_SIZE + END_SIZE)
    .u32(ZIP64_END_SIGNATURE)
    .u64(ZIP64_END_SIZE - 12) // the record's size after this field
    .u16(VERSION_ZIP64)
    .u16(VERSION_ZIP64)
    .u32(0) // this disk
    .u32(0) // the directory's disk
    .u64(count) // entries on this disk
    .u64(count)
    .u64(directorySize)
    .u64(directoryOffset)
    .u32(ZIP64_LOCATOR_SIGNATURE)
    .u32(0) // the zip64 end record's disk
    .u64(zip64EndOffset)
    .u32(1) // disks in all
    .raw(end).bytes;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let p = 0;
  for (const chunk of chunks) {
    out.set(chunk, p);
    p += chunk.length;
  }
  return out;
}
