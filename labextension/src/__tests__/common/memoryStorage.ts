import type { WebStorage } from '../../common/webStorage';

/** localStorage as a Map. */
export class MemoryStorage implements WebStorage {
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  readonly items = new Map<string, string>();
}
