import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

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
export class BundleStore {
  readonly root: string;
  readonly scratch: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'bundles', 'sha256');
    this.scratch = path.join(dataDir, 'scratch');
  }

  pathOf(sha256: string): string {
    if (!digestPattern.test(sha256)) throw new Error(`not a SHA-256 digest: ${sha256}`);
    return path.join(this.root, sha256.slice(0, 2), `${sha256}.ma`);
  }

  async stat(sha256: string): Promise<StoredBundle | null> {
    if (!digestPattern.test(sha256)) return null;
    const info = await stat(this.pathOf(sha256)).catch(() => null);
    return info?.isFile() ? { sha256, length: info.size } : null;
  }

  open(sha256: string, range?: { start: number; end: number }): Readable {
    return createReadStream(
      this.pathOf(sha256),
      range ? { start: range.start, end: range.end } : {},
    );
  }

  /** A fresh path in the scratch area, for callers that stage files before deciding to keep them. */
  async scratchPath(suffix = ''): Promise<string> {
    await mkdir(this.scratch, { recursive: true });
    return path.join(this.scratch, `${randomUUID()}${suffix}`);
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
    const staging = await this.scratchPath('.ma');
    const hash = createHash('sha256');
    let length = 0;
    // Created before streaming, so the cleanup below can never run before the file exists.
    const file = await open(staging, 'wx');
    try {
      const source = input instanceof Uint8Array ? Readable.from([input]) : input;
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            length += chunk.length;
            if (length > maxBytes) throw tooLarge();
            hash.update(chunk);
            yield chunk;
          }
        },
        file.createWriteStream(),
      );
      const sha256 = hash.digest('hex');
      const target = this.pathOf(sha256);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(staging, target);
      return { sha256, length };
    } finally {
      await file.close().catch(() => undefined);
      await rm(staging, { force: true });
    }
  }
}
