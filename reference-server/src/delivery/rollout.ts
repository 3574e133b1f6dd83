/** Rollout cohorts are computed by the sdk, the same code a host runs [API-081] [API-101]. */
export {
  inCohort,
  rolloutBucket,
  rolloutBuckets,
  rolloutThreshold,
} from '#sdk/distribution/index.ts';

/** True when the percentage has at most two decimals and lies in 0..100 [API-077]. */
export function isRolloutPercent(percent: number): boolean {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) return false;
  // Binary floating point cannot hold 91.66 exactly; a tolerance far below 0.01 tells 91.66 from 91.665.
  return Math.abs(percent * 100 - Math.round(percent * 100)) < 1e-6;
}
