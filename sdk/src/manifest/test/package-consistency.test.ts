import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkManifestAgainstFiles, readManifest, type Manifest } from '../index.ts';
import { filesFor, memorySource, validManifest } from './manifest-arbitrary.ts';

const base: Manifest = {
  specVersion: '1.0',
  id: 'com.example.shop',
  name: 'Example Shop',
  version: '1.0.0',
  versionCode: 1,
  minHostVersion: '1.0.0',
  entryPage: 'index.html',
  pages: ['index.html'],
  icons: [{ src: 'icon.png', sizes: '192x192' }],
  category: 'shopping',
  defaultLocale: 'en',
};

async function codesFor(manifest: Manifest, extra: Record<string, string> = {}): Promise<string[]> {
  const found = await checkManifestAgainstFiles(
    manifest,
    memorySource({ ...filesFor(manifest), ...extra }),
  );
  return found.map((d) => d.code);
}

describe('checkManifestAgainstFiles', () => {
  it('finds nothing wrong with a generated manifest and exactly its files', async () => {
    await fc.assert(
      fc.asyncProperty(validManifest, async (manifest) => {
        assert.deepEqual(await codesFor(manifest), []);
      }),
    );
  });

  it('reports every page or icon whose file is absent [MAN-016]', async () => {
    await fc.assert(
      fc.asyncProperty(validManifest, fc.nat(), async (manifest, pick) => {
        const files = filesFor(manifest);
        const named = Object.keys(files).filter(
          (f) => f !== 'manifest.json' && !f.startsWith('i18n/'),
        );
        const removed = named[pick % named.length] ?? '';
        const kept = Object.fromEntries(Object.entries(files).filter(([path]) => path !== removed));
        const found = await checkManifestAgainstFiles(manifest, memorySource(kept));
        assert.ok(
          found.some(
            (d) => d.code === 'MANIFEST_MISSING_FILE' && d.message.includes(`"${removed}"`),
          ),
          `MANIFEST_MISSING_FILE names "${removed}"`,
        );
      }),
    );
  });

  it('treats file names case-sensitively when looking for a page [MAN-016]', async () => {
    const found = await checkManifestAgainstFiles(
      base,
      memorySource({ 'Index.html': '', 'icon.png': '' }),
    );
    assert.deepEqual(
      found.map((d) => d.code),
      ['MANIFEST_MISSING_FILE'],
    );
  });

  it('requires entryPage to be a listed page [MAN-014]', async () => {
    assert.deepEqual(await codesFor({ ...base, entryPage: 'other.html' }, { 'other.html': '' }), [
      'MANIFEST_ENTRY_NOT_A_PAGE',
    ]);
  });

  it('rejects pages that differ only in case or repeat across packages [MAN-015]', async () => {
    assert.deepEqual(await codesFor({ ...base, pages: ['index.html', 'INDEX.html'] }), [
      'MANIFEST_DUPLICATE_PAGE',
    ]);
    const repeated: Manifest = {
      ...base,
      pages: ['index.html', 'cart/index.html'],
      subpackages: [{ root: 'cart/', name: 'cart', pages: ['index.html'] }],
    };
    assert.ok(
      (await codesFor(repeated)).includes('MANIFEST_DUPLICATE_PAGE'),
      'a repeated page is MANIFEST_DUPLICATE_PAGE',
    );
  });

  it('rejects subpackage roots that are equal or nested [MAN-018]', async () => {
    for (const [a, b] of [
      ['cart/', 'cart/'],
      ['cart/', 'cart/items/'],
      ['shop/cart/', 'shop/'],
    ] as const) {
      const manifest: Manifest = {
        ...base,
        subpackages: [
          { root: a, name: 'one', pages: ['one.html'] },
          { root: b, name: 'two', pages: ['two.html'] },
        ],
      };
      assert.ok((await codesFor(manifest)).includes('MANIFEST_SUBPACKAGE_OVERLAP'), `${a} ${b}`);
    }
    const siblings: Manifest = {
      ...base,
      subpackages: [
        { root: 'cart/', name: 'one', pages: ['a.html'] },
        { root: 'cartoon/', name: 'two', pages: ['a.html'] },
      ],
    };
    assert.deepEqual(await codesFor(siblings), []);
  });

  it('rejects two subpackages with the same name [MAN-017]', async () => {
    const manifest: Manifest = {
      ...base,
      subpackages: [
        { root: 'a/', name: 'same', pages: ['a.html'] },
        { root: 'b/', name: 'same', pages: ['b.html'] },
      ],
    };
    assert.deepEqual(await codesFor(manifest), ['MANIFEST_INVALID_SUBPACKAGE']);
  });

  it('rejects a main page under a subpackage root and a subpackage page that climbs out [MAN-019]', async () => {
    const underRoot: Manifest = {
      ...base,
      pages: ['index.html', 'cart/list.html'],
      subpackages: [{ root: 'cart/', name: 'cart', pages: ['index.html'] }],
    };
    assert.deepEqual(await codesFor(underRoot), ['MANIFEST_PAGE_OUTSIDE_PACKAGE']);
    // Built in code, bypassing the schema: the check must still hold.
    const climbing: Manifest = {
      ...base,
      subpackages: [{ root: 'cart/', name: 'cart', pages: ['../index.html'] }],
    };
    assert.ok(
      (await codesFor(climbing)).includes('MANIFEST_PAGE_OUTSIDE_PACKAGE'),
      'a page climbing out is MANIFEST_PAGE_OUTSIDE_PACKAGE',
    );
  });

  it('checks translation file names and contents [MAN-029]', async () => {
    assert.deepEqual(await codesFor(base, { 'i18n/en_US.json': '{}' }), ['MANIFEST_INVALID_I18N']);
    assert.deepEqual(await codesFor(base, { 'i18n/de.json': '{"name": 3}' }), [
      'MANIFEST_INVALID_I18N',
    ]);
    assert.deepEqual(await codesFor(base, { 'i18n/de.json': '[]' }), ['MANIFEST_INVALID_I18N']);
    assert.deepEqual(await codesFor(base, { 'i18n/de.json': '{"name": "Laden",}' }), [
      'MANIFEST_INVALID_I18N',
    ]);
    assert.deepEqual(await codesFor(base, { 'i18n/de.json': '{"name": "Laden"}' }), []);
  });

  it('requires the default locale once any translation exists [MAN-030]', async () => {
    const files = filesFor(base);
    delete files['i18n/en.json'];
    const onlyGerman = await checkManifestAgainstFiles(
      base,
      memorySource({ ...files, 'i18n/de.json': '{}' }),
    );
    assert.deepEqual(
      onlyGerman.map((d) => d.code),
      ['MANIFEST_MISSING_LOCALE'],
    );
    const none = await checkManifestAgainstFiles(base, memorySource(files));
    assert.deepEqual(none, []);
  });
});

describe('readManifest', () => {
  it('reports a package without manifest.json [MAN-001]', async () => {
    const read = await readManifest(memorySource({ 'index.html': '' }));
    assert.deepEqual(
      read.diagnostics.map((d) => d.code),
      ['MANIFEST_MISSING'],
    );
  });

  it('gives file findings the line and column of the member in manifest.json', async () => {
    const manifest: Manifest = {
      ...base,
      entryPage: 'missing.html',
      pages: ['index.html', 'missing.html'],
    };
    const files = filesFor(manifest);
    delete files['missing.html'];
    const read = await readManifest(memorySource(files));
    const missing = read.diagnostics.find((d) => d.code === 'MANIFEST_MISSING_FILE');
    const lines = (files['manifest.json'] ?? '').split('\n');
    const expectedLine =
      lines.findIndex((l) => l.includes('"missing.html"') && !l.includes('entryPage')) + 1;
    assert.equal(missing?.location?.pointer, '/pages/1');
    assert.equal(missing?.location?.line, expectedLine);
  });

  it('stops at schema errors without checking files', async () => {
    const read = await readManifest(memorySource({ 'manifest.json': '{"id": 1}' }));
    assert.equal(read.manifest, undefined);
    assert.ok(
      read.diagnostics.every((d) => d.code !== 'MANIFEST_MISSING_FILE'),
      'no MANIFEST_MISSING_FILE',
    );
  });
});
