import { BridgeError } from './bridge-error.ts';
import { utf8Length } from './envelope.ts';

/** Storage quotas of spec/storage.md [STO-007] [STO-009]. */
export const storageLimits = {
  maxKeyBytes: 256,
  maxValueBytes: 1024 * 1024,
  maxNamespaceBytes: 10 * 1024 * 1024,
} as const;

interface Entry {
  /** The JSON text, so that a read returns exactly what was written [STO-004]. */
  json: string;
  bytes: number;
}

/** One mini-app's view of the store: it can only ever reach its own entries [STO-001]. */
export interface StorageNamespace {
  get(key: string): { exists: boolean; value?: unknown };
  set(key: string, value: unknown): void;
  remove(key: string): boolean;
  list(prefix?: string): string[];
  clear(): void;
  readonly bytesUsed: number;
}

function checkKey(key: string): number {
  const bytes = utf8Length(key);
  if (bytes < 1 || bytes > storageLimits.maxKeyBytes) {
    throw new BridgeError(
      'INVALID_PARAMS',
      `A storage key must be 1 to 256 bytes of UTF-8, not ${bytes}.`,
      {
        pointer: '/key',
      },
    );
  }
  return bytes;
}

/**
 * In-memory bridge storage of a mock host: one namespace per (user, app id), each a Map so that no key
 * (`__proto__` included) can reach another namespace or an inherited property [STO-003].
 */
export class MockStorage {
  readonly #namespaces = new Map<string, Map<string, Entry>>();

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
        checkKey(key);
        const entry = store.get(key);
        return entry
          ? { exists: true, value: JSON.parse(entry.json) as unknown }
          : { exists: false };
      },
      set(key, value) {
        const keyBytes = checkKey(key);
        const json = JSON.stringify(value);
        const valueBytes = utf8Length(json);
        if (valueBytes > storageLimits.maxValueBytes) {
          throw new BridgeError(
            'QUOTA_EXCEEDED',
            `The value of "${key}" is ${valueBytes} bytes; the limit is 1 MiB.`,
            {
              limit: storageLimits.maxValueBytes,
              size: valueBytes,
            },
          );
        }
        const bytes = keyBytes + valueBytes;
        const after = used() - (store.get(key)?.bytes ?? 0) + bytes;
        if (after > storageLimits.maxNamespaceBytes) {
          // [STO-007] refuse the whole write; the namespace stays as it was.
          throw new BridgeError(
            'QUOTA_EXCEEDED',
            `Writing "${key}" would use ${after} bytes; the limit is 10 MiB.`,
            {
              limit: storageLimits.maxNamespaceBytes,
              size: after,
            },
          );
        }
        store.set(key, { json, bytes });
      },
      remove(key) {
        checkKey(key);
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
