import { parseRegistryUrl } from './client/registryUrl';

/**
 * Registry API keys, kept in this browser's localStorage for the site, one
 * per Registry URL, and deliberately NOT in the settings registry:
 *
 * - settings can be exported from the settings editor and travel with
 *   backups of an instance's storage; this store does neither;
 * - settings live in IndexedDB, which notebook code (the kernel runs in a
 *   Web Worker) can open; workers have no localStorage;
 * - a key is bound to the Registry it was entered for, so pointing the site
 *   at another Registry never sends it there.
 *
 * Nothing here logs a key or puts it into a URL.
 */

export interface IKeyStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const API_KEYS_STORAGE_KEY = 'luml-notebooks:registry-api-keys';

/** Why a pasted key cannot be used, or undefined when it looks fine. */
export function apiKeyProblem(key: string): string | undefined {
  const trimmed = key.trim();
  if (!trimmed) {
    return 'The API key is empty.';
  }
  if (/^bearer\s/i.test(trimmed)) {
    return 'Paste only the key itself, without "Bearer".';
  }
  if (/\s/.test(trimmed)) {
    return 'An API key has no spaces or line breaks: copy it again.';
  }
  return undefined;
}

export class ApiKeyStore {
  // also the fallback when localStorage is unavailable (private modes)
  private _memory = new Map<string, string>();

  constructor(private readonly _storage: IKeyStorage | null) {}

  get(registryUrl: string): string | undefined {
    const id = keyId(registryUrl);
    if (!id) {
      return undefined;
    }
    return this._read()[id] ?? this._memory.get(id);
  }

  /** Remember `key` for `registryUrl` (trimmed); throws on an unusable key. */
  set(registryUrl: string, key: string): void {
    const id = keyId(registryUrl);
    const problem = apiKeyProblem(key);
    if (!id) {
      throw new Error('Set a valid Registry URL before its API key.');
    }
    if (problem) {
      throw new Error(problem);
    }
    this._memory.set(id, key.trim());
    const all = this._read();
    all[id] = key.trim();
    this._write(all);
  }

  forget(registryUrl: string): void {
    const id = keyId(registryUrl);
    if (!id) {
      return;
    }
    this._memory.delete(id);
    const all = this._read();
    if (id in all) {
      delete all[id];
      this._write(all);
    }
  }

  private _read(): { [url: string]: string } {
    try {
      const raw = this._storage?.getItem(API_KEYS_STORAGE_KEY);
      const parsed = raw ? (JSON.parse(raw) as unknown) : {};
      const out: { [url: string]: string } = Object.create(null);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        for (const [url, value] of Object.entries(parsed)) {
          if (typeof value === 'string') {
            out[url] = value;
          }
        }
      }
      return out;
    } catch {
      return Object.create(null);
    }
  }

  private _write(all: { [url: string]: string }): void {
    try {
      if (Object.keys(all).length === 0) {
        this._storage?.removeItem(API_KEYS_STORAGE_KEY);
      } else {
        this._storage?.setItem(API_KEYS_STORAGE_KEY, JSON.stringify(all));
      }
    } catch {
      // storage full or blocked: the key stays in memory for this session
    }
  }
}

function keyId(registryUrl: string): string | undefined {
  const parsed = parseRegistryUrl(registryUrl);
  return parsed.ok ? parsed.url : undefined;
}
