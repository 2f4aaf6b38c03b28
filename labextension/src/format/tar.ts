import { IByteSource } from './byteSource';
import { defineMessages, IMessage, renderMessage } from '../common/messages';

/**
 * An index of a tar archive built from its 512-byte headers alone: member
 * data is never read, so the cost follows the number of members, not the size.
 *
 * Behaviour (mirrors Python's tarfile, which the Registry's own client uses):
 * - ustar/POSIX names with the prefix field, PAX `x` headers (`path`, `size`),
 *   GNU `L` long names, octal and base-256 sizes, checksum verified;
 * - the walk ends at the first all-zero header block (end-of-archive marker)
 *   or exactly at the end of the file on a block boundary (`endMarker` false:
 *   such an archive may have lost members, so callers should warn);
 * - a name seen twice: the last one wins;
 * - never throws for a malformed archive: a cut-off or corrupt archive gives
 *   the entries read so far plus `problem` (kind `truncated`, `corrupt` or
 *   `not-tar`); unsafe names (`..` segments, absolute paths) are listed in
 *   `unsafe` and kept out of `entries`.
 */

export type TarEntryType =
  'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface ITarEntry {
  path: string;
  /** Offset of the member's data in the archive (Python's `offset_data`). */
  dataOffset: number;
  size: number;
  type: TarEntryType;
  /** Offset of the member's own ustar header (after any PAX/GNU headers). */
  headerOffset: number;
}

export type TarProblemKind = 'not-tar' | 'truncated' | 'corrupt';

/** What a tar walk can report, as messages (see `common/messages.ts`). */
export const tarMessage = defineMessages('tar', {
  headerCut: (trans, p) =>
    trans.__(
      'the archive ends in the middle of a header at byte %1 (file is %2 bytes)',
      p.offset,
      p.size
    ),
  headerUnread: (trans, p) =>
    trans.__('could not read the header at byte %1', p.offset),
  badChecksum: (trans, p) =>
    trans.__('bad header checksum at byte %1', p.offset),
  badSizeField: (trans, p) =>
    trans.__('unreadable size field in the header at byte %1', p.offset),
  badPaxSize: (trans, p) =>
    trans.__('bad PAX size before the header at byte %1', p.offset),
  dataCut: (trans, p) =>
    trans.__(
      'a member needs %1 bytes past the end of the file (file is %2 bytes, member data starts at byte %3)',
      p.missing,
      p.size,
      p.dataOffset
    ),
  paddingCut: (trans, p) =>
    trans.__(
      'the archive ends inside the last block of a member (file is %1 bytes, not a multiple of 512)',
      p.size
    ),
  oversizedExtended: (trans, p) =>
    trans.__('oversized extended header at byte %1', p.offset),
  badPax: (trans, p) => trans.__('malformed PAX header at byte %1', p.offset),
  endsAfterExtended: trans =>
    trans.__('the archive ends right after an extended header'),
  emptyName: trans => trans.__('empty member name'),
  absolutePath: trans => trans.__('absolute path'),
  parentSegment: trans => trans.__("'..' path segment"),
  nulInName: trans => trans.__('NUL in member name')
});

export interface ITarProblem {
  kind: TarProblemKind;
  /** English text of `userMessage`. */
  message: string;
  userMessage: IMessage;
  /** Where in the archive the walk stopped. */
  offset: number;
}

export interface IUnsafeMember {
  path: string;
  /** English text of `userMessage`. */
  reason: string;
  userMessage: IMessage;
}

export interface ITarIndex {
  /** Members in archive order of their winning (last) occurrence. */
  entries: ITarEntry[];
  /** Members whose names could escape an extraction directory. */
  unsafe: IUnsafeMember[];
  /** Set when the walk stopped before a proper end of the archive. */
  problem?: ITarProblem;
  /** True when the end-of-archive zero block was found. */
  endMarker: boolean;
}

const BLOCK = 512;
// PAX and GNU long-name payloads are tiny; a huge one means a corrupt header.
const MAX_EXTENDED_HEADER = 1024 * 1024;

// Python skips data only for these; links, dirs and devices carry none.
const NO_DATA_TYPES = new Set(['1', '2', '3', '4', '5', '6']);

const utf8 = new TextDecoder('utf-8');

export async function readTarIndex(source: IByteSource): Promise<ITarIndex> {
  const byPath = new Map<string, ITarEntry>();
  const unsafe: IUnsafeMember[] = [];
  const size = source.size;
  let offset = 0;
  let longName: string | undefined;
  let pax: Map<string, string> | undefined;
  let headers = 0;

  const result = (problem?: ITarProblem, endMarker = false): ITarIndex => ({
    entries: [...byPath.values()],
    unsafe,
    problem,
    endMarker
  });
  const fail = (kind: TarProblemKind, userMessage: IMessage): ITarIndex =>
    result({
      kind: headers === 0 ? 'not-tar' : kind,
      message: renderMessage(userMessage),
      userMessage,
      offset
    });

  while (offset < size) {
    if (size - offset < BLOCK) {
      return fail('truncated', tarMessage('headerCut', { offset, size }));
    }
    const header = await source.read(offset, BLOCK);
    if (header.length < BLOCK) {
      return fail('truncated', tarMessage('headerUnread', { offset }));
    }
    if (isZeroBlock(header)) {
      // also at offset 0: an empty archive is still a tar
      return result(undefined, true);
    }
    if (!checksumMatches(header)) {
      return fail('corrupt', tarMessage('badChecksum', { offset }));
    }
    headers++;

    const typeflag =
      header[156] === 0 ? '\0' : String.fromCharCode(header[156]);
    let memberSize = parseNumber(header, 124, 12);
    if (memberSize === undefined) {
      return fail('corrupt', tarMessage('badSizeField', { offset }));
    }
    if (pax?.has('size')) {
      const paxSize = Number(pax.get('size'));
      if (!Number.isSafeInteger(paxSize) || paxSize < 0) {
        return fail('corrupt', tarMessage('badPaxSize', { offset }));
      }
      memberSize = paxSize;
    }
    const dataOffset = offset + BLOCK;
    const hasData = !NO_DATA_TYPES.has(typeflag);
    const dataEnd = dataOffset + (hasData ? memberSize : 0);
    if (dataEnd > size) {
      return fail(
        'truncated',
        tarMessage('dataCut', { missing: dataEnd - size, size, dataOffset })
      );
    }
    const next = dataOffset + (hasData ? roundUp(memberSize) : 0);
    if (next > size) {
      // the data is whole but its block padding is cut: so is the archive
      return fail('truncated', tarMessage('paddingCut', { size }));
    }

    if (typeflag === 'x' || typeflag === 'L') {
      if (memberSize > MAX_EXTENDED_HEADER) {
        return fail('corrupt', tarMessage('oversizedExtended', { offset }));
      }
      const data = await source.read(dataOffset, memberSize);
      if (typeflag === 'x') {
        pax = parsePax(data);
        if (!pax) {
          return fail('corrupt', tarMessage('badPax', { offset }));
        }
      } else {
        longName = utf8.decode(cutAtNul(data));
      }
      offset = next;
      continue;
    }
    if (typeflag === 'g' || typeflag === 'K') {
      // global PAX defaults and GNU long link names do not name members
      offset = next;
      continue;
    }

    let path = pax?.get('path') ?? longName ?? ustarName(header);
    pax = undefined;
    longName = undefined;

    let type = entryType(typeflag);
    if (typeflag === '\0' && path.endsWith('/')) {
      type = 'directory';
    }
    if (type === 'directory') {
      path = path.replace(/\/+$/, '');
    }
    const reason = unsafeNameMessage(path);
    if (reason) {
      unsafe.push({ path, reason: renderMessage(reason), userMessage: reason });
    } else {
      // delete first so the winner takes its own position in archive order
      byPath.delete(path);
      byPath.set(path, {
        path,
        dataOffset,
        size: hasData ? memberSize : 0,
        type,
        headerOffset: offset
      });
    }
    offset = next;
  }
  if (pax || longName !== undefined) {
    return fail('truncated', tarMessage('endsAfterExtended'));
  }
  return result(undefined, false);
}

/** Why a member name could escape an extraction directory, if it could. */
export function unsafeReason(path: string): string | undefined {
  const reason = unsafeNameMessage(path);
  return reason && renderMessage(reason);
}

/** `unsafeReason` as a message. */
export function unsafeNameMessage(path: string): IMessage | undefined {
  if (path === '') {
    return tarMessage('emptyName');
  }
  if (
    path.startsWith('/') ||
    path.startsWith('\\') ||
    /^[A-Za-z]:/.test(path)
  ) {
    return tarMessage('absolutePath');
  }
  if (path.split(/[/\\]/).includes('..')) {
    return tarMessage('parentSegment');
  }
  if (path.includes('\0')) {
    return tarMessage('nulInName');
  }
  return undefined;
}

function entryType(typeflag: string): TarEntryType {
  switch (typeflag) {
    case '0':
    case '\0':
    case '7':
      return 'file';
    case '5':
      return 'directory';
    case '2':
      return 'symlink';
    case '1':
      return 'hardlink';
    default:
      return 'other';
  }
}

function ustarName(header: Uint8Array): string {
  const name = utf8.decode(cutAtNul(header.subarray(0, 100)));
  // only POSIX ustar has a prefix; GNU keeps other fields there
  if (ascii(header, 257, 6) === 'ustar\0') {
    const prefix = utf8.decode(cutAtNul(header.subarray(345, 500)));
    if (prefix) {
      return `${prefix}/${name}`;
    }
  }
  return name;
}

function checksumMatches(header: Uint8Array): boolean {
  const stored = parseNumber(header, 148, 8);
  if (stored === undefined) {
    return false;
  }
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : header[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  // some old writers summed signed bytes
  return stored === unsigned || stored === signed;
}

/** An octal field, or GNU base-256 when the high bit of the first byte is set. */
function parseNumber(
  header: Uint8Array,
  start: number,
  length: number
): number | undefined {
  const field = header.subarray(start, start + length);
  if (field[0] & 0x80) {
    if (field[0] & 0x40) {
      return undefined; // negative
    }
    let value = field[0] & 0x3f;
    for (let i = 1; i < field.length; i++) {
      value = value * 256 + field[i];
    }
    return Number.isSafeInteger(value) ? value : undefined;
  }
  const text = ascii(header, start, length)
    .replace(/[\0 ]+$/, '')
    .trim();
  if (text === '') {
    return 0;
  }
  if (!/^[0-7]+$/.test(text)) {
    return undefined;
  }
  const value = parseInt(text, 8);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** PAX records `"<len> <key>=<value>\n"`; undefined when malformed. */
function parsePax(data: Uint8Array): Map<string, string> | undefined {
  const records = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) {
      break; // padding
    }
    let space = pos;
    while (space < data.length && data[space] !== 0x20) {
      space++;
    }
    const length = Number(ascii(data, pos, space - pos));
    if (!Number.isSafeInteger(length) || length <= space - pos + 1) {
      return undefined;
    }
    const end = pos + length;
    if (end > data.length || data[end - 1] !== 0x0a) {
      return undefined;
    }
    const record = utf8.decode(data.subarray(space + 1, end - 1));
    const eq = record.indexOf('=');
    if (eq <= 0) {
      return undefined;
    }
    records.set(record.slice(0, eq), record.slice(eq + 1));
    pos = end;
  }
  return records;
}

function cutAtNul(bytes: Uint8Array): Uint8Array {
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes : bytes.subarray(0, nul);
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < start + length && i < bytes.length; i++) {
    s += String.fromCharCode(bytes[i]);
  }
  return s;
}

function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) {
    if (block[i] !== 0) {
      return false;
    }
  }
  return true;
}

function roundUp(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}
