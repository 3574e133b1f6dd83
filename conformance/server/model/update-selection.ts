import { compareHostVersions, satisfies } from './host-version.ts';
import { inCohort } from './rollout-bucket.ts';

/**
 * The update selection, written by the suite from the text of spec/distribution.md (Update checks,
 * Update selection) and never from an implementation, so that a server and the suite cannot share a bug.
 */

export type ReleaseState = 'rollingOut' | 'paused' | 'completed' | 'rolledBack' | 'revoked';

/** What the suite knows of one release it created. */
export interface ModelRelease {
  versionCode: number;
  channel: 'stable' | 'beta';
  minHostVersion: string;
  rolloutPercent: number;
  mandatory: boolean;
  state: ReleaseState;
}

export interface SelectionQuery {
  appId: string;
  deviceId: string;
  hostApiVersion: string;
  channel: 'stable' | 'beta';
  /** 0 when not installed. */
  installedVersionCode: number;
}

/** The expected answer; `mandatory` is `either` where the text leaves the flag open. */
export type ExpectedResult =
  | { kind: 'upToDate' }
  | { kind: 'update'; versionCode: number; mandatory: boolean }
  | { kind: 'incompatible'; minHostVersion: string }
  | { kind: 'revoked'; replacement: number | null };

/**
 * Selects the answer for one app:
 * 1. installed and revoked: `revoked`, with the newest compatible offered release other than it;
 * 2. N = offered releases above the installed versionCode; B = the compatible one with the highest code;
 * 3. B: `update`, mandatory when a mandatory release in (installed, B] reached the device;
 * 4. N not empty: `incompatible` with the lowest minHostVersion of N;
 * 5. otherwise `upToDate`.
 * "Offered": on the channel, rolling out or completed (not paused, rolled back or revoked), device in the
 * cohort (a completed release reaches every device). "Reached": the same, paused included.
 */
export async function expectedSelection(
  releases: readonly ModelRelease[],
  query: SelectionQuery,
): Promise<ExpectedResult> {
  const { appId, deviceId, hostApiVersion, channel, installedVersionCode: v } = query;
  const onChannel = releases.filter((r) => r.channel === channel);
  const cohort = async (r: ModelRelease) =>
    r.state === 'completed' || (await inCohort(deviceId, appId, r.versionCode, r.rolloutPercent));
  const offered: ModelRelease[] = [];
  const reached: ModelRelease[] = [];
  for (const r of onChannel) {
    if (r.state !== 'rollingOut' && r.state !== 'completed' && r.state !== 'paused') continue;
    if (!(await cohort(r))) continue;
    reached.push(r);
    if (r.state !== 'paused') offered.push(r);
  }
  const compatible = (r: ModelRelease) => satisfies(hostApiVersion, r.minHostVersion);
  const newest = (rs: ModelRelease[]) =>
    rs.reduce<ModelRelease | undefined>(
      (b, r) => (!b || r.versionCode > b.versionCode ? r : b),
      undefined,
    );

  // [API-028] a revoked installed version: every release of that versionCode is revoked.
  const installedRevoked =
    v > 0 && releases.some((r) => r.versionCode === v && r.state === 'revoked');
  if (installedRevoked) {
    const replacement = newest(offered.filter((r) => compatible(r) && r.versionCode !== v));
    return { kind: 'revoked', replacement: replacement?.versionCode ?? null };
  }
  // [API-027] only releases above the installed one; [API-023] [VER-009] only compatible ones.
  const newer = offered.filter((r) => r.versionCode > v);
  const best = newest(newer.filter(compatible));
  if (best) {
    // [API-034] mandatory latches over every release in (installed, offered] that reached the device.
    const mandatory = reached.some(
      (r) => r.mandatory && r.versionCode > v && r.versionCode <= best.versionCode,
    );
    return { kind: 'update', versionCode: best.versionCode, mandatory };
  }
  if (newer.length > 0) {
    // [API-024] the lowest minHostVersion among the newer offered releases, in version order.
    const lowest = newer.map((r) => r.minHostVersion).sort(compareHostVersions)[0] as string;
    return { kind: 'incompatible', minHostVersion: lowest };
  }
  return { kind: 'upToDate' };
}

/** A one-line rendering of an answer, for evidence. */
export function describeResult(result: unknown): string {
  const r = result as {
    kind?: string;
    update?: { versionCode?: number; mandatory?: boolean };
    minHostVersion?: string;
    replacement?: { versionCode?: number };
    versionCode?: number;
    mandatory?: boolean;
  };
  switch (r?.kind) {
    case 'update':
      return `update to ${r.update?.versionCode ?? r.versionCode} (mandatory ${String(r.update?.mandatory ?? r.mandatory)})`;
    case 'incompatible':
      return `incompatible (minHostVersion ${String(r.minHostVersion)})`;
    case 'revoked':
      return `revoked (replacement ${String(r.replacement === null ? 'none' : (r.replacement?.versionCode ?? r.replacement ?? 'none'))})`;
    default:
      return String(r?.kind);
  }
}
