/** The storage port on IndexedDB of the host's own origin (web and hybrid builds). */
import { openDB, type IDBPDatabase } from 'idb';
import type { KeyValueStore, StoreOperation } from './key-value-store.ts';

const storeName = 'kv';

function range(prefix: string): IDBKeyRange {
  // Keys are strings; every key with this prefix sorts below prefix + U+FFFF.
  return IDBKeyRange.bound(prefix, `${prefix}\uffff`, false, false);
}

export class IndexedDbStore implements KeyValueStore {
  private constructor(private readonly db: IDBPDatabase) {}

  static async open(name = 'openminiapp-host'): Promise<IndexedDbStore> {
    const db = await openDB(name, 1, {
      upgrade(upgrade) {
        upgrade.createObjectStore(storeName);
      },
    });
    return new IndexedDbStore(db);
  }

  async get<T>(key: string): Promise<T | undefined> {
    return (await this.db.get(storeName, key)) as T | undefined;
  }
  async put(key: string, value: unknown): Promise<void> {
    await this.db.put(storeName, value, key);
  }
  async delete(key: string): Promise<void> {
    await this.db.delete(storeName, key);
  }
  async keys(prefix: string): Promise<string[]> {
    return (await this.db.getAllKeys(storeName, range(prefix))).map(String);
  }
  async entries<T>(prefix: string): Promise<[string, T][]> {
    const tx = this.db.transaction(storeName, 'readonly');
    const out: [string, T][] = [];
    for await (const cursor of tx.store.iterate(range(prefix))) {
      out.push([String(cursor.key), cursor.value as T]);
    }
    await tx.done;
    return out;
  }
  /**
   * `relaxed` commits without waiting for the disk to flush: the transaction stays all or nothing,
   * and a power loss can only drop the last commits, in order. Package installs use it, since a
   * dropped install is downloaded again, while the flush of 2 MiB sits inside [BUD-012].
   */
  async batch(
    operations: readonly StoreOperation[],
    durability: 'default' | 'relaxed' = 'default',
  ): Promise<void> {
    // One readwrite transaction: IndexedDB commits all of it or none [STO-010].
    const tx = this.db.transaction(storeName, 'readwrite', { durability });
    for (const op of operations) {
      if ('put' in op) void tx.store.put(op.value, op.put);
      else void tx.store.delete(op.delete);
    }
    await tx.done;
  }
  async deletePrefix(prefix: string): Promise<void> {
    await this.db.delete(storeName, range(prefix));
  }
}
