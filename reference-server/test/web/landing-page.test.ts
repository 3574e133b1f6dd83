import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { bearer } from '../contract-assertions.ts';
import { createApp, publishVersion } from '../delivery/delivery-fixture.ts';
import { startTestServer, type TestServer } from '../test-server.ts';

describe('the landing page of the https form of a link [ADR-015]', () => {
  let server: TestServer;
  const appId = 'com.example.landing';
  const unlisted = 'com.example.unlisted';

  before(async () => {
    server = await startTestServer();
    const partner = await server.partner();
    await createApp(server, partner.partnerId, appId);
    await createApp(server, partner.partnerId, unlisted);
    await publishVersion(server, { appId, versionCode: 1, name: 'Shop <b>&</b> "Co"' });
    // Approved but never released: the catalog does not list it, so it has no landing page.
    await publishVersion(server, { appId: unlisted, versionCode: 1 });
    const released = await server.app.inject({
      method: 'POST',
      url: `/v1/partner/apps/${appId}/releases`,
      headers: bearer(partner.token),
      payload: { versionCode: 1, channel: 'stable', rolloutPercent: 100 },
    });
    assert.equal(released.statusCode, 201, released.body);
    await server.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => server.close());

  const get = (url: string) =>
    server.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });

  /** A GET over a real socket with the path sent byte for byte (inject and fetch normalise %2E%2E). */
  const rawGet = (path: string): Promise<{ status: number; type: string; body: string }> =>
    new Promise((resolve, reject) => {
      const { port } = server.app.server.address() as AddressInfo;
      const sent = httpRequest(
        { host: '127.0.0.1', port, path, headers: { accept: 'text/html' } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              type: String(response.headers['content-type']),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      sent.on('error', reject);
      sent.end();
    });

  it('answers 200 with an HTML page naming the listed app, its icon and how to open it, without a credential', async () => {
    for (const path of [
      `/m/${appId}/pages/index.html`,
      `/m/${appId}/`,
      `/m/${appId}`,
      `/m/${appId}@1.0.1/pages/index.html?sku=4711`,
    ]) {
      const page = await get(path);
      assert.equal(page.statusCode, 200, `${path}: ${page.body}`);
      assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
      // The name is shown as text: markup in it is escaped, never interpreted.
      assert.ok(
        page.body.includes('Shop &#60;b&#62;&#38;&#60;/b&#62; &#34;Co&#34;'),
        'the app name is shown HTML-escaped',
      );
      assert.ok(!page.body.includes('<b>&</b>'), 'the app name is not shown as markup');
      assert.match(page.body, /<img src="[^"]*\/v1\/catalog\/apps\/com\.example\.landing\/icons\//);
      assert.match(page.body, /href="miniapp:\/\/com\.example\.landing/);
      assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
      assert.doesNotMatch(page.body, /<script/);
    }
    const pinned = await get(`/m/${appId}@1.0.1/pages/index.html?sku=4711`);
    assert.ok(
      pinned.body.includes('href="miniapp://com.example.landing@1.0.1/pages/index.html?sku=4711"'),
      'the pinned page links to the pinned version with its path and query',
    );
  });

  it('answers 404 API_NOT_FOUND for an unknown or unlisted id and for every malformed link [ADR-001] to [ADR-007]', async () => {
    for (const path of [
      `/m/${appId}.unknown/`,
      `/m/${unlisted}/`,
      '/m/',
      `/m/${appId.toUpperCase()}/`,
      `/m/${appId}@not-a-version/`,
      `/m/${appId}/pages/%2E%2E/manifest.json`,
      `/m/${appId}/pages/%2Fetc/passwd`,
      `/m/${appId}/pages//index.html`,
      `/m/${appId}/pages/a%5Cb.html`,
      `/m/${appId}/pages/index.html?${'q'.repeat(2049)}`,
      `/m/${appId}/${'p'.repeat(4100)}`,
    ]) {
      const response = await rawGet(path);
      assert.equal(response.status, 404, path.slice(0, 80));
      assert.match(response.type, /^application\/problem\+json/);
      assert.equal(JSON.parse(response.body).code, 'API_NOT_FOUND', path.slice(0, 80));
    }
  });
});
