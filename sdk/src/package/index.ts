/** Public surface of the package area (spec/package.md). */
export type { PackageFile, PackageSource } from './package-source.ts';
export {
  DEFAULT_LIMITS,
  resolveLimits,
  checkPackageLimits,
  type PackageLimits,
} from './package-limits.ts';
export {
  checkEntryPath,
  collisionKey,
  compareUtf8,
  PathRegistry,
  type PathProblem,
} from './package-path.ts';
export { packageDigest, verifyPackageDigest, type PackageDigest } from './package-digest.ts';
export { openDirectorySource, IGNORED_DIRECTORIES, IGNORED_FILES } from './directory-source.ts';
export {
  openArchiveSource,
  readArchive,
  checkEveryEntry,
  type CheckedArchive,
} from './archive-source.ts';
export { readBoundedFile, type BoundedReadFailures } from './bounded-file.ts';
export { packDirectory, type PackOptions, type PackResult } from './packer.ts';
export { extractPackage } from './extractor.ts';
export { PACKAGE_MEDIA_TYPE, PACKAGE_EXTENSION } from './media-type.ts';
