import { createHash } from 'node:crypto';

export { packageDigest as packageDigestOf, type PackageDigest } from '../package/package-digest.ts';

/** [SIG-016] SHA-256 as 64 lowercase hexadecimal digits. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
