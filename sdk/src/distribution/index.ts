/** Public surface of the distribution area (spec/distribution.md): what a server and a host compute alike. */
export { rolloutBucket, rolloutBuckets, rolloutThreshold, inCohort } from './rollout-cohort.ts';
export {
  selectUpdate,
  hostRuns,
  isInstalledRevoked,
  type Selection,
  type SelectionInput,
} from './update-selection.ts';
