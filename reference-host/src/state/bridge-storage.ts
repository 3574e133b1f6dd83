/**
 * The mini-apps' `storage.*` namespaces (spec/storage.md) on the host's storage port. A namespace is
 * keyed by the user and the app id [STO-001]; a key is data, never a path, so no key can address
 * another namespace [STO-003]; values are kept as the JSON text that was written [STO-004]; quotas are
 * checked before the write and a write is one atomic batch [STO-007] [STO-010].
 */
import {
  checkNamespaceQuota,
  checkStorageKey,
  storageEntry,
  storageLimits,
  type StorageEntry,
} from '#sdk/bridge/storage-quota.ts';
import type { KeyValueStore } from './key-value-store.ts';

export { storageLimits };

interface NamespaceMeta {
  bytes: number;
}

function namespacePrefix(userId: string, appId: string): string {
  return `sto/${encodeURIComponent(userId)}/${encodeURIComponent(appId)}/`;
}

export class BridgeStorage {
  /** Writes of one namespace run one after another, so the size record stays exact. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(private readonly store: KeyValueStore) {}

  #serial<T>(prefix: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(prefix) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.#queues.set(
      prefix,
      next.catch(() => undefined),
    );
    return next;
  }

  async get(
    userId: string,
    appId: string,
    key: string,
  ): Promise<{ exists: boolean; value?: unknown }> {
    checkStorageKey(key);
    const entry = await this.store.get<StorageEntry>(`${namespacePrefix(userId, appId)}e/${key}`);
    return entry ? { exists: true, value: JSON.parse(entry.json) as unknown } : { exists: false };
  }

  async set(userId: string, appId: string, key: string, value: unknown): Promise<void> {
    const entry = storageEntry(key, value);
    const prefix = namespacePrefix(userId, appId);
    await this.#serial(prefix, async () => {
      const meta = (await this.store.get<NamespaceMeta>(`${prefix}meta`)) ?? { bytes: 0 };
      const previous = await this.store.get<StorageEntry>(`${prefix}e/${key}`);
      const after = meta.bytes - (previous?.bytes ?? 0) + entry.bytes;
      // [STO-007] refused as a whole; the namespace stays as it was.
      checkNamespaceQuota(key, after);
      await this.store.batch([
        { put: `${prefix}e/${key}`, value: entry },
        { put: `${prefix}meta`, value: { bytes: after } satisfies NamespaceMeta },
      ]);
    });
  }

  async remove(userId: string, appId: string, key: string): Promise<boolean> {
    checkStorageKey(key);
    const prefix = namespacePrefix(userId, appId);
    return this.#serial(prefix, async () => {
      const previous = await this.store.get<StorageEntry>(`${prefix}e/${key}`);
      if (!previous) return false;
      const meta = (await this.store.get<NamespaceMeta>(`${prefix}meta`)) ?? {
        bytes: previous.bytes,
      };
      await this.store.batch([
        { delete: `${prefix}e/${key}` },
        { put: `${prefix}meta`, value: { bytes: Math.max(0, meta.bytes - previous.bytes) } },
      ]);
      return true;
    });
  }

  async list(
    userId: string,
    appId: string,
    prefix = '',
  ): Promise<{ keys: string[]; bytesUsed: number; bytesQuota: number }> {
    const namespace = namespacePrefix(userId, appId);
    const entries = await this.store.entries<StorageEntry>(`${namespace}e/${prefix}`);
    const meta = (await this.store.get<NamespaceMeta>(`${namespace}meta`)) ?? { bytes: 0 };
    return {
      keys: entries.map(([k]) => k.slice(namespace.length + 2)),
      bytesUsed: meta.bytes,
      bytesQuota: storageLimits.maxNamespaceBytes,
    };
  }

  async clear(userId: string, appId: string): Promise<void> {
    const prefix = namespacePrefix(userId, appId);
    await this.#serial(prefix, () => this.store.deletePrefix(prefix));
  }

  /** [STO-005] everything of an app, for every user of this device. */
  async deleteApp(appId: string): Promise<void> {
    const target = encodeURIComponent(appId);
    const prefixes = new Set<string>();
    for (const [k] of await this.store.entries<unknown>('sto/')) {
      // Encoded user and app ids never contain "/".
      const [, user, app] = k.split('/');
      if (app === target && user !== undefined) prefixes.add(`sto/${user}/${app}/`);
    }
    for (const prefix of prefixes) await this.store.deletePrefix(prefix);
  }
}
