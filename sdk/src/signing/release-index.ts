import { MiniAppError } from '#sdk/diagnostics/index.ts';
import { payloadTypes, signDocument, type SignedDocument } from './envelope.ts';
import type { PrivateKey } from './key-pair.ts';
import { checkValidityWindow } from './release.ts';
import { formatTimestamp } from './timestamp.ts';

/** One pinned release of an app and channel [SIG-065]. */
export interface IndexEntry {
  appId: string;
  channel: string;
  versionCode: number;
  /** SHA-256 of the release envelope bytes. */
  sha256: string;
}

/** The short-lived signed index (spec/signing.md, "The index, freshness and revocation"). */
export interface ReleaseIndex {
  _type: 'index';
  specVersion: '1.0';
  version: number;
  issuedAt: string;
  expires: string;
  releases: IndexEntry[];
  revokedReleases: string[];
  revokedKeys: string[];
}

export interface IndexInput {
  version: number;
  issuedAt: Date;
  /** Defaults to and may not exceed 24 hours after issuedAt [SIG-061]. */
  expires?: Date;
  releases: readonly IndexEntry[];
  revokedReleases?: readonly string[];
  revokedKeys?: readonly string[];
}

/** [SIG-061] the longest an index may stay valid. */
export const maxIndexLifetimeMs = 24 * 60 * 60 * 1000;

/** Creates and signs an index with keys of the `index` role [SIG-060] [SIG-061]. */
export function createIndex(
  input: IndexInput,
  keys: readonly PrivateKey[],
): SignedDocument<ReleaseIndex> {
  const expires = input.expires ?? new Date(input.issuedAt.getTime() + maxIndexLifetimeMs);
  if (expires.getTime() - input.issuedAt.getTime() > maxIndexLifetimeMs) {
    throw new MiniAppError(
      'SIG_MALFORMED',
      'An index may not expire more than 24 hours after it is issued.',
      {
        requirement: 'SIG-061',
      },
    );
  }
  const index: ReleaseIndex = {
    _type: 'index',
    specVersion: '1.0',
    version: input.version,
    issuedAt: formatTimestamp(input.issuedAt),
    expires: formatTimestamp(expires),
    releases: input.releases.map((entry) => ({ ...entry })),
    revokedReleases: [...new Set(input.revokedReleases ?? [])],
    revokedKeys: [...new Set(input.revokedKeys ?? [])],
  };
  checkValidityWindow(index.issuedAt, index.expires, 'SIG-061');
  return signDocument(payloadTypes.index, index, keys);
}
