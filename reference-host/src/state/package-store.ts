/**
 * Verified, extracted packages in storage only the host controls (step 6 of a launch). A package is
 * stored under its digest once every check passed, so the cache never holds bytes that were refused.
 */
import type { KeyValueStore, StoreOperation } from './key-value-store.ts';

export interface StoredPackage {
  sha256: string;
  /** path -> bytes of every file. */
  files: Record<string, Uint8Array>;
}

export class PackageStore {
  constructor(private readonly store: KeyValueStore) {}

  async put(pkg: StoredPackage): Promise<void> {
    await this.store.put(`pkg/${pkg.sha256}`, pkg);
  }

  /** The write of a package, for a batch that stores it together with what refers to it. */
  operation(pkg: StoredPackage): StoreOperation {
    return { put: `pkg/${pkg.sha256}`, value: pkg };
  }

  get(sha256: string): Promise<StoredPackage | undefined> {
    return this.store.get<StoredPackage>(`pkg/${sha256}`);
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.store.keys(`pkg/${sha256}`)).includes(`pkg/${sha256}`);
  }

  /** Deletes every stored package not in `keep`. */
  async retain(keep: ReadonlySet<string>): Promise<void> {
    const drop = (await this.store.keys('pkg/')).filter((key) => !keep.has(key.slice(4)));
    if (drop.length > 0) await this.store.batch(drop.map((key) => ({ delete: key })));
  }

  async digests(): Promise<string[]> {
    return (await this.store.keys('pkg/')).map((key) => key.slice(4));
  }
}
