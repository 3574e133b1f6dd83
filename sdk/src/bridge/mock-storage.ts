import {
  checkNamespaceQuota,
  checkStorageKey,
  storageEntry,
  type StorageEntry,
} from './storage-quota.ts';

export { storageLimits } from './storage-quota.ts';

/** One mini-app's view of the store: it can only ever reach its own entries [STO-001]. */
export interface StorageNamespace {
  get(key: string): { exists: boolean; value?: unknown };
  set(key: string, value: unknown): void;
  remove(key: string): boolean;
  list(prefix?: string): string[];
  clear(): void;
  readonly bytesUsed: number;
}

/**
 * In-memory bridge storage of a mock host: one namespace per (user, app id), each a Map so that no key
 * (`__proto__` included) can reach another namespace or an inherited property [STO-003].
 */
export class MockStorage {
  readonly #namespaces = new Map<string, Map<string, StorageEntry>>();

  /** The namespace of one mini-app for one user. */
  namespace(appId: string, userId = 'user'): StorageNamespace {
    const name = JSON.stringify([userId, appId]);
    let entries = this.#namespaces.get(name);
    if (!entries) {
      entries = new Map();
      this.#namespaces.set(name, entries);
    }
    const store = entries;
    const used = () => [...store.values()].reduce((sum, e) => sum + e.bytes, 0);
    return {
      get(key) {
        checkStorageKey(key);
        const entry = store.get(key);
        return entry
          ? { exists: true, value: JSON.parse(entry.json) as unknown }
          : { exists: false };
      },
      set(key, value) {
        const entry = storageEntry(key, value);
        // [STO-007] checked before the write: a refused write leaves the namespace as it was.
        checkNamespaceQuota(key, used() - (store.get(key)?.bytes ?? 0) + entry.bytes);
        store.set(key, entry);
      },
      remove(key) {
        checkStorageKey(key);
        return store.delete(key);
      },
      list(prefix = '') {
        return [...store.keys()].filter((k) => k.startsWith(prefix)).sort();
      },
      clear() {
        store.clear();
      },
      get bytesUsed() {
        return used();
      },
    };
  }

  /** Deletes everything of a mini-app, as on uninstall [STO-005]. */
  deleteApp(appId: string): void {
    for (const name of [...this.#namespaces.keys()]) {
      const [, app] = JSON.parse(name) as [string, string];
      if (app === appId) this.#namespaces.delete(name);
    }
  }
}
