import { BackupError } from './errors';
import { backupMessage } from './messages';
import { IMessage } from '../common/messages';
import { IRandomAccess } from './randomAccess';
import {
  CENTRAL_HEADER_SIZE,
  CENTRAL_SIGNATURE,
  END_SIGNATURE,
  END_SIZE,
  EXTENDED_TIMESTAMP,
  FLAG_UTF8,
  LOCAL_HEADER_SIZE,
  LOCAL_SIGNATURE,
  MAX_U32,
  u16,
  u32,
  u64,
  ZIP64_END_SIGNATURE,
  ZIP64_END_SIZE,
  ZIP64_EXTRA,
  ZIP64_LOCATOR_SIGNATURE,
  ZIP64_LOCATOR_SIZE
} from './zipFormat';

/**
 * The archive's central directory: the index every zip tool trusts. We read
 * it instead of scanning local headers front to back, because a streaming
 * scan cannot tell where an entry written with a data descriptor ends: a
 * stored zip, `.luml` (which holds a model-card zip) or `.pt` file inside the
 * backup contains the very signatures such a scan looks for (fflate's own
 * streaming `Unzip` splits them, fflate issues 243 and 235).
 */
export interface IZipEntry {
  /** The name as stored in the archive. */
  name: string;
  /** 0 = stored, 8 = DEFLATE. */
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  /** Modification time from the extended timestamp, else the DOS time. */
  modified: Date | null;
}

export interface IZipDirectory {
  entries: IZipEntry[];
  /** Where the central directory starts: entries' data must end before. */
  directoryOffset: number;
}

const MAX_COMMENT = 0xffff;

function notAZip(): BackupError {
  return new BackupError('not-a-zip', backupMessage('notAZip'));
}

function truncated(detail: IMessage): BackupError {
  return new BackupError(
    'truncated',
    backupMessage('zipIncomplete', { detail })
  );
}

function damaged(detail: IMessage): BackupError {
  return new BackupError(
    'damaged',
    backupMessage('directoryDamaged', { detail })
  );
}

/** Where the directory is and how many entries it holds, per the end records. */
interface IDirectoryEnd {
  count: number;
  directorySize: number;
  directoryOffset: number;
  /** Where the end records start: the directory must end before. */
  endOffset: number;
}

export async function readZipDirectory(
  source: IRandomAccess
): Promise<IZipDirectory> {
  const { count, directorySize, directoryOffset, endOffset } =
    await readDirectoryEnd(source);
  if (directoryOffset + directorySize > endOffset) {
    throw truncated(backupMessage('directoryPastEnd'));
  }
  const directory = await source.read(directoryOffset, directorySize);
  const entries: IZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    const position = { index: i + 1, count };
    const atEntry = backupMessage('atEntry', position);
    if (
      p + CENTRAL_HEADER_SIZE > directory.length ||
      u32(directory, p) !== CENTRAL_SIGNATURE
    ) {
      throw damaged(atEntry);
    }
    const flags = u16(directory, p + 8);
    const method = u16(directory, p + 10);
    const dosTime = u16(directory, p + 12);
    const dosDate = u16(directory, p + 14);
    const crc32 = u32(directory, p + 16);
    const nameLength = u16(directory, p + 28);
    const extraLength = u16(directory, p + 30);
    const commentLength = u16(directory, p + 32);
    const nameStart = p + CENTRAL_HEADER_SIZE;
    const end = nameStart + nameLength + extraLength + commentLength;
    if (end > directory.length) {
      throw damaged(atEntry);
    }
    const name = decodeName(
      directory.subarray(nameStart, nameStart + nameLength),
      (flags & FLAG_UTF8) !== 0
    );
    const extra = directory.subarray(
      nameStart + nameLength,
      nameStart + nameLength + extraLength
    );
    // each 32-bit field at its maximum is in the zip64 extra field, in order
    const zip64 = zip64Values(extra);
    const wide = (value: number) => {
      if (value !== MAX_U32) {
        return value;
      }
      const next = zip64.shift();
      if (next === undefined || Number.isNaN(next)) {
        throw damaged(backupMessage('zip64FieldMissing', position));
      }
      return next;
    };
    const size = wide(u32(directory, p + 24));
    const compressedSize = wide(u32(directory, p + 20));
    const localHeaderOffset = wide(u32(directory, p + 42));
    entries.push({
      name,
      method,
      flags,
      crc32,
      compressedSize,
      size,
      localHeaderOffset,
      modified: extendedTime(extra) ?? dosDateTime(dosDate, dosTime)
    });
    p = end;
  }
  // entries past the count are files every reader that trusts it loses
  if (p !== directory.length) {
    throw new BackupError('damaged', backupMessage('countWrapped', { count }));
  }
  return { entries, directoryOffset };
}

/**
 * Finds the end record, which (with its comment) must end the file: a
 * truncated backup often ends just after a stored zip, whose own record
 * must not be taken. Its zip64 twin, when a locator precedes it, holds the
 * values that overflow 16 or 32 bits.
 */
async function readDirectoryEnd(source: IRandomAccess): Promise<IDirectoryEnd> {
  const size = source.size;
  const head = await source.read(0, Math.min(4, size));
  const startsLikeZip =
    head.length === 4 &&
    (u32(head, 0) === LOCAL_SIGNATURE || u32(head, 0) === END_SIGNATURE);
  if (size < END_SIZE) {
    throw startsLikeZip
      ? truncated(backupMessage('endsBeforeDirectory'))
      : notAZip();
  }
  const tailLength = Math.min(size, END_SIZE + MAX_COMMENT);
  const tail = await source.read(size - tailLength, tailLength);
  let at = -1;
  for (let i = tail.length - END_SIZE; i >= 0; i--) {
    if (
      u32(tail, i) === END_SIGNATURE &&
      i + END_SIZE + u16(tail, i + 20) === tail.length
    ) {
      at = i;
      break;
    }
  }
  if (at < 0) {
    throw startsLikeZip
      ? truncated(backupMessage('directoryMissing'))
      : notAZip();
  }
  const endOffset = size - tailLength + at;
  const locatorOffset = endOffset - ZIP64_LOCATOR_SIZE;
  const locator =
    locatorOffset >= 0
      ? await source.read(locatorOffset, ZIP64_LOCATOR_SIZE)
      : new Uint8Array(0);
  if (
    locator.length === ZIP64_LOCATOR_SIZE &&
    u32(locator, 0) === ZIP64_LOCATOR_SIGNATURE
  ) {
    const zip64Offset = u64(locator, 8);
    if (!(zip64Offset + ZIP64_END_SIZE <= locatorOffset)) {
      throw truncated(backupMessage('zip64EndPastEnd'));
    }
    const record = await source.read(zip64Offset, ZIP64_END_SIZE);
    if (u32(record, 0) !== ZIP64_END_SIGNATURE) {
      throw damaged(backupMessage('zip64EndMisplaced'));
    }
    checkOneDisk(u32(record, 16));
    const end = {
      count: u64(record, 32),
      directorySize: u64(record, 40),
      directoryOffset: u64(record, 48),
      endOffset: zip64Offset
    };
    if (Object.values(end).some(Number.isNaN)) {
      throw damaged(backupMessage('zip64EndImpossible'));
    }
    return end;
  }
  checkOneDisk(u16(tail, at + 4));
  return {
    count: u16(tail, at + 10),
    directorySize: u32(tail, at + 12),
    directoryOffset: u32(tail, at + 16),
    endOffset
  };
}

function checkOneDisk(disk: number): void {
  if (disk !== 0) {
    throw new BackupError('unsupported', backupMessage('splitArchive'));
  }
}

/** The 64-bit values of a zip64 extended information field, in order. */
function zip64Values(extra: Uint8Array): number[] {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = u16(extra, p);
    const length = u16(extra, p + 2);
    if (id === ZIP64_EXTRA) {
      const values: number[] = [];
      for (
        let q = p + 4;
        q + 8 <= p + 4 + length && q + 8 <= extra.length;
        q += 8
      ) {
        values.push(u64(extra, q));
      }
      return values;
    }
    p += 4 + length;
  }
  return [];
}

/**
 * Where an entry's data starts, from its local header. Checks that the data
 * lies before the directory, so a damaged or crafted offset is caught.
 */
export async function entryDataOffset(
  source: IRandomAccess,
  entry: IZipEntry,
  directoryOffset: number
): Promise<number> {
  const header = await source.read(entry.localHeaderOffset, LOCAL_HEADER_SIZE);
  if (header.length < LOCAL_HEADER_SIZE || u32(header, 0) !== LOCAL_SIGNATURE) {
    throw new BackupError(
      'damaged',
      backupMessage('entryMisplaced', { path: JSON.stringify(entry.name) })
    );
  }
  const start =
    entry.localHeaderOffset +
    LOCAL_HEADER_SIZE +
    u16(header, 26) +
    u16(header, 28);
  if (start + entry.compressedSize > directoryOffset) {
    throw truncated(
      backupMessage('entryDataCut', { path: JSON.stringify(entry.name) })
    );
  }
  return start;
}

function decodeName(bytes: Uint8Array, utf8: boolean): string {
  if (utf8 || bytes.every(b => b < 0x80)) {
    return new TextDecoder('utf-8').decode(bytes);
  }
  // many archivers write UTF-8 without saying so; fall back to Latin-1
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
}

function extendedTime(extra: Uint8Array): Date | null {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = u16(extra, p);
    const length = u16(extra, p + 2);
    if (id === EXTENDED_TIMESTAMP && length >= 5 && (extra[p + 4] & 1) !== 0) {
      return new Date(u32(extra, p + 5) * 1000);
    }
    p += 4 + length;
  }
  return null;
}

function dosDateTime(date: number, time: number): Date | null {
  if (date === 0) {
    return null;
  }
  return new Date(
    1980 + (date >> 9),
    ((date >> 5) & 0xf) - 1,
    date & 0x1f,
    time >> 11,
    (time >> 5) & 0x3f,
    (time & 0x1f) * 2
  );
}
