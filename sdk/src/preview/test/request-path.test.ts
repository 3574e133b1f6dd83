import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { resolveRequestPath } from '../request-path.ts';

describe('resolveRequestPath', () => {
  it('maps an origin-form target to a package path, dropping the query', () => {
    assert.deepEqual(resolveRequestPath('/pages/index.html?x=1#top'), {
      ok: true,
      path: 'pages/index.html',
    });
    assert.deepEqual(resolveRequestPath('/i18n/caf%C3%A9.json'), {
      ok: true,
      path: 'i18n/café.json',
    });
  });

  for (const target of [
    '/../package.json',
    '/pages/../../package.json',
    '/%2e%2e/package.json',
    '/%2E%2E%2Fpackage.json',
    '/pages/%2e%2e/%2e%2e/package.json',
    '//etc/passwd',
    '/%2Fetc%2Fpasswd',
    '/C:/Windows/win.ini',
    '/..\\package.json',
    '/pages%5c..%5c..%5cpackage.json',
    '/./manifest.json',
    '/pages//index.html',
    '/manifest.json%00.html',
    '/%E0%A4%A',
    'manifest.json',
    '/',
  ]) {
    it(`refuses ${JSON.stringify(target)} with 400 [PKG-020] [PKG-021]`, () => {
      const resolved = resolveRequestPath(target);
      assert.equal(resolved.ok, false);
      if (!resolved.ok) assert.equal(resolved.status, 400);
    });
  }

  it('treats what a packer ignores as absent [PKG-070]', () => {
    const resolved = resolveRequestPath('/.git/config');
    assert.equal(resolved.ok, false);
    if (!resolved.ok) assert.equal(resolved.status, 404);
  });

  it('never yields a path that resolves outside the root, whatever the target', () => {
    const root = path.resolve('/srv/app');
    const segment = fc.oneof(
      fc.constantFrom('..', '.', '%2e%2e', '%2E.', '.%2e', '', '%2f', '%5c', '\\', 'pages', 'a.js'),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), (segments) => {
        const resolved = resolveRequestPath(`/${segments.join('/')}`);
        if (!resolved.ok) return;
        const full = path.resolve(root, ...resolved.path.split('/'));
        assert.ok(full.startsWith(`${root}${path.sep}`), `${resolved.path} escaped to ${full}`);
      }),
      { numRuns: 2000 },
    );
  });
});
