/** Public surface of the versioning area (spec/versioning.md). */
export { compareHostApiVersions, hostSatisfies, parseHostApiVersion } from './host-api-version.ts';
export {
  checkReleaseOrder,
  compareVersionCodes,
  MAX_VERSION_CODE,
  type ReleaseVersion,
} from './version-code.ts';
export {
  canIUse,
  requiredHostVersion,
  type CapabilityEntry,
  type RequiredHostVersion,
} from './capability.ts';
