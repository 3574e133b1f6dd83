import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isMiniAppError } from '../../diagnostics/index.ts';
import {
  formatMiniAppLink,
  MAX_LINK_BYTES,
  MAX_QUERY_BYTES,
  parseMiniAppLink,
  type MiniAppLink,
} from '../index.ts';

function rejects(text: string, code: string, options = {}): void {
  assert.throws(
    () => parseMiniAppLink(text, options),
    (error: unknown) => isMiniAppError(error) && error.code === code,
    `${text.slice(0, 80)} should fail with ${code}`,
  );
}

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/);
const id = fc.array(label, { minLength: 2, maxLength: 4 }).map((l) => l.join('.'));
const version = fc
  .tuple(
    fc.nat(99),
    fc.nat(99),
    fc.nat(99),
    fc.option(fc.stringMatching(/^[a-z][a-z0-9]{0,4}(\.[1-9][0-9]?)?$/)),
  )
  .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre === null ? '' : `-${pre}`}`);
// Any Unicode text except what a page segment may not hold.
const segment = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 10 })
  .filter(
    (s) =>
      s !== '.' &&
      s !== '..' &&
      ![...s].some((c) => c === '/' || c === '\\' || c < ' ' || c === '\u007f'),
  );
const page = fc.oneof(
  fc.constant(''),
  fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/')),
);
const component = fc
  .array(
    fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9\-._~!$&'()*+,;=:@/?]{1,8}$/),
      fc
        .integer({ min: 0, max: 255 })
        .map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`),
    ),
    { minLength: 1, maxLength: 20 },
  )
  .map((parts) => parts.join(''));
const target = fc.record(
  { id, version, page, query: component, fragment: component },
  { requiredKeys: ['id', 'page'] },
);
const link: fc.Arbitrary<MiniAppLink> = fc.oneof(
  target.map((t) => ({ form: 'miniapp' as const, ...t })),
  fc
    .tuple(
      target,
      fc.array(label, { minLength: 2, maxLength: 3 }),
      fc.option(fc.integer({ min: 1, max: 65535 })),
    )
    .map(([t, host, port]) => ({
      form: 'https' as const,
      host: `${host.join('.')}${port === null ? '' : `:${port}`}`,
      ...t,
    })),
);

describe('mini-app links', () => {
  it('parse what they format, for both forms [ADR-001]', () => {
    fc.assert(
      fc.property(link, (value) => {
        assert.deepEqual(parseMiniAppLink(formatMiniAppLink(value)), value);
      }),
    );
  });

  it('parse the examples of spec/addressing.md', () => {
    assert.deepEqual(
      parseMiniAppLink('miniapp://com.example.shop/pages/product/index.html?sku=4711'),
      {
        form: 'miniapp',
        id: 'com.example.shop',
        page: 'pages/product/index.html',
        query: 'sku=4711',
      },
    );
    assert.deepEqual(
      parseMiniAppLink(
        'https://apps.example.net/m/com.example.shop@2.4.0-rc.1/pages/home/index.html',
      ),
      {
        form: 'https',
        host: 'apps.example.net',
        id: 'com.example.shop',
        version: '2.4.0-rc.1',
        page: 'pages/home/index.html',
      },
    );
  });

  it('treat a missing or empty page as the entry page [ADR-009]', () => {
    assert.equal(parseMiniAppLink('miniapp://com.example.shop').page, '');
    assert.equal(parseMiniAppLink('MINIAPP://com.example.shop/?a=1').page, '');
    assert.equal(parseMiniAppLink('https://apps.example.net/m/com.example.shop').page, '');
  });

  it('keep the query and fragment exactly as written, for the page to read [ADR-012]', () => {
    const parsed = parseMiniAppLink('miniapp://com.example.shop/a.html?q=a%20b&x=%2F?y#frag?z');
    assert.equal(parsed.query, 'q=a%20b&x=%2F?y');
    assert.equal(parsed.fragment, 'frag?z');
  });

  it('refuse page paths that traverse or smuggle separators [ADR-005]', () => {
    for (const path of [
      '..',
      '../secret.html',
      'a/../../b.html',
      '%2e%2e/x.html',
      '.%2E/x',
      'a%2Fb.html',
      'a%5Cb.html',
      '%00.html',
      'a//b.html',
      'a/',
      '%ff.html',
      '%C0%AF.html',
    ]) {
      rejects(`miniapp://com.example.shop/${path}`, 'LINK_INVALID_PAGE');
      rejects(`https://apps.example.net/m/com.example.shop/${path}`, 'LINK_INVALID_PAGE');
    }
  });

  it('refuse formatting a page that would traverse [ADR-005]', () => {
    for (const bad of ['../x.html', 'a//b', 'a\\b', '\u0000', 'x/\ud800']) {
      assert.throws(
        () => formatMiniAppLink({ form: 'miniapp', id: 'com.example.shop', page: bad }),
        (error: unknown) => isMiniAppError(error) && error.code === 'LINK_INVALID_PAGE',
      );
    }
  });

  it('refuse ids that are not manifest ids, including user@host confusion [ADR-003]', () => {
    for (const bad of [
      'Com.Example.shop',
      'shop',
      'com..shop',
      '1com.shop',
      'evil@com.example.shop',
      'com%2Eexample.shop',
      '',
    ]) {
      rejects(`miniapp://${bad}/index.html`, 'LINK_INVALID_ID');
    }
    rejects('miniapp://com.evil.app@com.example.shop/', 'LINK_INVALID_VERSION');
  });

  it('refuse pinned versions that are not SemVer [ADR-004]', () => {
    for (const bad of ['1.0', 'latest', '01.0.0', '', '1.0.0-']) {
      rejects(`miniapp://com.example.shop@${bad}/`, 'LINK_INVALID_VERSION');
    }
  });

  it('refuse a query over 2048 bytes and a link over 4096 bytes [ADR-006] [ADR-007]', () => {
    rejects(
      `miniapp://com.example.shop/?${'a'.repeat(MAX_QUERY_BYTES + 1)}`,
      'LINK_QUERY_TOO_LONG',
    );
    assert.ok(
      parseMiniAppLink(`miniapp://com.example.shop/?${'a'.repeat(MAX_QUERY_BYTES)}`),
      'a query of exactly 2048 bytes parses',
    );
    rejects(`miniapp://com.example.shop/${'a/'.repeat(MAX_LINK_BYTES)}x.html`, 'LINK_TOO_LONG');
    rejects(`miniapp://com.example.shop/#${'a'.repeat(10_000_000)}`, 'LINK_TOO_LONG');
  });

  it('refuse other schemes, userinfo, foreign hosts and unencoded characters [ADR-001]', () => {
    for (const bad of [
      'javascript:alert(1)',
      'http://apps.example.net/m/com.example.shop/',
      'miniapp:com.example.shop/',
      'https://apps.example.net/app/com.example.shop/',
      'https://user@apps.example.net/m/com.example.shop/',
      'https://[::1]/m/com.example.shop/',
      'miniapp://com.example.shop/a b.html',
      'miniapp://com.example.shop/caf\u00e9.html',
      'miniapp://com.example.shop/?a=%zz',
      'miniapp://com.example.shop/#a#b',
    ]) {
      rejects(bad, 'LINK_MALFORMED');
    }
    rejects('https://evil.example/m/com.example.shop/', 'LINK_MALFORMED', {
      httpsHosts: ['apps.example.net'],
    });
  });

  it('fail only with LINK codes, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `miniapp://${s}`),
        ),
        (text) => {
          try {
            parseMiniAppLink(text);
          } catch (error) {
            assert.ok(isMiniAppError(error) && error.code.startsWith('LINK_'), String(error));
          }
        },
      ),
    );
  });
});
