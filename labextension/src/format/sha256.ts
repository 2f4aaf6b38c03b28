import type { IHasher } from 'hash-wasm';

import { IByteSource } from './byteSource';

/** An incremental sha256: feed chunks in order, then read the hex digest. */
export interface ISha256Hasher {
  update(chunk: Uint8Array): void;
  hex(): string;
}

/**
 * Hashers whose digest was read, ready to start again. Making one
 * instantiates a WebAssembly module, which costs more than hashing a small
 * file: a backup of 70,000 small files spent most of its time there.
 */
const idleHashers: IHasher[] = [];
const MAX_IDLE_HASHERS = 4;

/**
 * A fresh incremental sha256. WebAssembly (hash-wasm) hashes about 2-3x
 * faster than JavaScript, and WebCrypto cannot hash a stream: backups and
 * restores hash every byte of an instance, so this is their hot loop.
 * Reading the digest ends the hasher (it goes back to be reused).
 */
export async function createSha256(): Promise<ISha256Hasher> {
  const hasher = idleHashers.pop() ?? (await newHasher());
  hasher.init();
  let ended = false;
  const checkOpen = () => {
    if (ended) {
      throw new Error('this sha256 was already read');
    }
  };
  return {
    update: chunk => {
      checkOpen();
      hasher.update(chunk);
    },
    hex: () => {
      checkOpen();
      ended = true;
      const hex = hasher.digest('hex');
      if (idleHashers.length < MAX_IDLE_HASHERS) {
        idleHashers.push(hasher);
      }
      return hex;
    }
  };
}

async function newHasher(): Promise<IHasher> {
  // loaded on first use: nothing hashes while the app starts
  const { createSHA256 } = await import('hash-wasm/dist/sha256.umd.min.js');
  return createSHA256();
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
