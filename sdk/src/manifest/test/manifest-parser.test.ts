import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_MANIFEST_BYTES, parseManifest, requiredMembers } from '../index.ts';
import { validManifest } from './manifest-arbitrary.ts';

const example = {
  specVersion: '1.0',
  id: 'com.example.shop',
  name: 'Example Shop',
  version: '2.4.0',
  versionCode: 240,
  minHostVersion: '1.1.0',
  entryPage: 'pages/home/index.html',
  pages: ['pages/home/index.html'],
  icons: [{ src: 'icons/icon-192.png', sizes: '192x192' }],
  category: 'shopping',
  defaultLocale: 'en',
};

const codes = (input: string | Uint8Array) => parseManifest(input).diagnostics.map((d) => d.code);

describe('parseManifest', () => {
  it('accepts a valid manifest without findings', () => {
    const parsed = parseManifest(JSON.stringify(example));
    assert.deepEqual(parsed.diagnostics, []);
    assert.equal(parsed.manifest?.id, 'com.example.shop');
  });

  it('refuses U+0000 in any string or member name, vendor members included [MAN-170]', () => {
    for (const broken of [
      { ...example, description: 'a\u0000b' },
      { ...example, 'x-acme-note': ['ok', { deep: 'c\u0000d' }] },
      { ...example, 'x-acme-\u0000': true },
    ]) {
      const parsed = parseManifest(JSON.stringify(broken));
      assert.deepEqual(
        parsed.diagnostics.map((d) => d.code),
        ['MANIFEST_NUL_CHARACTER'],
      );
      assert.equal(parsed.manifest, undefined);
    }
  });

  it('accepts every generated valid manifest without findings [MAN-004]', () => {
    fc.assert(
      fc.property(validManifest, (manifest) => {
        const parsed = parseManifest(JSON.stringify(manifest));
        assert.deepEqual(parsed.diagnostics, []);
        assert.deepEqual(parsed.manifest, manifest);
      }),
    );
  });

  it('reports MANIFEST_MISSING_MEMBER when any required member is removed [MAN-004]', () => {
    fc.assert(
      fc.property(validManifest, fc.constantFrom(...requiredMembers), (manifest, member) => {
        const broken = Object.fromEntries(
          Object.entries(manifest).filter(([key]) => key !== member),
        );
        const parsed = parseManifest(JSON.stringify(broken));
        assert.equal(parsed.manifest, undefined);
        assert.ok(
          parsed.diagnostics.some(
            (d) => d.code === 'MANIFEST_MISSING_MEMBER' && d.message.includes(`"${member}"`),
          ),
          `MANIFEST_MISSING_MEMBER names "${member}"`,
        );
      }),
    );
  });

  const breakers: [string, unknown, string][] = [
    ['specVersion', '1.1', 'MANIFEST_UNSUPPORTED_SPEC_VERSION'],
    ['id', 'com.Example.shop', 'MANIFEST_INVALID_ID'],
    ['id', 'shop', 'MANIFEST_INVALID_ID'],
    ['name', '  ', 'MANIFEST_INVALID_TEXT'],
    ['shortName', 'x'.repeat(17), 'MANIFEST_INVALID_TEXT'],
    ['description', 'x'.repeat(513), 'MANIFEST_INVALID_TEXT'],
    ['version', '1.0', 'MANIFEST_INVALID_VERSION'],
    ['version', 7, 'MANIFEST_INVALID_VERSION'],
    ['versionCode', 0, 'MANIFEST_INVALID_VERSION_CODE'],
    ['versionCode', '5', 'MANIFEST_INVALID_VERSION_CODE'],
    ['minHostVersion', '1.2', 'MANIFEST_INVALID_HOST_VERSION'],
    ['entryPage', '../index.html', 'MANIFEST_INVALID_PAGE'],
    ['pages', [], 'MANIFEST_INVALID_PAGE'],
    ['pages', ['a.html', 'a.html'], 'MANIFEST_DUPLICATE_PAGE'],
    [
      'subpackages',
      [{ root: 'cart', name: 'cart', pages: ['a.html'] }],
      'MANIFEST_INVALID_SUBPACKAGE',
    ],
    [
      'subpackages',
      [{ root: 'cart/', name: 'cart', pages: ['../a.html'] }],
      'MANIFEST_INVALID_PAGE',
    ],
    ['permissions', { telepathy: { reason: 'Reads minds.' } }, 'MANIFEST_UNKNOWN_PERMISSION'],
    ['permissions', { camera: { reason: ' ' } }, 'MANIFEST_INVALID_PERMISSION'],
    ['allowedDomains', ['https://10.0.0.1'], 'MANIFEST_INVALID_DOMAIN'],
    [
      'allowedDomains',
      ['https://a.example.com', 'https://a.example.com'],
      'MANIFEST_INVALID_DOMAIN',
    ],
    ['icons', [{ src: 'i.png', sizes: '0x0' }], 'MANIFEST_INVALID_ICON'],
    ['category', 'casino', 'MANIFEST_INVALID_CATEGORY'],
    ['defaultLocale', 'en_US', 'MANIFEST_INVALID_LOCALE'],
    ['premissions', {}, 'MANIFEST_UNKNOWN_MEMBER'],
  ];

  it('maps every broken member to its own code, pointing at the member', () => {
    fc.assert(
      fc.property(
        validManifest,
        fc.constantFrom(...breakers),
        (manifest, [member, value, code]) => {
          const parsed = parseManifest(JSON.stringify({ ...manifest, [member]: value }));
          assert.equal(parsed.manifest, undefined);
          const found = parsed.diagnostics.find((d) => d.code === code);
          assert.ok(
            found,
            `${member}: expected ${code}, got ${JSON.stringify(parsed.diagnostics)}`,
          );
          assert.ok(
            found.location?.pointer?.startsWith(`/${member}`),
            `the pointer is under /${member}`,
          );
          assert.ok((found.location?.line ?? 0) >= 1, 'the diagnostic has a line number');
        },
      ),
    );
  });

  it('locates a finding at the line and column of the offending member', () => {
    const text = '{\n  "specVersion": "1.0",\n  "x": 1,\n  "id": "Bad"\n}';
    const found = parseManifest(text).diagnostics;
    const unknown = found.find((d) => d.code === 'MANIFEST_UNKNOWN_MEMBER');
    assert.deepEqual(
      {
        pointer: unknown?.location?.pointer,
        line: unknown?.location?.line,
        column: unknown?.location?.column,
      },
      { pointer: '/x', line: 3, column: 3 },
    );
    const id = found.find((d) => d.code === 'MANIFEST_INVALID_ID');
    assert.equal(id?.location?.line, 4);
  });

  it('reports JSON syntax errors with a position instead of throwing', () => {
    const found = parseManifest('{\n  "id": "com.example.shop",\n}').diagnostics;
    assert.deepEqual(
      found.map((d) => d.code),
      ['MANIFEST_INVALID_JSON'],
    );
    assert.equal(found[0]?.location?.line, 3);
  });

  it('rejects a manifest that is not an object', () => {
    assert.deepEqual(codes('[1, 2]'), ['MANIFEST_INVALID_JSON']);
    assert.deepEqual(codes('"manifest"'), ['MANIFEST_INVALID_JSON']);
  });

  it('rejects a byte order mark and bytes that are not UTF-8 [MAN-002]', () => {
    assert.deepEqual(codes(`\uFEFF${JSON.stringify(example)}`), ['MANIFEST_ENCODING']);
    const latin1 = Buffer.from(JSON.stringify({ ...example, name: 'Caf\u00e9' }), 'latin1');
    assert.deepEqual(codes(latin1), ['MANIFEST_ENCODING']);
    assert.deepEqual(codes(new TextEncoder().encode(JSON.stringify(example))), []);
  });

  it('rejects a duplicated member instead of letting the last one win [MAN-002]', () => {
    const text = JSON.stringify(example).replace('"name":', '"id":"com.evil.app","name":');
    const parsed = parseManifest(text);
    assert.equal(parsed.manifest, undefined);
    assert.deepEqual(
      parsed.diagnostics.map((d) => d.code),
      ['MANIFEST_DUPLICATE_MEMBER'],
    );
    assert.equal(parsed.diagnostics[0]?.location?.pointer, '/id');
  });

  it('rejects deeply nested input without overflowing the stack [MAN-003]', () => {
    const deep = `{"x-acme-a": ${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    assert.deepEqual(codes(deep.slice(0, MAX_MANIFEST_BYTES)), ['MANIFEST_TOO_LARGE']);
    const inString = JSON.stringify({ ...example, description: '['.repeat(400) });
    assert.deepEqual(codes(inString), [], 'brackets inside strings are not nesting');
  });

  it('rejects a manifest over 256 KiB before parsing it [MAN-003]', () => {
    const big = JSON.stringify({ ...example, 'x-acme-blob': 'x'.repeat(MAX_MANIFEST_BYTES) });
    assert.deepEqual(codes(big), ['MANIFEST_TOO_LARGE']);
  });

  it('warns, but still returns the manifest, when no icon reaches 192x192 [MAN-026]', () => {
    const parsed = parseManifest(
      JSON.stringify({ ...example, icons: [{ src: 'i.png', sizes: '96x96' }] }),
    );
    assert.deepEqual(
      parsed.diagnostics.map((d) => [d.code, d.severity]),
      [['MANIFEST_ICON_TOO_SMALL', 'warning']],
    );
    assert.ok(parsed.manifest, 'the manifest parses');
  });

  it('accepts vendor extension members and rejects unprefixed ones [MAN-005]', () => {
    assert.deepEqual(codes(JSON.stringify({ ...example, 'x-acme-theme': { dark: true } })), []);
    assert.deepEqual(codes(JSON.stringify({ ...example, 'x-theme': 'dark' })), [
      'MANIFEST_UNKNOWN_MEMBER',
    ]);
  });
});
