import { createHash, timingSafeEqual } from 'node:crypto';
import { MiniAppError } from '../diagnostics/index.ts';

/** The digest of a package: SHA-256 of the exact .ma bytes and their length [PKG-090]. */
export interface PackageDigest {
  sha256: string;
  length: number;
}

/** Computes the package digest of spec/package.md [PKG-090]. */
export function packageDigest(bytes: Uint8Array): PackageDigest {
  return { sha256: createHash('sha256').update(bytes).digest('hex'), length: bytes.length };
}

/**
 * Checks downloaded bytes against the digest a release promised, length first [PKG-091].
 * Throws SIG_LENGTH_MISMATCH or SIG_DIGEST_MISMATCH, the codes a host's signature check uses for the
 * same fault [SIG-041]; call it before openArchiveSource so no ZIP parser sees unverified bytes.
 */
export function verifyPackageDigest(bytes: Uint8Array, expected: PackageDigest): void {
  if (bytes.length !== expected.length) {
    throw new MiniAppError(
      'SIG_LENGTH_MISMATCH',
      `The package is ${bytes.length} bytes; the release promised ${expected.length}.`,
      { fix: 'Download the package again from the release URL.' },
    );
  }
  const actual = Buffer.from(packageDigest(bytes).sha256, 'hex');
  const promised = Buffer.from(expected.sha256, 'hex');
  if (promised.length !== actual.length || !timingSafeEqual(actual, promised)) {
    throw new MiniAppError(
      'SIG_DIGEST_MISMATCH',
      'The SHA-256 of the package differs from the release.',
      {
        fix: 'Download the package again; if it persists, the mirror serves altered bytes.',
      },
    );
  }
}
