import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BundleStorage } from '../bundles/bundle-storage.ts';

/** Package bytes written to the scratch area, not yet visible in the bundle store. */
export interface StagedPackage {
  path: string;
  sha256: string;
  length: number;
}

/** Thrown while streaming when the bytes pass the cap; the caller turns it into a 413 [API-070]. */
export class StagingLimitExceeded extends Error {
  override name = 'StagingLimitExceeded';
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`);
  }
}

/**
 * Streams bytes into a fresh scratch file, hashing on the way and stopping as soon as more than
 * maxBytes arrive [API-070]. Nothing outside the scratch area is touched, so a hostile or oversize
 * package never reaches the store.
 */
export async function stagePackage(
  input: Readable,
  bundles: BundleStorage,
  maxBytes: number,
): Promise<StagedPackage> {
  const staging = await bundles.scratchPath('.ma');
  const hash = createHash('sha256');
  let length = 0;
  // Created before any byte is read: a lazily opened stream could create the file after the cleanup
  // below, when the first chunk is already over the limit.
  const file = await open(staging, 'wx');
  try {
    await pipeline(
      input,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          length += chunk.length;
          if (length > maxBytes) throw new StagingLimitExceeded(maxBytes);
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
 * Moves a complete staged package under its content address (a rename on disk, one PUT to object
 * storage), so the store only ever shows whole files [API-042]; the same bytes staged twice end as one.
 */
export async function promoteToStore(bundles: BundleStorage, staged: StagedPackage): Promise<void> {
  await bundles.promote(staged);
}

/** Removes a staged file that will not be kept. */
export async function discardStaged(staged: StagedPackage): Promise<void> {
  await rm(staged.path, { force: true });
}
