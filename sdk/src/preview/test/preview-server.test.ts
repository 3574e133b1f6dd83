import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isMiniAppError } from '../../diagnostics/index.ts';
import { startPreview, type PreviewServer } from '../index.ts';

const examples = path.resolve(import.meta.dirname, '../../../../examples');
const secret = 'TOP-SECRET-OUTSIDE-THE-APP';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends the target exactly as written (fetch would normalise "/../"), with an optional Host. */
function raw(origin: string, target: string, init: { method?: string; host?: string } = {}) {
  const url = new URL(origin);
  return new Promise<RawResponse>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: target,
        method: init.method ?? 'GET',
        headers: init.host ? { host: init.host } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('preview server', () => {
  let work: string;
  let appDir: string;
  let preview: PreviewServer;

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'miniapp-preview-'));
    appDir = path.join(work, 'app');
    await cp(path.join(examples, 'places'), appDir, { recursive: true });
    await writeFile(path.join(work, 'secret.txt'), secret);
    await writeFile(path.join(work, 'package.json'), secret);
    preview = await startPreview({ directory: appDir });
  });

  after(async () => {
    await preview?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('serves the host and the mini-app on two different origins', () => {
    assert.notEqual(new URL(preview.hostUrl).origin, preview.appOrigin);
    assert.equal(preview.entryUrl, `${preview.appOrigin}/pages/index.html`);
  });

  for (const target of [
    '/../secret.txt',
    '/../package.json',
    '/pages/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/pages/%2e%2e/%2e%2e/package.json',
    `//${'x'}/../secret.txt`,
    '/%2F..%2Fsecret.txt',
    '/..\\secret.txt',
    '/pages%5c..%5c..%5csecret.txt',
    '/manifest.json%00',
  ]) {
    it(`refuses the traversal ${JSON.stringify(target)} and never leaks the file outside`, async () => {
      const res = await raw(preview.appOrigin, target);
      assert.ok(res.status === 400 || res.status === 404, `status ${res.status}`);
      assert.ok(!res.body.includes(secret), 'the answer does not serve the secret');
    });
  }

  it('refuses an absolute file-system path', async () => {
    const res = await raw(preview.appOrigin, `/${path.join(work, 'secret.txt')}`);
    assert.ok(res.status === 400 || res.status === 404, `status ${res.status}`);
    assert.ok(!res.body.includes(secret), 'the answer does not serve the secret');
  });

  it('does not follow a link created inside the directory while it runs [PKG-071]', async () => {
    await symlink(path.join(work, 'secret.txt'), path.join(appDir, 'leak.txt'));
    const res = await raw(preview.appOrigin, '/leak.txt');
    assert.equal(res.status, 404);
    assert.ok(!res.body.includes(secret), 'the answer does not serve the secret');
  });

  it('serves files read-only: other methods get 405', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await raw(preview.appOrigin, '/manifest.json', { method });
      assert.equal(res.status, 405);
      assert.equal(res.headers.allow, 'GET, HEAD');
    }
  });

  it('refuses a foreign Host header (DNS rebinding) on both origins', async () => {
    assert.equal(
      (await raw(preview.appOrigin, '/manifest.json', { host: 'evil.example' })).status,
      421,
    );
    assert.equal((await raw(preview.hostUrl, '/', { host: 'evil.example:80' })).status, 421);
  });

  it('serves each file with its content type and nosniff', async () => {
    const expected: Record<string, string> = {
      '/pages/index.html': 'text/html; charset=utf-8',
      '/app.css': 'text/css; charset=utf-8',
      '/app.js': 'text/javascript; charset=utf-8',
      '/manifest.json': 'application/json; charset=utf-8',
      '/icons/icon-192.png': 'image/png',
    };
    for (const [target, type] of Object.entries(expected)) {
      const res = await raw(preview.appOrigin, target);
      assert.equal(res.status, 200, target);
      assert.equal(res.headers['content-type'], type, target);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    }
    const manifest = await readFile(path.join(appDir, 'manifest.json'), 'utf8');
    assert.equal((await raw(preview.appOrigin, '/manifest.json')).body, manifest);
  });

  it('sends the mini-app CSP: own files only, no inline code, connect-src = allowedDomains [BRG-030]', async () => {
    const res = await raw(preview.appOrigin, '/pages/index.html');
    const csp = String(res.headers['content-security-policy']);
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name = '', ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    assert.deepEqual(directives.get('default-src'), ["'self'"]);
    assert.deepEqual(directives.get('script-src'), ["'self'"]);
    assert.deepEqual(directives.get('connect-src'), ['https://api.placefinder.example:443']);
    assert.deepEqual(directives.get('frame-ancestors'), [new URL(preview.hostUrl).origin]);
    assert.ok(!csp.includes('unsafe-inline'), 'the CSP does not allow unsafe-inline');
    assert.ok(!csp.includes('unsafe-eval'), 'the CSP does not allow unsafe-eval');
    // Refusals carry the policy too, so no response of the mini-app origin runs without it.
    const refused = await raw(preview.appOrigin, '/../secret.txt');
    assert.equal(refused.headers['content-security-policy'], csp);
  });

  it('gives an app without allowedDomains connect-src none', async () => {
    const shop = await startPreview({ directory: path.join(examples, 'shop') });
    try {
      const res = await raw(shop.appOrigin, '/pages/index.html');
      assert.match(String(res.headers['content-security-policy']), /connect-src 'none'/);
    } finally {
      await shop.close();
    }
  });

  it('serves the host page with the app name escaped and the config naming the app origin', async () => {
    const page = await raw(preview.hostUrl, '/');
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>Place Finder · miniapp preview<\/title>/);
    assert.match(
      String(page.headers['content-security-policy']),
      new RegExp(`frame-src ${preview.appOrigin}`),
    );
    const config = JSON.parse((await raw(preview.hostUrl, '/preview-config.json')).body) as {
      appOrigin: string;
      manifest: { id: string };
    };
    assert.equal(config.appOrigin, preview.appOrigin);
    assert.equal(config.manifest.id, 'dev.openminiapp.examples.places');
    assert.equal((await raw(preview.hostUrl, '/manifest.json')).status, 404);
  });

  it('redirects the app origin root to the entry page', async () => {
    const res = await raw(preview.appOrigin, '/');
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, '/pages/index.html');
  });
});

describe('startPreview refusals', () => {
  const rejectsWith = (code: string) => (error: unknown) =>
    isMiniAppError(error) && error.code === code;

  it('refuses a directory that does not exist with USAGE', async () => {
    await assert.rejects(startPreview({ directory: '/nonexistent/miniapp' }), rejectsWith('USAGE'));
  });

  it('refuses an invalid manifest with its manifest code and lists every finding', async () => {
    const work = await mkdtemp(path.join(tmpdir(), 'miniapp-preview-bad-'));
    try {
      await cp(path.join(examples, 'shop'), work, { recursive: true });
      const manifest = JSON.parse(
        await readFile(path.join(work, 'manifest.json'), 'utf8'),
      ) as Record<string, unknown>;
      manifest.entryPage = 'pages/missing.html';
      await writeFile(path.join(work, 'manifest.json'), JSON.stringify(manifest));
      await assert.rejects(startPreview({ directory: work }), (error: unknown) => {
        assert.ok(isMiniAppError(error), 'the error is a MiniAppError');
        assert.match(error.code, /^MANIFEST_/);
        assert.ok(Array.isArray(error.details?.diagnostics), 'the error carries the diagnostics');
        return true;
      });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('refuses to emulate a host older than minHostVersion [VER-007]', async () => {
    await assert.rejects(
      startPreview({ directory: path.join(examples, 'notes'), hostApiVersion: '1.0.0' }),
      rejectsWith('VERSION_HOST_TOO_OLD'),
    );
  });

  it('refuses a host API version that is malformed or undefined', async () => {
    const shop = path.join(examples, 'shop');
    await assert.rejects(
      startPreview({ directory: shop, hostApiVersion: '1.2' }),
      rejectsWith('VERSION_INVALID_HOST_API'),
    );
    await assert.rejects(
      startPreview({ directory: shop, hostApiVersion: '1.9.0' }),
      rejectsWith('USAGE'),
    );
  });

  it('refuses a port that is taken with USAGE', async () => {
    const first = await startPreview({ directory: path.join(examples, 'shop') });
    try {
      const port = Number(new URL(first.hostUrl).port);
      await assert.rejects(
        startPreview({ directory: path.join(examples, 'shop'), port }),
        rejectsWith('USAGE'),
      );
    } finally {
      await first.close();
    }
  });
});
