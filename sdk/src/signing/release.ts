import type { PackageDigest } from './digest.ts';
import { payloadTypes, signDocument, type SignedDocument } from './envelope.ts';
import type { PrivateKey } from './key-pair.ts';
import type { VerifiedStatement } from './statement.ts';
import { formatTimestamp } from './timestamp.ts';

/**
 * Platform release metadata (spec/signing.md, "Release metadata"). It has no expiry [SIG-095]: the
 * envelope stays byte-identical for life, and the index that pins it is what goes stale.
 */
export interface Release {
  _type: 'release';
  /** [SIG-074] `1.MINOR`; this toolkit writes 1.0. */
  specVersion: string;
  appId: string;
  version: string;
  versionCode: number;
  minHostVersion: string;
  package: PackageDigest & { url?: string };
  manifestSha256: string;
  permissions: string[];
  statement: { sha256: string; keyid: string };
  issuedAt: string;
  critical?: string[];
}

export interface ReleaseInput {
  /** The partner statement, as returned by verifyStatement. */
  statement: VerifiedStatement;
  minHostVersion: string;
  permissions: readonly string[];
  url?: string;
  issuedAt: Date;
}

/**
 * Countersigns a reviewed release with keys of the `release` role [SIG-030]; identity fields are
 * copied from the verified statement so the two signatures cannot disagree [SIG-031].
 */
export function createRelease(
  input: ReleaseInput,
  keys: readonly PrivateKey[],
): SignedDocument<Release> {
  const { statement, keyid, sha256 } = input.statement;
  const release: Release = {
    _type: 'release',
    specVersion: '1.0',
    appId: statement.appId,
    version: statement.version,
    versionCode: statement.versionCode,
    minHostVersion: input.minHostVersion,
    package: {
      sha256: statement.package.sha256,
      length: statement.package.length,
      ...(input.url === undefined ? {} : { url: input.url }),
    },
    manifestSha256: statement.manifestSha256,
    permissions: [...input.permissions],
    statement: { sha256, keyid },
    issuedAt: formatTimestamp(input.issuedAt),
  };
  return signDocument(payloadTypes.release, release, keys);
}
