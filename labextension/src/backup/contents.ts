import { Base64ByteSource } from '../format/byteSource';
import type { IByteParts } from '../storage/formats';
import { BackupError, throwIfCancelled } from './errors';
import { backupMessage } from './messages';
import { causeParam } from '../common/messages';
import { FileKind } from './manifest';
import { isTextPath } from './compression';

/**
 * The part of JupyterLab's `Contents.IManager` a backup and a restore use,
 * so they work on the current instance or any other drive handed to them.
 */
export interface IContentsModelLike {
  name: string;
  path: string;
  type: string;
  format?: string | null;
  content?: any;
  size?: number;
  last_modified?: string;
}

export interface IBackupContents {
  get(
    path: string,
    options?: { content?: boolean; type?: any; format?: any }
  ): Promise<IContentsModelLike>;
  save(
    path: string,
    options?: {
      type?: any;
      format?: any;
      content?: any;
      name?: string;
    }
  ): Promise<IContentsModelLike>;
  delete(path: string): Promise<void>;
  rename(path: string, newPath: string): Promise<IContentsModelLike>;
  /**
   * Whether `save` takes binary content as `BinaryParts` (format
   * `base64`): then a restore never builds a file's base64 string.
   */
  readonly takesBinaryParts?: boolean;
}

export interface IListedFile {
  path: string;
  /** Size as the listing reports it (an estimate until the file is read). */
  size: number;
  modified?: string;
}

export interface IListedFolder {
  path: string;
  modified?: string;
  empty: boolean;
}

export interface IInstanceListing {
  files: IListedFile[];
  folders: IListedFolder[];
}

/**
 * Every file and folder the user sees, walked folder by folder. The
 * listing keeps names, sizes and times only: a drive may hand over contents
 * with its listings, and those are dropped at once.
 */
export async function listInstance(
  contents: IBackupContents,
  signal?: AbortSignal
): Promise<IInstanceListing> {
  const files: IListedFile[] = [];
  const folders: IListedFolder[] = [];
  const pending = [''];
  while (pending.length) {
    throwIfCancelled(signal);
    const dir = pending.shift()!;
    let model: IContentsModelLike;
    try {
      model = await contents.get(dir, { content: true });
    } catch (error) {
      throw new BackupError(
        'read-failed',
        backupMessage('listFailed', {
          path: JSON.stringify(dir || '/'),
          problem: causeParam(error)
        })
      );
    }
    const children: IContentsModelLike[] = Array.isArray(model.content)
      ? model.content
      : [];
    if (dir) {
      folders.push({
        path: dir,
        modified: model.last_modified,
        empty: children.length === 0
      });
    }
    for (const child of children) {
      const path = child.path.replace(/^\/+/, '');
      if (child.type === 'directory') {
        pending.push(path);
      } else {
        files.push({
          path,
          size: child.size ?? 0,
          modified: child.last_modified
        });
      }
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, folders };
}

/** A file's bytes, produced chunk by chunk from the instance's model. */
export interface IFileBytes {
  kind: FileKind;
  /** Exact byte size when known before reading (binary), else undefined. */
  size?: number;
  /** Up to three samples (start, middle, end) for choosing a method. */
  samples(): Uint8Array[];
  chunks(): Iterable<Uint8Array>;
}

/**
 * Binary content handed over as parts in place of one base64 string (see
 * `IByteParts`): a file browser storage keeps in chunks, read chunk by
 * chunk, and a restored file given to contents that take parts.
 */
export class BinaryParts implements IByteParts {
  constructor(readonly parts: readonly Uint8Array[]) {
    this.size = parts.reduce((sum, part) => sum + part.length, 0);
  }

  readonly size: number;

  /** Bytes [start, start + length), copied out of the parts. */
  slice(start: number, length: number): Uint8Array {
    const end = Math.min(this.size, start + length);
    const out = new Uint8Array(Math.max(0, end - start));
    let at = 0;
    for (const part of this.parts) {
      const from = Math.max(start, at);
      const to = Math.min(end, at + part.length);
      if (from < to) {
        out.set(part.subarray(from - at, to - at), from - start);
      }
      at += part.length;
      if (at >= end) {
        break;
      }
    }
    return out;
  }
}

/** Bytes per chunk: a multiple of 3 keeps base64 reads group-aligned. */
export const CHUNK_SIZE = 3 * 256 * 1024;

/**
 * The bytes of one file as a backup writes them: binary files as stored,
 * text as UTF-8, notebooks as nbformat JSON with one-space indents and a
 * final newline (what Jupyter writes to disk).
 */
export function fileBytes(model: IContentsModelLike): IFileBytes {
  const content = model.content;
  if (content instanceof BinaryParts) {
    return {
      kind: 'binary',
      size: content.size,
      samples: () => partSamples(content),
      chunks: () => content.parts
    };
  }
  if (model.format === 'base64' && typeof content === 'string') {
    const source = new Base64ByteSource(content);
    const native = nativeBase64Chunks(content);
    return {
      kind: 'binary',
      size: source.size,
      samples: () => binarySamples(source),
      chunks: function* () {
        if (native) {
          yield* native;
          return;
        }
        for (let offset = 0; offset < source.size; offset += CHUNK_SIZE) {
          yield source.read(offset, CHUNK_SIZE);
        }
      }
    };
  }
  let text: string;
  let kind: FileKind;
  if (
    model.format === 'json' ||
    (content !== null && typeof content === 'object')
  ) {
    kind = model.type === 'notebook' ? 'notebook' : 'json';
    text =
      kind === 'notebook'
        ? JSON.stringify(content, null, 1) + '\n'
        : JSON.stringify(content);
  } else {
    kind = 'text';
    text = typeof content === 'string' ? content : '';
  }
  return {
    kind,
    samples: () => [new TextEncoder().encode(text.slice(0, 4096))],
    chunks: () => utf8Chunks(text)
  };
}

type FromBase64 = (base64: string) => Uint8Array;

/**
 * Chunks decoded by the browser's own `Uint8Array.fromBase64` (Chromium 140
 * and later), several times faster than decoding in JavaScript; null where it
 * is missing or the string is wrapped.
 */
function nativeBase64Chunks(base64: string): Iterable<Uint8Array> | null {
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: FromBase64 })
    .fromBase64;
  if (typeof fromBase64 !== 'function' || /\s/.test(base64.slice(0, 80))) {
    return null;
  }
  const step = (CHUNK_SIZE / 3) * 4;
  return {
    *[Symbol.iterator]() {
      for (let start = 0; start < base64.length; start += step) {
        yield fromBase64.call(Uint8Array, base64.slice(start, start + step));
      }
    }
  };
}

function binarySamples(source: Base64ByteSource): Uint8Array[] {
  const size = source.size;
  if (size <= 3 * 32 * 1024) {
    return [source.read(0, size)];
  }
  const probe = 32 * 1024;
  return [
    source.read(0, probe),
    source.read(Math.floor(size / 2), probe),
    source.read(size - probe, probe)
  ];
}

function partSamples(content: BinaryParts): Uint8Array[] {
  const size = content.size;
  const probe = 32 * 1024;
  if (size <= 3 * probe) {
    return [content.slice(0, size)];
  }
  return [
    content.slice(0, probe),
    content.slice(Math.floor(size / 2), probe),
    content.slice(size - probe, probe)
  ];
}

/** Characters per text chunk (at most 3 bytes each in UTF-8). */
const TEXT_CHUNK_CHARS = 256 * 1024;

/** UTF-8 in chunks, never splitting a surrogate pair between two chunks. */
export function* utf8Chunks(text: string): Generator<Uint8Array> {
  const encoder = new TextEncoder();
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + TEXT_CHUNK_CHARS, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) {
      end -= 1;
    }
    yield encoder.encode(text.slice(start, end));
    start = end;
  }
}

/** How a restore stores a file from a plain zip, judged by its name. */
export function guessKind(path: string): FileKind {
  if (path.toLowerCase().endsWith('.ipynb')) {
    return 'notebook';
  }
  return isTextPath(path) ? 'text' : 'binary';
}
