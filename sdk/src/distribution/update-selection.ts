import semver from 'semver';
import type { AppEntry, BinRelease } from '../signing/bin.ts';
import { inCohort } from './rollout-cohort.ts';

/** The inputs of the update selection (spec/distribution.md, "Update selection"). */
export interface SelectionInput {
  appId: string;
  /** The app's entry in a verified bin; null when the bin does not list the app. */
  entry: AppEntry | null;
  /** The channel the host follows. */
  channel: string;
  deviceId: string;
  hostApiVersion: string;
  /** The installed version, or null (or versionCode 0) when the app is not installed. */
  installed: { versionCode: number; revoked: boolean } | null;
}

/** The answer of the update selection; a `revoked` replacement is always mandatory [API-028]. */
export type Selection =
  | { kind: 'upToDate' }
  | { kind: 'update'; release: BinRelease; mandatory: boolean }
  | { kind: 'incompatible'; minHostVersion: string }
  | { kind: 'revoked'; replacement?: BinRelease };

/**
 * [API-023] [VER-007] a host runs a release when its host API version has the same major version as
 * the release's minHostVersion and is not lower. An unreadable version runs nothing.
 */
export function hostRuns(hostApiVersion: string, minHostVersion: string): boolean {
  const host = semver.parse(hostApiVersion);
  const min = semver.parse(minHostVersion);
  return host !== null && min !== null && host.major === min.major && semver.gte(host, min);
}

/**
 * Whether the installed version is revoked according to the app's entry [SIG-066] [SIG-067]: its
 * release envelope digest, or the partner key that signed its statement, is listed.
 */
export function isInstalledRevoked(
  entry: AppEntry | null,
  installed: { releaseSha256: string; statementKeyid: string },
): boolean {
  return (
    entry !== null &&
    (entry.revokedReleases.includes(installed.releaseSha256) ||
      entry.revokedKeys.includes(installed.statementKeyid))
  );
}

function newest(releases: readonly BinRelease[]): BinRelease | undefined {
  return releases.reduce<BinRelease | undefined>(
    (best, r) => (best === undefined || r.versionCode > best.versionCode ? r : best),
    undefined,
  );
}

/**
 * The update selection of spec/distribution.md, steps 1 to 5. Pure and deterministic, so the
 * server's update check [API-100] and a host deciding from a cached bin [API-101] agree.
 */
export function selectUpdate(input: SelectionInput): Selection {
  const { appId, deviceId, hostApiVersion } = input;
  const v = input.installed?.versionCode ?? 0;
  const releases = (input.entry?.releases ?? []).filter((r) => r.channel === input.channel);
  const compatible = (r: BinRelease): boolean => hostRuns(hostApiVersion, r.minHostVersion);
  // [API-025] the cohort decides; a completed release (100 %) holds every bucket.
  const reached = (r: BinRelease): boolean =>
    inCohort(deviceId, appId, r.versionCode, r.rolloutPercent);
  // [API-078] paused releases are offered to nobody.
  const offered = (r: BinRelease): boolean => !r.paused && reached(r);

  // Revocation is read from the entry, so an app its bin does not list is never revoked [API-029].
  if (v > 0 && input.entry !== null && input.installed?.revoked) {
    // 1. [API-028] the replacement may be older than the revoked version; it is mandatory.
    const replacement = newest(
      releases.filter((r) => offered(r) && compatible(r) && r.versionCode !== v),
    );
    return replacement ? { kind: 'revoked', replacement } : { kind: 'revoked' };
  }
  // 2. [API-027] only releases above the installed versionCode are updates.
  const newer = releases.filter((r) => offered(r) && r.versionCode > v);
  const best = newest(newer.filter(compatible));
  if (best) {
    // 3. [API-034] a skipped mandatory release in (v, best] that reached the device latches.
    const mandatory = releases.some(
      (r) => r.mandatory && r.versionCode > v && r.versionCode <= best.versionCode && reached(r),
    );
    return { kind: 'update', release: best, mandatory };
  }
  if (newer.length > 0) {
    // 4. [API-024] every newer release needs a newer host: name the lowest version that would do.
    const lowest = newer.map((r) => r.minHostVersion).sort(semver.compare)[0];
    if (lowest !== undefined) return { kind: 'incompatible', minHostVersion: lowest };
  }
  // 5.
  return { kind: 'upToDate' };
}
