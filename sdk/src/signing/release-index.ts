import { MiniAppError } from '#sdk/diagnostics/index.ts';
import { payloadTypes, signDocument, type SignedDocument } from './envelope.ts';
import type { PrivateKey } from './key-pair.ts';
import { checkValidityWindow, formatTimestamp } from './timestamp.ts';

/** The pin of one bin in the index [SIG-102]. */
export interface BinPin {
  /** 0 to 4 hexadecimal digits; empty when binPrefixLength is 0. */
  prefix: string;
  version: number;
  /** SHA-256 of the bin envelope bytes. */
  sha256: string;
}

/** The short-lived signed index (spec/signing.md, "The index, bins, freshness and revocation"). */
export interface ReleaseIndex {
  _type: 'index';
  /** [SIG-074] `1.MINOR`; this toolkit writes 1.0. */
  specVersion: string;
  version: number;
  issuedAt: string;
  expires: string;
  binPrefixLength: number;
  bins: BinPin[];
  critical?: string[];
}

export interface IndexInput {
  version: number;
  issuedAt: Date;
  /** Defaults to and may not exceed 24 hours after issuedAt [SIG-061]. */
  expires?: Date;
  binPrefixLength: number;
  bins: readonly BinPin[];
}

/** [SIG-061] the longest an index may stay valid. */
export const maxIndexLifetimeMs = 24 * 60 * 60 * 1000;

/** [SIG-100] the highest binPrefixLength. */
export const maxBinPrefixLength = 4;

/** Every hexadecimal string of the given length, ascending: the prefixes an index must cover [SIG-100]. */
export function allBinPrefixes(length: number): string[] {
  if (!Number.isInteger(length) || length < 0 || length > maxBinPrefixLength) {
    throw new MiniAppError('USAGE', `binPrefixLength must be 0 to 4, got ${length}.`);
  }
  if (length === 0) return [''];
  return Array.from({ length: 16 ** length }, (_, i) => i.toString(16).padStart(length, '0'));
}

/**
 * [SIG-100] The bins list every prefix of binPrefixLength digits exactly once, in ascending order,
 * so that no bin can be hidden from a host.
 */
export function checkBinCover(index: Pick<ReleaseIndex, 'binPrefixLength' | 'bins'>): void {
  const expected = 16 ** index.binPrefixLength;
  const ok =
    index.bins.length === expected &&
    index.bins.every(
      (bin, i) =>
        bin.prefix.length === index.binPrefixLength &&
        (i === 0 || (index.bins[i - 1]?.prefix ?? '') < bin.prefix),
    );
  if (!ok) {
    throw new MiniAppError(
      'SIG_MALFORMED',
      `The index does not list each of the ${expected} prefixes of length ${index.binPrefixLength} exactly once, in ascending order.`,
      { requirement: 'SIG-100', location: { pointer: '/bins' } },
    );
  }
}

/** Creates and signs an index with keys of the `index` role [SIG-060] [SIG-061] [SIG-100]. */
export function createIndex(
  input: IndexInput,
  keys: readonly PrivateKey[],
): SignedDocument<ReleaseIndex> {
  const expires = input.expires ?? new Date(input.issuedAt.getTime() + maxIndexLifetimeMs);
  const index: ReleaseIndex = {
    _type: 'index',
    specVersion: '1.0',
    version: input.version,
    issuedAt: formatTimestamp(input.issuedAt),
    expires: formatTimestamp(expires),
    binPrefixLength: input.binPrefixLength,
    bins: input.bins.map((bin) => ({
      prefix: bin.prefix,
      version: bin.version,
      sha256: bin.sha256,
    })),
  };
  checkValidityWindow(index.issuedAt, index.expires, 'SIG-061', maxIndexLifetimeMs);
  checkBinCover(index);
  return signDocument(payloadTypes.index, index, keys);
}
