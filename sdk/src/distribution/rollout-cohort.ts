import { createHash } from 'node:crypto';

/** Number of rollout buckets: percentages have two decimals, so 100 × 100 [API-081]. */
export const rolloutBuckets = 10_000;

/**
 * The sticky bucket of a device for one release, exactly the five steps of spec/distribution.md
 * (Rollout cohorts) [API-081]: SHA-256 of `deviceId:appId:versionCode`, first 4 bytes big-endian, mod 10000.
 */
export function rolloutBucket(deviceId: string, appId: string, versionCode: number): number {
  // String(versionCode) writes a non-negative integer in decimal without leading zeros.
  const digest = createHash('sha256')
    .update(`${deviceId}:${appId}:${String(versionCode)}`, 'utf8')
    .digest();
  return digest.readUInt32BE(0) % rolloutBuckets;
}

/** `rolloutPercent × 100` as the integer 0..10000 the bucket is compared with [API-081]. */
export function rolloutThreshold(percent: number): number {
  // Binary floating point cannot hold 91.66 exactly; rounding recovers the two decimals.
  return Math.round(percent * 100);
}

/** Whether a device falls inside the cohort of a release at this percentage [API-025]. */
export function inCohort(
  deviceId: string,
  appId: string,
  versionCode: number,
  percent: number,
): boolean {
  return rolloutBucket(deviceId, appId, versionCode) < rolloutThreshold(percent);
}
