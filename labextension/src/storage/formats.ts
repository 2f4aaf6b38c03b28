/**
 * A contents model's content as bytes and back, for the three formats of
 * the Jupyter contents API, and the type a file name gets.
 */
import type { Contents } from '@jupyterlab/services';

import { base64DataLength, base64ToBytes, bytesToBase64 } from './base64';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/**
 * Binary content handed over as parts in place of one base64 string: no
 * string of 4/3 of the file, and no limit on a string's length (V8 stops
 * near 512 MiB of characters). Saved with format `base64`.
 */
export interface IByteParts {
  readonly parts: readonly Uint8Array[];
  readonly size: number;
}

export function isByteParts(content: unknown): content is IByteParts {
  return (
    typeof content === 'object' &&
    content !== null &&
    Array.isArray((content as IByteParts).parts) &&
    typeof (content as IByteParts).size === 'number'
  );
}

/** The bytes of `content` as saved in `format`. */
export function contentBytes(
  format: string | null,
  content: unknown
): Uint8Array {
  if (content === null || content === undefined || content === '') {
    return new Uint8Array(0);
  }
  if (isByteParts(content)) {
    const bytes = new Uint8Array(content.size);
    let at = 0;
    for (const part of content.parts) {
      bytes.set(part, at);
      at += part.length;
    }
    return bytes;
  }
  if (format === 'json') {
    return encoder.encode(
      typeof content === 'string' ? content : JSON.stringify(content)
    );
  }
  if (format === 'base64' && typeof content === 'string') {
    return base64ToBytes(content);
  }
  return encoder.encode(String(content));
}

/** The size JupyterLite 0.8 records for inline `content` in `format`. */
export function inlineSize(format: string | null, content: unknown): number {
  if (isByteParts(content)) {
    return content.size;
  }
  if (format === 'base64' && typeof content === 'string') {
    return base64DataLength(content);
  }
  return contentBytes(format, content).length;
}

/**
 * Characters one JavaScript string may hold in Chromium (V8: 2^29 - 24);
 * Firefox allows about twice as many.
 */
export const MAX_STRING_LENGTH = 2 ** 29 - 24;

/**
 * Why a file cannot be handed over whole as contents-API content (one
 * string, or one object parsed from one), or null when it can. Everything
 * that reads by range (the kernel, downloads, backup and restore on the
 * instances page, discovery, Inspect, push) has no such limit.
 */
export function wholeReadProblem(
  record: { path: string; size?: number | null },
  format: string | null
): string | null {
  const size = record.size ?? 0;
  const characters = format === 'base64' ? Math.ceil(size / 3) * 4 : size;
  if (characters <= MAX_STRING_LENGTH) {
    return null;
  }
  const limit =
    format === 'base64' ? (MAX_STRING_LENGTH / 4) * 3 : MAX_STRING_LENGTH;
  const mib = (n: number) => `${Math.floor(n / 2 ** 20)} MiB`;
  return (
    `${record.path} (${mib(size)}) is too large to open whole in the browser ` +
    `(at most ${mib(limit)} this way). Python in a notebook reads it, ` +
    'the file browser downloads it, and a backup holds it.'
  );
}

/** `bytes` as content in `format`; JSON that does not parse comes back as text. */
export function bytesToContent(
  bytes: Uint8Array,
  format: Contents.FileFormat | string | null
): { content: unknown; format: Contents.FileFormat } {
  if (format === 'base64') {
    return { content: bytesToBase64(bytes), format: 'base64' };
  }
  const text = decoder.decode(bytes);
  if (format === 'json') {
    try {
      return { content: JSON.parse(text), format: 'json' };
    } catch {
      return { content: text, format: 'text' };
    }
  }
  return { content: text, format: 'text' };
}

/** A file type as `jupyter-lite.json`'s `fileTypes` describes it. */
export interface IFileTypeInfo {
  extensions?: string[];
  mimeTypes?: string[];
  fileFormat?: string;
}

const MIME_TYPES: Record<string, string> = {
  '.ipynb': 'application/x-ipynb+json',
  '.json': 'application/json',
  '.py': 'text/x-python',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.html': 'text/html',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.zip': 'application/zip'
};

export const OCTET_STREAM = 'application/octet-stream';

/** The extension of `name` (with its dot, lower case) or ''. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/** The mimetype the drive gives a file name: the site's file types first. */
export function mimetypeOf(
  name: string,
  fileTypes: Record<string, IFileTypeInfo> = {}
): string {
  const ext = extensionOf(name);
  if (!ext) {
    return OCTET_STREAM;
  }
  for (const type of Object.values(fileTypes)) {
    if (type?.extensions?.includes(ext) && type.mimeTypes?.length) {
      return type.mimeTypes[0];
    }
  }
  return MIME_TYPES[ext] ?? OCTET_STREAM;
}

/** Whether the site's file types say files with `ext` are `format`. */
export function hasFormat(
  ext: string,
  format: string,
  fileTypes: Record<string, IFileTypeInfo> = {}
): boolean {
  return Object.values(fileTypes).some(
    type => type?.extensions?.includes(ext) && type.fileFormat === format
  );
}
