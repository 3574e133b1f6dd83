import fc from 'fast-check';
import type { Manifest } from '../manifest.ts';
import type { PackageFile, PackageSource } from '../../package/package-source.ts';

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/);
const segment = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/);
const pagePath = fc
  .array(segment, { minLength: 1, maxLength: 3 })
  .map((segments) => `${segments.join('/')}.html`);
const permissionNames = ['camera', 'location', 'payment', 'photos', 'clipboard', 'nfc'] as const;
const categories = ['books', 'finance', 'games', 'shopping', 'travel', 'weather'] as const;
const locales = ['en', 'pt-BR', 'zh-Hans-CN', 'de', 'es-419'] as const;
const byLowerCase = { selector: (p: string) => p.toLowerCase() };

const semanticVersion = fc
  .tuple(
    fc.nat(40),
    fc.nat(40),
    fc.nat(40),
    fc.option(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), { nil: undefined }),
  )
  .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre}.1` : ''}`);

/** Manifests that meet every rule of spec/manifest.md, with the files that make them consistent. */
export const validManifest: fc.Arbitrary<Manifest> = fc
  .record({
    id: fc.array(label, { minLength: 2, maxLength: 4 }).map((labels) => labels.join('.')),
    name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ]{0,30}$/),
    shortName: fc.option(fc.stringMatching(/^[A-Za-z]{1,16}$/), { nil: undefined }),
    version: semanticVersion,
    versionCode: fc.integer({ min: 1, max: 2147483647 }),
    minHostVersion: fc.constantFrom('1.0.0', '1.1.0', '1.2.0'),
    pages: fc.uniqueArray(pagePath, { minLength: 1, maxLength: 5, ...byLowerCase }),
    subpackages: fc.option(
      fc.array(fc.uniqueArray(pagePath, { minLength: 1, maxLength: 3, ...byLowerCase }), {
        minLength: 1,
        maxLength: 3,
      }),
      { nil: undefined },
    ),
    permissions: fc.option(fc.subarray([...permissionNames], { minLength: 1 }), { nil: undefined }),
    allowedDomains: fc.option(
      fc.uniqueArray(
        fc
          .tuple(
            fc.constantFrom('https', 'wss'),
            label,
            label,
            fc.option(fc.integer({ min: 1024, max: 65535 })),
          )
          .map(([s, host, tld, port]) => `${s}://${host}.${tld}${port === null ? '' : `:${port}`}`),
        { minLength: 1, maxLength: 4 },
      ),
      { nil: undefined },
    ),
    extraIcons: fc.uniqueArray(segment, { maxLength: 2, ...byLowerCase }),
    category: fc.constantFrom(...categories),
    defaultLocale: fc.constantFrom(...locales),
  })
  .map((r) => {
    const pages = r.pages.map((p) => `pages/${p}`) as [string, ...string[]];
    const manifest: Manifest = {
      specVersion: '1.0',
      id: r.id,
      name: r.name,
      version: r.version,
      versionCode: r.versionCode,
      minHostVersion: r.minHostVersion,
      entryPage: pages[0],
      pages,
      icons: [
        { src: 'icons/main.png', sizes: '192x192', type: 'image/png' },
        ...r.extraIcons.map((name) => ({ src: `icons/extra/${name}.webp`, sizes: '48x48' })),
      ],
      category: r.category,
      defaultLocale: r.defaultLocale,
    };
    if (r.shortName !== undefined) manifest.shortName = r.shortName;
    if (r.subpackages !== undefined) {
      manifest.subpackages = r.subpackages.map((subPages, i) => ({
        root: `packages/sub${i}/`,
        name: `sub${i}`,
        pages: subPages as [string, ...string[]],
      }));
    }
    if (r.permissions !== undefined) {
      manifest.permissions = Object.fromEntries(
        r.permissions.map((name) => [name, { reason: `Needed for ${name}.` }]),
      );
    }
    if (r.allowedDomains !== undefined) manifest.allowedDomains = r.allowedDomains;
    return manifest;
  });

/** An in-memory package holding exactly the given files. */
export function memorySource(contents: Record<string, string | Uint8Array>): PackageSource {
  const encoder = new TextEncoder();
  const bytes = new Map(
    Object.entries(contents).map(([path, body]) => [
      path,
      typeof body === 'string' ? encoder.encode(body) : body,
    ]),
  );
  const files: PackageFile[] = [...bytes.entries()]
    .map(([path, body]) => ({ path, size: body.byteLength }))
    .sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  return {
    kind: 'directory',
    label: 'memory',
    files,
    async read(path: string) {
      const body = bytes.get(path);
      if (!body) throw new Error(`no file ${path}`);
      return body;
    },
  };
}

/** The files a manifest names, plus the manifest itself and a default-locale translation. */
export function filesFor(manifest: Manifest): Record<string, string> {
  const files: Record<string, string> = {
    'manifest.json': JSON.stringify(manifest, null, 2),
    [`i18n/${manifest.defaultLocale}.json`]: JSON.stringify({ name: manifest.name }),
  };
  for (const page of manifest.pages) files[page] = '<!doctype html>';
  for (const sub of manifest.subpackages ?? []) {
    for (const page of sub.pages) files[sub.root + page] = '<!doctype html>';
  }
  for (const icon of manifest.icons) files[icon.src] = 'icon';
  return files;
}
