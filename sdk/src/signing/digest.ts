import { createHash } from 'node:crypto';

/** The signed identity of a file: SHA-256 as lowercase hex and exact length [SIG-016] [SIG-040]. */
export interface PackageDigest {
  sha256: string;
  length: number;
}

/** [SIG-016] SHA-256 as 64 lowercase hexadecimal digits. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Digest and length of exact bytes, e.g. a `.ma` file. */
export function packageDigestOf(bytes: Uint8Array): PackageDigest {
  return { sha256: sha256Hex(bytes), length: bytes.length };
}
