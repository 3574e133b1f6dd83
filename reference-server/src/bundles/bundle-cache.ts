import type { StoredBundle } from './bundle-storage.ts';

/** How much of a bundle store is kept in memory. */
export interface BundleCacheOptions {
  /** Bundles up to this size are kept in memory; larger ones are streamed (1 MiB by default). */
  hotFileLimit?: number;
  /** The memory all kept bundles may take together (64 MiB by default). */
  hotBudgetBytes?: number;
}

/**
 * Lengths and small bundles of a content-addressed store, kept in memory for every store kind: a
 * digest's bytes never change [API-042], so nothing here can go stale. Small bundles leave least
 * recently used first once they take more than `hotBudgetBytes`.
 */
export class BundleCache {
  readonly hotFileLimit: number;
  readonly hotBudgetBytes: number;
  readonly #lengths = new Map<string, number>();
  readonly #hot = new Map<string, Buffer>();
  /** Reads under way: concurrent misses of one digest share a read and are counted once. */
  readonly #reading = new Map<string, Promise<Buffer>>();
  #hotBytes = 0;

  constructor(options: BundleCacheOptions = {}) {
    this.hotFileLimit = options.hotFileLimit ?? 1024 * 1024;
    this.hotBudgetBytes = options.hotBudgetBytes ?? 64 * 1024 * 1024;
  }

  /** The length of a stored bundle once seen, else undefined. */
  length(sha256: string): number | undefined {
    return this.#lengths.get(sha256);
  }

  /** Remembers the length of a bundle that is stored whole. */
  stored(sha256: string, length: number): void {
    this.#lengths.set(sha256, length);
  }

  /**
   * The bytes of a small bundle, read once with `read` and then served from memory, or null for a
   * bundle above `hotFileLimit`, which callers stream instead.
   */
  async bytes(
    stored: StoredBundle,
    read: (sha256: string) => Promise<Buffer>,
  ): Promise<Buffer | null> {
    if (stored.length > this.hotFileLimit) return null;
    const hit = this.#hot.get(stored.sha256);
    if (hit) {
      this.#hot.delete(stored.sha256);
      this.#hot.set(stored.sha256, hit);
      return hit;
    }
    const pending = this.#reading.get(stored.sha256);
    if (pending) return pending;
    const reading = read(stored.sha256)
      .then((bytes) => {
        this.#keep(stored.sha256, bytes);
        return bytes;
      })
      .finally(() => this.#reading.delete(stored.sha256));
    this.#reading.set(stored.sha256, reading);
    return reading;
  }

  /** The memory held is the sum of the kept bundles, each counted once. */
  #keep(sha256: string, bytes: Buffer): void {
    const previous = this.#hot.get(sha256);
    if (previous) this.#hotBytes -= previous.length;
    this.#hot.delete(sha256);
    this.#hot.set(sha256, bytes);
    this.#hotBytes += bytes.length;
    for (const [digest, old] of this.#hot) {
      if (this.#hotBytes <= this.hotBudgetBytes) break;
      this.#hot.delete(digest);
      this.#hotBytes -= old.length;
    }
  }

  /** The memory the kept bundles take together. */
  get hotBytes(): number {
    return this.#hotBytes;
  }
}
