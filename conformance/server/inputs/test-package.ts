import { utf8 } from '../crypto/byte-encoding.ts';
import { solidPng } from './png-image.ts';
import { writeZip, type ZipEntry } from './zip-writer.ts';

/** What the suite varies between the packages it uploads. */
export interface PackageSpec {
  appId: string;
  versionCode: number;
  version?: string;
  minHostVersion?: string;
  name?: string;
  category?: string;
  /** Permission name to reason. */
  permissions?: Record<string, string>;
  /** Localised names; `en` is the default locale. */
  locales?: Record<string, { name: string }>;
  /** An extra file, to make two packages of one manifest differ. */
  filler?: string;
}

export interface BuiltPackage {
  bytes: Uint8Array;
  manifestBytes: Uint8Array;
  manifest: Record<string, unknown>;
  entries: ZipEntry[];
}

const icon192 = solidPng(192, 192, [0x22, 0x88, 0xcc]);
const icon512 = solidPng(512, 512, [0x22, 0x88, 0xcc]);

const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Certification probe</title><link rel="stylesheet" href="../app.css"></head>
<body><main><h1>Certification probe</h1><p>Uploaded by the conformance suite.</p></main></body>
</html>
`;

/** The manifest object of a package the suite uploads (valid against manifest.md). */
export function manifestOf(spec: PackageSpec): Record<string, unknown> {
  return {
    specVersion: '1.0',
    id: spec.appId,
    name: spec.name ?? 'Certification probe',
    version: spec.version ?? `1.0.${spec.versionCode}`,
    versionCode: spec.versionCode,
    minHostVersion: spec.minHostVersion ?? '1.0.0',
    entryPage: 'pages/index.html',
    pages: ['pages/index.html'],
    icons: [
      { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
    ],
    category: spec.category ?? 'utilities',
    defaultLocale: 'en',
    ...(spec.permissions
      ? {
          permissions: Object.fromEntries(
            Object.entries(spec.permissions).map(([name, reason]) => [name, { reason }]),
          ),
        }
      : {}),
  };
}

/** The files of a valid package, sorted by path, each stored. */
export function packageEntries(spec: PackageSpec, manifestBytes: Uint8Array): ZipEntry[] {
  const files: ZipEntry[] = [
    { path: 'app.css', data: utf8('body { font-family: sans-serif; margin: 1rem; }\n') },
    { path: 'icons/icon-192.png', data: icon192 },
    { path: 'icons/icon-512.png', data: icon512 },
    { path: 'manifest.json', data: manifestBytes },
    { path: 'pages/index.html', data: utf8(page) },
  ];
  if (spec.filler !== undefined) files.push({ path: 'notes.txt', data: utf8(spec.filler) });
  for (const [locale, strings] of Object.entries(spec.locales ?? {})) {
    files.push({ path: `i18n/${locale}.json`, data: utf8(`${JSON.stringify(strings)}\n`) });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A valid package for `spec`, written by the suite's own ZIP writer. */
export function buildPackage(spec: PackageSpec): BuiltPackage {
  const manifest = manifestOf(spec);
  const manifestBytes = utf8(`${JSON.stringify(manifest, null, 2)}\n`);
  const entries = packageEntries(spec, manifestBytes);
  return { bytes: writeZip(entries), manifestBytes, manifest, entries };
}
