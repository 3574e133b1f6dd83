import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { contentSecurityPolicy } from '../../src/web/page-assets.ts';
import { registerWebPages } from '../../src/web/web-pages.ts';
import { startTestServer, type TestServer } from '../test-server.ts';

describe('web pages served by the reference server', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const get = (url: string, headers: Record<string, string> = {}) =>
    server.app.inject({ method: 'GET', url, headers });

  for (const name of ['portal', 'review']) {
    it(`serves the ${name} page, its script and its stylesheet with their media types`, async () => {
      const page = await get(`/${name}/`);
      assert.equal(page.statusCode, 200);
      assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(page.body, new RegExp(`<script src="${name}.js" defer></script>`));
      const script = await get(`/${name}/${name}.js`);
      assert.equal(script.statusCode, 200);
      assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
      const style = await get(`/${name}/console.css`);
      assert.equal(style.statusCode, 200);
      assert.equal(style.headers['content-type'], 'text/css; charset=utf-8');
    });

    it(`redirects /${name} to /${name}/ so relative asset URLs resolve`, async () => {
      const response = await get(`/${name}`);
      assert.equal(response.statusCode, 308);
      assert.equal(response.headers.location, `/${name}/`);
    });
  }

  it('sends the strict Content-Security-Policy and nosniff on pages, assets and problems', async () => {
    for (const url of [
      '/portal/',
      '/review/review.js',
      '/portal/console.css',
      '/portal/nothing.js',
    ]) {
      const response = await get(url);
      assert.equal(response.headers['content-security-policy'], contentSecurityPolicy, url);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
    }
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data: blob:",
      "connect-src 'self'",
      "frame-ancestors 'none'",
    ]) {
      assert.ok(contentSecurityPolicy.split('; ').includes(directive), directive);
    }
  });

  it('has no inline script, inline handler or inline style in either page', async () => {
    for (const url of ['/portal/', '/review/']) {
      const { body } = await get(url);
      assert.doesNotMatch(body, /<script(?![^>]*\bsrc=)[^>]*>/i);
      assert.doesNotMatch(body, /\son[a-z]+\s*=/i);
      assert.doesNotMatch(body, /<style|\sstyle=/i);
    }
  });

  it('answers 404 API_NOT_FOUND problems for files outside the closed table', async () => {
    for (const url of [
      '/portal/missing.html',
      '/portal/review.js',
      '/review/portal.js',
      '/portal/portal.ts',
      '/portal/generated',
    ]) {
      const response = await get(url);
      assert.equal(response.statusCode, 404, url);
      assert.equal(
        response.headers['content-type'],
        'application/problem+json; charset=utf-8',
        url,
      );
      assert.equal(response.json().code, 'API_NOT_FOUND', url);
    }
  });

  it('never serves a file outside the pages through traversal, encoded or not', async () => {
    for (const url of [
      '/portal/../src/app.ts',
      '/portal/..%2Fsrc%2Fapp.ts',
      '/portal/%2e%2e%2f%2e%2e%2fpackage.json',
      '/portal/..%5c..%5cpackage.json',
      '/review/generated%2Freview.js',
      '/portal/%00portal.js',
      '/portal/portal.js%00.html',
    ]) {
      const response = await get(url);
      assert.notEqual(response.statusCode, 200, url);
      assert.ok(
        response.statusCode >= 400 && response.statusCode < 500,
        `${url}: ${response.statusCode}`,
      );
      assert.doesNotMatch(response.body, /registerWebPages|"name": "miniapp-platform"/, url);
      assert.equal(
        String(response.headers['content-type']).split(';')[0],
        'application/problem+json',
        url,
      );
    }
  });

  it('revalidates with a strong ETag and answers 304 when it matches', async () => {
    const first = await get('/portal/portal.js');
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[A-Za-z0-9_-]{43}"$/);
    assert.equal(first.headers['cache-control'], 'no-cache');
    const again = await get('/portal/portal.js', { 'if-none-match': etag });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
  });

  it('answers a 404 problem, not a crash, when the bundles are not built', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'web-pages-'));
    const app = Fastify();
    try {
      await writeFile(path.join(root, 'portal.html'), '<!doctype html><title>x</title>');
      registerWebPages(app, { root });
      const page = await app.inject({ method: 'GET', url: '/portal/' });
      assert.equal(page.statusCode, 200);
      const script = await app.inject({ method: 'GET', url: '/portal/portal.js' });
      assert.equal(script.statusCode, 404);
      assert.equal(script.json().code, 'API_NOT_FOUND');
    } finally {
      await app.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
