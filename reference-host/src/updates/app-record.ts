/**
 * What the host keeps per installed mini-app, and the pure rules that change it: updates are staged
 * in the background and activated only at a cold start [LIF-008]; the version they replace is kept;
 * a version that has not signalled ready since its activation is on probation, and if its first
 * launch fails it is rolled back to the kept version and never offered again; versions only go
 * forward otherwise (the floor of [SIG-035] lives in the trust state).
 */
import type { Manifest } from '#sdk/manifest/manifest.ts';

export interface InstalledVersion {
  versionCode: number;
  version: string;
  /** Digest of the release envelope that vouched for it. */
  releaseSha256: string;
  /** The partner key that signed its statement (revocation is read from the bin, SIG-067). */
  statementKeyid: string;
  /** Base64 of the partner statement's envelope bytes, verified again before each launch [SIG-089]. */
  statement: string;
  packageSha256: string;
  minHostVersion: string;
  manifest: Manifest;
  /** path -> SHA-256 of every file, anchored in the runtime for this version. */
  files: Record<string, string>;
  installedAt: string;
}

export interface AppRecord {
  appId: string;
  /** The runtime origin label of this installation; a reinstall gets a new one (and new storage). */
  runtimeLabel: string;
  current?: InstalledVersion;
  previous?: InstalledVersion;
  /** Downloaded and verified in the background; activated at the next cold start. */
  pending?: InstalledVersion;
  /** The update check said the pending (or an announced) version is mandatory [API-034] [API-035]. */
  mandatory?: number;
  /** The current version has not yet signalled ready since it was activated. */
  probation: boolean;
  /** versionCodes whose first launch failed; never installed again. */
  rejected: number[];
}

export function newRecord(appId: string, runtimeLabel: string): AppRecord {
  return { appId, runtimeLabel, probation: false, rejected: [] };
}

/**
 * A first installation, or an install in the foreground (a mandatory update): active at once.
 * `currentUntrusted`: the current version's statement no longer verifies under the app's delegation
 * [SIG-089], so it may never run again; a lower versionCode then replaces it (the recovery of
 * [SIG-088], whose floor the trust state has already forgotten), and it is not kept.
 */
export function installNow(
  record: AppRecord,
  version: InstalledVersion,
  options: { currentUntrusted?: boolean } = {},
): AppRecord {
  const untrusted = options.currentUntrusted === true;
  if (record.current && !untrusted && version.versionCode <= record.current.versionCode)
    return record;
  if (record.rejected.includes(version.versionCode)) return record;
  const pending =
    record.pending && record.pending.versionCode > version.versionCode ? record.pending : undefined;
  const kept = untrusted ? undefined : record.current;
  return {
    ...record,
    previous: kept ?? (untrusted ? undefined : record.previous),
    current: version,
    pending,
    mandatory:
      record.mandatory !== undefined && record.mandatory > version.versionCode
        ? record.mandatory
        : undefined,
    probation: true,
  };
}

/** Keeps a verified newer version for the next cold start. */
export function stage(record: AppRecord, version: InstalledVersion, mandatory = false): AppRecord {
  const floor = Math.max(record.current?.versionCode ?? 0, record.pending?.versionCode ?? 0);
  if (version.versionCode <= floor || record.rejected.includes(version.versionCode)) return record;
  return {
    ...record,
    pending: version,
    mandatory: mandatory ? version.versionCode : record.mandatory,
  };
}

/** At a cold start: the staged version becomes current, the current one is kept [LIF-008]. */
export function activate(record: AppRecord): AppRecord {
  if (!record.pending) return record;
  return {
    ...record,
    ...(record.current ? { previous: record.current } : {}),
    current: record.pending,
    pending: undefined,
    mandatory:
      record.mandatory !== undefined && record.mandatory > record.pending.versionCode
        ? record.mandatory
        : undefined,
    probation: true,
  };
}

/** The ready signal of a launch of `versionCode` ends its probation. */
export function confirm(record: AppRecord, versionCode: number): AppRecord {
  if (!record.probation || record.current?.versionCode !== versionCode) return record;
  return { ...record, probation: false };
}

/** The version on probation failed its launch: back to the kept version, and never again this one. */
export function rollBack(record: AppRecord): AppRecord {
  if (!record.probation || !record.current) return record;
  const failed = record.current.versionCode;
  const { previous } = record;
  return {
    ...record,
    current: previous,
    previous: undefined,
    probation: false,
    rejected: [...record.rejected, failed],
  };
}

/** Digests of the packages the record still needs; every other stored package may be deleted. */
export function packagesInUse(record: AppRecord): string[] {
  return [record.current, record.previous, record.pending]
    .filter((v): v is InstalledVersion => v !== undefined)
    .map((v) => v.packageSha256);
}
