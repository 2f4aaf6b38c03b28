// Fakes shared by the registry specs.

/** An in-memory state database (the part of IStateDB push uses). */
export class MemoryState {
  data = new Map<string, unknown>();
  saves = 0;
  async fetch(id: string) {
    return this.data.get(id);
  }
  async save(id: string, value: unknown) {
    this.saves++;
    this.data.set(id, JSON.parse(JSON.stringify(value)));
  }
}
