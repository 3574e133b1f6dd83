/**
 * The host's storage port. Everything the host remembers (trust state, installed versions, permission
 * decisions, bridge storage namespaces, analytics queue, history) goes through it, in storage that no
 * mini-app can reach: IndexedDB of the host's own origin on the web, Capacitor Preferences on native.
 */
export type StoreOperation = { put: string; value: unknown } | { delete: string };

export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  /** Keys that start with `prefix`, in key order (values are not read). */
  keys(prefix: string): Promise<string[]>;
  /** Entries whose key starts with `prefix`, in key order. */
  entries<T>(prefix: string): Promise<[string, T][]>;
  /** Applies every operation or none [STO-010]. */
  batch(operations: readonly StoreOperation[]): Promise<void>;
  /** Deletes every key that starts with `prefix`. */
  deletePrefix(prefix: string): Promise<void>;
}

/** An in-memory store: unit tests, and a host that must not persist (private mode). */
export class MemoryStore implements KeyValueStore {
  readonly #map = new Map<string, unknown>();

  async get<T>(key: string): Promise<T | undefined> {
    return structuredClone(this.#map.get(key)) as T | undefined;
  }
  async put(key: string, value: unknown): Promise<void> {
    this.#map.set(key, structuredClone(value));
  }
  async delete(key: string): Promise<void> {
    this.#map.delete(key);
  }
  async keys(prefix: string): Promise<string[]> {
    return [...this.#map.keys()].filter((key) => key.startsWith(prefix)).sort();
  }
  async entries<T>(prefix: string): Promise<[string, T][]> {
    return [...this.#map.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => [key, structuredClone(value) as T]);
  }
  async batch(operations: readonly StoreOperation[]): Promise<void> {
    const copies = operations.map((op) =>
      'put' in op ? { ...op, value: structuredClone(op.value) } : op,
    );
    for (const op of copies) {
      if ('put' in op) this.#map.set(op.put, op.value);
      else this.#map.delete(op.delete);
    }
  }
  async deletePrefix(prefix: string): Promise<void> {
    for (const key of [...this.#map.keys()]) if (key.startsWith(prefix)) this.#map.delete(key);
  }
}
