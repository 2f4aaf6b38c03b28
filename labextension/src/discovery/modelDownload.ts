import { PathExt } from '@jupyterlab/coreutils';
import type { Contents } from '@jupyterlab/services';

import { clickDownload } from '../common/dom';

/** Characters decoded per step: a multiple of 4, so chunks split cleanly. */
export const DECODE_CHUNK_CHARS = 4 * 1024 * 1024;

/**
 * The bytes of a base64 string, as a list of chunks (Blob parts), so a large
 * file is never held as one second copy of a string.
 */
export function base64ToChunks(
  base64: string,
  chunkChars = DECODE_CHUNK_CHARS
): Uint8Array<ArrayBuffer>[] {
  if (chunkChars % 4 !== 0 || chunkChars <= 0) {
    throw new Error('chunkChars must be a positive multiple of 4');
  }
  const compact = /\s/.test(base64) ? base64.replace(/\s+/g, '') : base64;
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  for (let i = 0; i < compact.length; i += chunkChars) {
    let binary: string;
    try {
      binary = atob(compact.slice(i, i + chunkChars));
    } catch {
      throw new Error(
        'The stored content of this file is not valid base64, so it cannot be downloaded as bytes.'
      );
    }
    const bytes = new Uint8Array(binary.length);
    for (let j = 0; j < binary.length; j++) {
      bytes[j] = binary.charCodeAt(j);
    }
    chunks.push(bytes);
  }
  return chunks;
}

/**
 * Save a file from storage to the user's computer with its exact bytes (the
 * contents API hands binary files over as base64).
 */
export async function downloadFile(
  contents: Pick<Contents.IManager, 'get'>,
  path: string
): Promise<void> {
  const model = await contents.get(path, {
    type: 'file',
    format: 'base64',
    content: true
  });
  if (typeof model.content !== 'string') {
    throw new Error('The file could not be loaded as binary data.');
  }
  const blob = new Blob(base64ToChunks(model.content), {
    type: 'application/octet-stream'
  });
  saveBlob(blob, path);
}

function saveBlob(blob: Blob, path: string): void {
  const url = URL.createObjectURL(blob);
  try {
    clickDownload(url, PathExt.basename(path));
  } finally {
    // revoking at once can cancel the download in some browsers
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}

/**
 * Save a file of the browser's storage by the drive's own link: streamed to
 * disk by the site's service worker, else one Blob (see
 * `storage/streamedDownloads.ts`); no base64 either way.
 */
export async function downloadStoredFile(
  contents: Pick<Contents.IManager, 'getDownloadUrl'>,
  path: string
): Promise<void> {
  clickDownload(await contents.getDownloadUrl(path), PathExt.basename(path));
}

/**
 * Save a file the server serves as raw bytes (a Jupyter server's `/files/`
 * URL): the browser streams it to disk, with no copy in the page.
 */
export async function downloadServerFile(
  contents: Pick<Contents.IManager, 'getDownloadUrl'>,
  path: string
): Promise<void> {
  const url = new URL(await contents.getDownloadUrl(path), location.href);
  url.searchParams.set('download', '1');
  clickDownload(url.href, PathExt.basename(path));
}
