import semver from 'semver';
import { inCohort } from './rollout.ts';
import type { ReleaseState } from './release-state.ts';

/** One release of the requested app and channel, with what the selection needs to know of its version. */
export interface CandidateRelease {
  versionCode: number;
  version: string;
  state: ReleaseState;
  rolloutPercent: number;
  mandatory: boolean;
  minHostVersion: string;
  /** The release envelope, or the key that signed the statement, is listed as revoked. */
  revoked: boolean;
  sha256: string;
  length: number;
}

/** An `update` or `replacement` member of an update-check result [API-026]. */
export interface UpdateOffer {
  versionCode: number;
  version: string;
  releaseUrl: string;
  packageUrl: string;
  length: number;
  sha256: string;
  mandatory: boolean;
}

/** One result of an update check [API-022]. */
export type UpdateResult =
  | { appId: string; kind: 'upToDate' }
  | { appId: string; kind: 'update'; update: UpdateOffer }
  | { appId: string; kind: 'incompatible'; minHostVersion: string }
  | { appId: string; kind: 'revoked'; replacement?: UpdateOffer };

export interface SelectionInput {
  appId: string;
  deviceId: string;
  hostApiVersion: string;
  /** 0 when the app is not installed. */
  installedVersionCode: number;
  /** The installed version's release (or its signing key) is revoked [API-028]. */
  installedRevoked: boolean;
  /** Every release of the app on the requested channel, in any state [API-023]. */
  releases: readonly CandidateRelease[];
  /** Base URL the offer's URLs start with. */
  publicUrl: string;
}

/** Whether this device is currently offered the release: completed, or rolling out with the device in its cohort. */
function offeredNow(release: CandidateRelease, appId: string, deviceId: string): boolean {
  if (release.revoked) return false;
  // [API-078] paused and rolled-back releases are never offered; [API-025] partial rollouts only to the cohort.
  if (release.state === 'completed') return true;
  return (
    release.state === 'rollingOut' &&
    inCohort(deviceId, appId, release.versionCode, release.rolloutPercent)
  );
}

/**
 * Whether the release was offered to this device's cohort at some point and still stands: a pause stops
 * new offers but does not take back those made, while rollback and revocation withdraw the release.
 */
function offeredToCohort(release: CandidateRelease, appId: string, deviceId: string): boolean {
  if (release.revoked) return false;
  if (release.state === 'completed') return true;
  return (
    (release.state === 'rollingOut' || release.state === 'paused') &&
    inCohort(deviceId, appId, release.versionCode, release.rolloutPercent)
  );
}

function newest(releases: readonly CandidateRelease[]): CandidateRelease | undefined {
  return releases.reduce<CandidateRelease | undefined>(
    (best, r) => (best === undefined || r.versionCode > best.versionCode ? r : best),
    undefined,
  );
}

function offerOf(
  release: CandidateRelease,
  appId: string,
  publicUrl: string,
  mandatory: boolean,
): UpdateOffer {
  return {
    versionCode: release.versionCode,
    version: release.version,
    releaseUrl: `${publicUrl}/v1/releases/${appId}/${String(release.versionCode)}.release.json`,
    packageUrl: `${publicUrl}/v1/bundles/sha256/${release.sha256}.ma`,
    length: release.length,
    sha256: release.sha256,
    mandatory,
  };
}

/**
 * Chooses the answer for one installed app from the releases of its channel (spec/distribution.md,
 * Update checks). Pure, so that every replica answers a device the same way.
 */
export function selectUpdate(input: SelectionInput): UpdateResult {
  const { appId, deviceId, hostApiVersion, installedVersionCode, releases, publicUrl } = input;
  const compatible = (r: CandidateRelease): boolean => semver.lte(r.minHostVersion, hostApiVersion);
  const offered = releases.filter((r) => offeredNow(r, appId, deviceId));

  if (installedVersionCode > 0 && input.installedRevoked) {
    // [API-028] the replacement may be older than the revoked version; nothing revoked may start, so it is mandatory.
    const replacement = newest(
      offered.filter((r) => compatible(r) && r.versionCode !== installedVersionCode),
    );
    return replacement
      ? { appId, kind: 'revoked', replacement: offerOf(replacement, appId, publicUrl, true) }
      : { appId, kind: 'revoked' };
  }

  // [API-027] only releases above the installed versionCode are updates.
  const newer = offered.filter((r) => r.versionCode > installedVersionCode);
  // [API-023] only releases the host can run are candidates.
  const best = newest(newer.filter(compatible));
  if (best) {
    // [API-034] a skipped mandatory release in (installed, offered] keeps the offer mandatory.
    const mandatory = releases.some(
      (r) =>
        r.mandatory &&
        r.versionCode > installedVersionCode &&
        r.versionCode <= best.versionCode &&
        offeredToCohort(r, appId, deviceId),
    );
    return { appId, kind: 'update', update: offerOf(best, appId, publicUrl, mandatory) };
  }
  if (newer.length > 0) {
    // [API-024] every newer release needs a newer host: name the lowest host API version that would do.
    const lowest = newer.map((r) => r.minHostVersion).sort(semver.compare)[0];
    if (lowest !== undefined) return { appId, kind: 'incompatible', minHostVersion: lowest };
  }
  return { appId, kind: 'upToDate' };
}
