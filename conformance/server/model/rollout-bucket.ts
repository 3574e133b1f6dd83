import { utf8 } from '../crypto/byte-encoding.ts';
import { sha256 } from '../crypto/digest.ts';

/**
 * The rollout bucket of spec/distribution.md (Rollout cohorts), computed by the suite from the five
 * steps of the text [API-081]: SHA-256 of `deviceId:appId:versionCode` in UTF-8, the first four bytes
 * as an unsigned big-endian integer, modulo 10000.
 */
export async function rolloutBucket(
  deviceId: string,
  appId: string,
  versionCode: number,
): Promise<number> {
  const digest = await sha256(utf8(`${deviceId}:${appId}:${versionCode.toString(10)}`));
  const n = new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0, false);
  return n % 10_000;
}

/** `rolloutPercent × 100` as the integer the bucket is compared with; percentages have two decimals. */
export function rolloutThreshold(percent: number): number {
  return Math.round(percent * 100);
}

/** Whether the device is in the cohort: bucket strictly below the threshold (step 5). */
export async function inCohort(
  deviceId: string,
  appId: string,
  versionCode: number,
  percent: number,
): Promise<boolean> {
  return (await rolloutBucket(deviceId, appId, versionCode)) < rolloutThreshold(percent);
}
