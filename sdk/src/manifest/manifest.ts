import type { Manifest } from '#schemas/generated/types/manifest/manifest.ts';

export type {
  Icon,
  Manifest,
  PermissionDeclaration,
  Subpackage,
} from '#schemas/generated/types/manifest/manifest.ts';

/** The members every manifest has [MAN-004], in the order the specification lists them. */
export const requiredMembers = [
  'specVersion',
  'id',
  'name',
  'version',
  'versionCode',
  'minHostVersion',
  'entryPage',
  'pages',
  'icons',
  'category',
  'defaultLocale',
] as const satisfies readonly (keyof Manifest)[];

/** Where a manifest is found in a package [MAN-001]. */
export const MANIFEST_PATH = 'manifest.json';
