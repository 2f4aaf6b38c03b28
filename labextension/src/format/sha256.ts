import type { IHasher } from 'hash-wasm';

import { IByteSource } from './byteSource';

/** An incremental sha256: feed chunks in order, then read the hex digest. */
export interface ISha256Hasher {
  update(chunk: Uint8Array): void;
  hex(): string;
}

/**
 * A fresh incremental sha256. WebAssembly (hash-wasm) hashes about 2-3x
 * faster than JavaScript, and WebCrypto cannot hash a stream: backups and
 * restores hash every byte of an instance, so this is their hot loop.
 */
export async function createSha256(): Promise<ISha256Hasher> {
  // loaded on first use: nothing hashes while the app starts
  const { createSHA256 } = await import('hash-wasm/dist/sha256.umd.min.js');
  const hasher: IHasher = await createSHA256();
  hasher.init();
  return {
    update: chunk => {
      hasher.update(chunk);
    },
    hex: () => hasher.digest('hex')
  };
}

/** Hex sha256 of bytes held in memory. */
export async function sha256HexOfBytes(bytes: Uint8Array): Promise<string> {
  const hasher = await createSha256();
  hasher.update(bytes);
  return hasher.hex();
}

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
  const hash = await createSha256();
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
  return hash.hex();
}
