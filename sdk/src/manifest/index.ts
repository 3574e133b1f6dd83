/** Public surface of the manifest area (spec/manifest.md). */
export { parseManifest, type ParsedManifest } from './manifest-parser.ts';
export { checkManifestAgainstFiles } from './package-consistency.ts';
export { readManifest } from './manifest-reader.ts';
export { requiredMembers, MANIFEST_PATH } from './manifest.ts';
export type { Icon, Manifest, PermissionDeclaration, Subpackage } from './manifest.ts';
export { MAX_MANIFEST_BYTES, MAX_MANIFEST_DEPTH } from './json-text.ts';
