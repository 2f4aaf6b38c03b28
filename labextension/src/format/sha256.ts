import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

import { IByteSource } from './byteSource';

export interface ISha256Options {
  /** Bytes per read; a multiple of 3 keeps base64 reads group-aligned. */
  chunkSize?: number;
  /** Called after each chunk with bytes hashed so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Stops between chunks with an error when aborted. */
  signal?: AbortSignal;
}

export const DEFAULT_HASH_CHUNK = 3 * 1024 * 1024;

/**
 * Hex sha256 of a whole source, read chunk by chunk so memory stays at one
 * chunk whatever the file size (the Registry wants the hash of the file).
 */
export async function sha256Hex(
  source: IByteSource,
  options: ISha256Options = {}
): Promise<string> {
  const chunkSize = Math.max(
    1,
    Math.floor(options.chunkSize ?? DEFAULT_HASH_CHUNK)
  );
  const hash = sha256.create();
  let offset = 0;
  while (offset < source.size) {
    if (options.signal?.aborted) {
      throw new Error('sha256 computation aborted');
    }
    const chunk = await source.read(
      offset,
      Math.min(chunkSize, source.size - offset)
    );
    if (chunk.length === 0) {
      throw new Error(`could not read the file at byte ${offset}`);
    }
    hash.update(chunk);
    offset += chunk.length;
    options.onProgress?.(offset, source.size);
  }
  return bytesToHex(hash.digest());
}
