import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BundleStorage, StagedBundle, StoredBundle } from './bundle-storage.ts';

/**
 * Streams bytes into a fresh file of the storage's scratch area, hashing on the way and stopping with
 * `tooLarge` as soon as more than maxBytes arrive [API-070]. Nothing outside the scratch area is
 * touched, so a hostile or oversize package never reaches the store; on failure the file is removed.
 */
export async function stageBundle(
  storage: Pick<BundleStorage, 'scratchPath'>,
  input: Readable | Uint8Array,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<StagedBundle> {
  const staging = await storage.scratchPath('.ma');
  const hash = createHash('sha256');
  let length = 0;
  // Created before any byte is read: a lazily opened stream could create the file after the cleanup
  // below, when the first chunk is already over the limit.
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
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(staging, { force: true });
    throw error;
  }
  return { path: staging, sha256: hash.digest('hex'), length };
}

/**
 * BundleStorage.put for every store: stage in scratch, then promote whole under the content address
 * [API-042]. The staged file is removed whatever happens, so a failed promote leaves no scratch behind.
 */
export async function putBundle(
  storage: BundleStorage,
  input: Readable | Uint8Array,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<StoredBundle> {
  const staged = await stageBundle(storage, input, maxBytes, tooLarge);
  try {
    await storage.promote(staged);
    return { sha256: staged.sha256, length: staged.length };
  } finally {
    await rm(staged.path, { force: true });
  }
}
