import { MiniAppError } from '#sdk/diagnostics/index.ts';
import { sha256Hex } from './digest.ts';
import { payloadTypes, signDocument, type SignedDocument } from './envelope.ts';
import type { PrivateKey } from './key-pair.ts';
import { formatTimestamp } from './timestamp.ts';

/** One installable release of an app in a bin entry [SIG-104]. */
export interface BinRelease {
  channel: string;
  versionCode: number;
  /** SHA-256 of the release envelope bytes [SIG-065]. */
  sha256: string;
  minHostVersion: string;
  rolloutPercent: number;
  mandatory: boolean;
  /** Paused releases are not offered but latch mandatory updates [API-034] [API-078]. */
  paused: boolean;
}

/** What a bin says about one app [SIG-104] [SIG-105] [SIG-106]. */
export interface AppEntry {
  delegation: { version: number; sha256: string };
  releases: BinRelease[];
  revokedReleases: string[];
  revokedKeys: string[];
}

/** One bin of the index: the apps of one prefix of SHA-256(appId) [SIG-101]. */
export interface Bin {
  _type: 'bin';
  /** [SIG-074] `1.MINOR`; this toolkit writes 1.0. */
  specVersion: string;
  prefix: string;
  version: number;
  issuedAt: string;
  apps: Record<string, AppEntry>;
  critical?: string[];
}

export interface BinInput {
  prefix: string;
  version: number;
  issuedAt: Date;
  apps: Readonly<Record<string, AppEntry>>;
}

/** [SIG-101] the bin prefix of an app: the first `length` lowercase hex digits of SHA-256(UTF-8 appId). */
export function binPrefixOf(appId: string, length: number): string {
  return sha256Hex(new TextEncoder().encode(appId)).slice(0, length);
}

/** [SIG-101] every app of a bin belongs to its prefix. */
export function checkBinApps(bin: Pick<Bin, 'prefix' | 'apps'>): void {
  for (const appId of Object.keys(bin.apps)) {
    if (binPrefixOf(appId, bin.prefix.length) !== bin.prefix) {
      throw new MiniAppError(
        'SIG_MALFORMED',
        `The bin of prefix "${bin.prefix}" lists ${appId}, which belongs to another bin.`,
        { requirement: 'SIG-101', location: { pointer: `/apps/${appId}` } },
      );
    }
  }
}

/** Copies an entry member by member, so a bin never carries members its own version does not define [SIG-079]. */
function entryOf(entry: AppEntry): AppEntry {
  return {
    delegation: { version: entry.delegation.version, sha256: entry.delegation.sha256 },
    releases: entry.releases.map((r) => ({
      channel: r.channel,
      versionCode: r.versionCode,
      sha256: r.sha256,
      minHostVersion: r.minHostVersion,
      rolloutPercent: r.rolloutPercent,
      mandatory: r.mandatory,
      paused: r.paused,
    })),
    revokedReleases: [...new Set(entry.revokedReleases)].sort(),
    revokedKeys: [...new Set(entry.revokedKeys)].sort(),
  };
}

/** The app entries of a bin in app id order, as they are signed. */
export function binApps(apps: Readonly<Record<string, AppEntry>>): Record<string, AppEntry> {
  return Object.fromEntries(
    Object.keys(apps)
      .sort()
      .map((appId) => [appId, entryOf(apps[appId] as AppEntry)]),
  );
}

/** Creates and signs a bin with keys of the `index` role [SIG-101]. */
export function createBin(input: BinInput, keys: readonly PrivateKey[]): SignedDocument<Bin> {
  const bin: Bin = {
    _type: 'bin',
    specVersion: '1.0',
    prefix: input.prefix,
    version: input.version,
    issuedAt: formatTimestamp(input.issuedAt),
    apps: binApps(input.apps),
  };
  checkBinApps(bin);
  return signDocument(payloadTypes.bin, bin, keys);
}
