import { constants, createReadStream } from 'node:fs';
import { access, mkdir, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { BundleCache, type BundleCacheOptions } from './bundle-cache.ts';
import { putBundle } from './bundle-staging.ts';
import type { BundleStorage, StagedBundle } from './bundle-storage.ts';
import { scratchFile, sweepScratchArea } from './scratch-area.ts';

export interface StoredBundle {
  sha256: string;
  length: number;
}

const digestPattern = /^[0-9a-f]{64}$/;

/**
 * Content-addressed, immutable package files under DATA_DIR/bundles/sha256/ab/<digest>.ma [API-042].
 * A file appears under its final name only once complete (written to scratch, then renamed), so a
 * crash never leaves a half-written bundle visible, and the same bytes are stored once.
 */
export class BundleStore implements BundleStorage {
  readonly root: string;
  readonly scratch: string;
  /** Lengths (one stat is enough) and small bundles in memory. */
  readonly #cache: BundleCache;

  constructor(dataDir: string, options: BundleCacheOptions = {}) {
    this.root = path.join(dataDir, 'bundles', 'sha256');
    this.scratch = path.join(dataDir, 'scratch');
    this.#cache = new BundleCache(options);
  }

  pathOf(sha256: string): string {
    if (!digestPattern.test(sha256)) throw new Error(`not a SHA-256 digest: ${sha256}`);
    return path.join(this.root, sha256.slice(0, 2), `${sha256}.ma`);
  }

  async stat(sha256: string): Promise<StoredBundle | null> {
    if (!digestPattern.test(sha256)) return null;
    const known = this.#cache.length(sha256);
    if (known !== undefined) return { sha256, length: known };
    const info = await stat(this.pathOf(sha256)).catch(() => null);
    if (!info?.isFile()) return null;
    this.#cache.stored(sha256, info.size);
    return { sha256, length: info.size };
  }

  /**
   * The bytes of a small bundle from memory (read once, then served from the cache), or null for a
   * bundle above `hotFileLimit`, which callers stream with open().
   */
  async bytes(stored: StoredBundle): Promise<Buffer | null> {
    return this.#cache.bytes(stored, (sha256) => readFile(this.pathOf(sha256)));
  }

  open(sha256: string, range?: { start: number; end: number }): Readable {
    return createReadStream(
      this.pathOf(sha256),
      range ? { start: range.start, end: range.end } : {},
    );
  }

  async archive(sha256: string): Promise<string> {
    return this.pathOf(sha256);
  }

  /** One rename: the store only ever shows whole files [API-042]. */
  async promote(staged: StagedBundle): Promise<void> {
    const target = this.pathOf(staged.sha256);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(staged.path, target);
    this.#cache.stored(staged.sha256, staged.length);
  }

  async ping(): Promise<boolean> {
    return mkdir(this.root, { recursive: true })
      .then(() => access(this.root, constants.R_OK | constants.W_OK))
      .then(
        () => true,
        () => false,
      );
  }

  /**
   * A fresh path in the scratch area, for callers that stage files before deciding to keep them.
   * Its name starts with this process's host and pid, so a sweep at start can tell what a killed
   * process left behind from what a live one is still writing.
   */
  async scratchPath(suffix = ''): Promise<string> {
    return scratchFile(this.scratch, suffix);
  }

  /**
   * Removes what a killed process left in the scratch area (a partial upload after SIGKILL): files of
   * this host whose process is gone, files older than a day from other hosts sharing the directory,
   * and files without an owner. Returns the names removed.
   */
  async sweepScratch(now = Date.now()): Promise<string[]> {
    return sweepScratchArea(this.scratch, now);
  }

  /**
   * Streams bytes into the store, stopping with `tooLarge` as soon as more than maxBytes arrive, and
   * returns the digest the bytes are stored under. Idempotent: storing the same bytes twice is one file.
   */
  async put(
    input: Readable | Uint8Array,
    maxBytes: number,
    tooLarge: () => Error,
  ): Promise<StoredBundle> {
    return putBundle(this, input, maxBytes, tooLarge);
  }
}
