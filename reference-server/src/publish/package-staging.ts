import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { BundleStorage, StagedBundle } from '../bundles/bundle-storage.ts';
import { stageBundle } from '../bundles/bundle-staging.ts';

/** Package bytes written to the scratch area, not yet visible in the bundle store. */
export type StagedPackage = StagedBundle;

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
  return stageBundle(bundles, input, maxBytes, () => new StagingLimitExceeded(maxBytes));
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
