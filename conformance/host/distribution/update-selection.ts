import { createHash } from 'node:crypto';
import type { BinEntryPayload } from './trust-world.ts';

/**
 * The update selection of spec/distribution.md ("Update selection"), written again for the suite so
 * that its server answers update checks as a conforming server must [API-100] without sharing code
 * with the implementations it certifies.
 */

export type Selection =
  | { kind: 'upToDate' }
  | { kind: 'update'; release: BinEntryPayload['releases'][number]; mandatory: boolean }
  | { kind: 'incompatible'; minHostVersion: string }
  | { kind: 'revoked'; replacement?: BinEntryPayload['releases'][number] };

function parseVersion(v: string): [number, number, number] {
  const [a = 0, b = 0, c = 0] = v.split('.').map(Number);
  return [a, b, c];
}

export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** A host at `host` satisfies `min` when the majors match and it is not lower (spec/versioning.md). */
export function satisfies(host: string, min: string): boolean {
  return parseVersion(host)[0] === parseVersion(min)[0] && compareVersions(host, min) >= 0;
}

/** [API-081] the rollout bucket of a device for one release. */
export function rolloutBucket(deviceId: string, appId: string, versionCode: number): number {
  const digest = createHash('sha256').update(`${deviceId}:${appId}:${versionCode}`).digest();
  return digest.readUInt32BE(0) % 10000;
}

export function selectUpdate(input: {
  appId: string;
  entry: BinEntryPayload | undefined;
  channel: string;
  deviceId: string;
  hostApiVersion: string;
  installed: number;
  installedRevoked: boolean;
}): Selection {
  const { appId, entry, channel, deviceId, hostApiVersion, installed } = input;
  const releases = (entry?.releases ?? []).filter((r) => r.channel === channel);
  const compatible = (r: (typeof releases)[number]) => satisfies(hostApiVersion, r.minHostVersion);
  const inCohort = (r: (typeof releases)[number]) =>
    rolloutBucket(deviceId, appId, r.versionCode) < Math.round(r.rolloutPercent * 100);
  const offered = (r: (typeof releases)[number]) => !r.paused && inCohort(r);
  const newest = <T extends { versionCode: number }>(list: T[]) =>
    list.reduce<T | undefined>((a, r) => (!a || r.versionCode > a.versionCode ? r : a), undefined);
  if (installed > 0 && input.installedRevoked) {
    const replacement = newest(
      releases.filter((r) => compatible(r) && offered(r) && r.versionCode !== installed),
    );
    return replacement ? { kind: 'revoked', replacement } : { kind: 'revoked' };
  }
  const newer = releases.filter((r) => offered(r) && r.versionCode > installed);
  const best = newest(newer.filter(compatible));
  if (best) {
    const mandatory = releases.some(
      (r) =>
        inCohort(r) &&
        r.mandatory &&
        r.versionCode > installed &&
        r.versionCode <= best.versionCode,
    );
    return { kind: 'update', release: best, mandatory };
  }
  if (newer.length > 0) {
    const lowest = [...newer].sort((a, b) =>
      compareVersions(a.minHostVersion, b.minHostVersion),
    )[0];
    return { kind: 'incompatible', minHostVersion: lowest?.minHostVersion ?? '1.0.0' };
  }
  return { kind: 'upToDate' };
}
