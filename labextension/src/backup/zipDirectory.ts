import { BackupError } from './errors';
import { IRandomAccess } from './randomAccess';

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

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

function notAZip(): BackupError {
  return new BackupError(
    'not-a-zip',
    'This file is not a zip archive. Choose a backup (.zip) made by LUML ' +
      'Notebooks or a zip of notebook files.'
  );
}

function truncated(detail: string): BackupError {
  return new BackupError(
    'truncated',
    `This zip archive is incomplete (${detail}): the download or copy was ` +
      'probably interrupted. Use a complete copy of the backup.'
  );
}

export async function readZipDirectory(
  source: IRandomAccess
): Promise<IZipDirectory> {
  const size = source.size;
  const head = await source.read(0, Math.min(4, size));
  const startsLikeZip =
    head.length === 4 &&
    (u32(head, 0) === LOCAL_SIGNATURE || u32(head, 0) === EOCD_SIGNATURE);
  if (size < EOCD_SIZE) {
    throw startsLikeZip ? truncated('it ends before its directory') : notAZip();
  }
  const tailLength = Math.min(size, EOCD_SIZE + MAX_COMMENT);
  const tail = await source.read(size - tailLength, tailLength);
  // the record (and its comment) must end the file: a truncated backup
  // often ends just after a stored zip, whose own record must not be taken
  let eocd = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (
      u32(tail, i) === EOCD_SIGNATURE &&
      i + EOCD_SIZE + u16(tail, i + 20) === tail.length
    ) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw startsLikeZip
      ? truncated('its directory at the end is missing')
      : notAZip();
  }
  const eocdOffset = size - tailLength + eocd;
  const disk = u16(tail, eocd + 4);
  const count = u16(tail, eocd + 10);
  const directorySize = u32(tail, eocd + 12);
  const directoryOffset = u32(tail, eocd + 16);
  if (
    count === 0xffff ||
    directorySize === 0xffffffff ||
    directoryOffset === 0xffffffff ||
    (eocd >= 20 && u32(tail, eocd - 20) === ZIP64_LOCATOR_SIGNATURE)
  ) {
    throw new BackupError(
      'unsupported',
      'This archive uses the zip64 extension (over 4 GB or 65,535 files), ' +
        'which restore does not read yet. Split it into smaller archives.'
    );
  }
  if (disk !== 0) {
    throw new BackupError(
      'unsupported',
      'This is one part of a split (multi-volume) zip archive. Join the parts into one zip first.'
    );
  }
  if (directoryOffset + directorySize > eocdOffset) {
    throw truncated('its directory points past the end of the file');
  }
  const directory = await source.read(directoryOffset, directorySize);
  const entries: IZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > directory.length || u32(directory, p) !== CENTRAL_SIGNATURE) {
      throw new BackupError(
        'damaged',
        `The zip archive's directory is damaged at entry ${i + 1} of ${count}.`
      );
    }
    const flags = u16(directory, p + 8);
    const method = u16(directory, p + 10);
    const dosTime = u16(directory, p + 12);
    const dosDate = u16(directory, p + 14);
    const crc32 = u32(directory, p + 16);
    const compressedSize = u32(directory, p + 20);
    const entrySize = u32(directory, p + 24);
    const nameLength = u16(directory, p + 28);
    const extraLength = u16(directory, p + 30);
    const commentLength = u16(directory, p + 32);
    const localHeaderOffset = u32(directory, p + 42);
    const end = p + 46 + nameLength + extraLength + commentLength;
    if (end > directory.length) {
      throw new BackupError(
        'damaged',
        `The zip archive's directory is damaged at entry ${i + 1} of ${count}.`
      );
    }
    const name = decodeName(
      directory.subarray(p + 46, p + 46 + nameLength),
      (flags & 0x800) !== 0
    );
    const extra = directory.subarray(
      p + 46 + nameLength,
      p + 46 + nameLength + extraLength
    );
    entries.push({
      name,
      method,
      flags,
      crc32,
      compressedSize,
      size: entrySize,
      localHeaderOffset,
      modified: extendedTime(extra) ?? dosDateTime(dosDate, dosTime)
    });
    p = end;
  }
  return { entries, directoryOffset };
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
  const header = await source.read(entry.localHeaderOffset, 30);
  if (header.length < 30 || u32(header, 0) !== LOCAL_SIGNATURE) {
    throw new BackupError(
      'damaged',
      `The zip archive is damaged: the entry ${JSON.stringify(entry.name)} is not where its directory says.`
    );
  }
  const start =
    entry.localHeaderOffset + 30 + u16(header, 26) + u16(header, 28);
  if (start + entry.compressedSize > directoryOffset) {
    throw truncated(`the data of ${JSON.stringify(entry.name)} is cut off`);
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
    if (id === 0x5455 && length >= 5 && (extra[p + 4] & 1) !== 0) {
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

function u16(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8);
}

function u32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}
