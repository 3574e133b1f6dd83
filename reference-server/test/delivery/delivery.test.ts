import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rolloutBucket } from '../../src/delivery/rollout.ts';
import { assertContract, bearer } from '../contract-assertions.ts';
import { startTestServer, type TestServer } from '../test-server.ts';
import { createApp, publishVersion, type PublishedVersion } from './delivery-fixture.ts';

/** A device id whose bucket for this release is below (inside) or at/above (outside) the threshold. */
function deviceFor(appId: string, versionCode: number, threshold: number, inside: boolean): string {
  for (let i = 0; ; i += 1) {
    const id = `device-${String(i).padStart(10, '0')}-probe`;
    if (rolloutBucket(id, appId, versionCode) < threshold === inside) return id;
  }
}

describe('delivery: releases, update checks, bundles, catalog', () => {
  let server: TestServer;
  let partner: { partnerId: string; token: string };
  let other: { partnerId: string; token: string };
  let host: string;
  const appId = 'com.example.shop';
  let v1: PublishedVersion;
  let v2: PublishedVersion;

  before(async () => {
    server = await startTestServer();
    partner = await server.partner();
    other = await server.partner();
    host = (await server.hostDevice()).token;
    await createApp(server, partner.partnerId, appId);
    v1 = await publishVersion(server, {
      appId,
      versionCode: 1,
      name: 'Example Shop',
      i18n: { en: { name: 'Example Shop' }, 'zh-Hans': { name: '示例商店' } },
    });
    v2 = await publishVersion(server, { appId, versionCode: 2, name: 'Example Shop' });
  });
  after(() => server.close());

  async function release(body: Record<string, unknown>, token = partner.token, app = appId) {
    const response = await server.app.inject({
      method: 'POST',
      url: `/v1/partner/apps/${app}/releases`,
      headers: bearer(token),
      payload: body,
    });
    assertContract('createRelease', response);
    return response;
  }

  async function act(releaseId: string, action: string, token = partner.token) {
    const response = await server.app.inject({
      method: 'POST',
      url: `/v1/partner/apps/${appId}/releases/${releaseId}/${action}`,
      headers: bearer(token),
    });
    assertContract('actOnRelease', response);
    return response;
  }

  async function update(
    deviceId: string,
    installed: number,
    extra: { hostApiVersion?: string; channel?: string; app?: string; etag?: string } = {},
  ) {
    const response = await server.app.inject({
      method: 'GET',
      url: `/v1/apps/${extra.app ?? appId}/update`,
      query: {
        hostApiVersion: extra.hostApiVersion ?? '1.2.0',
        channel: extra.channel ?? 'stable',
        deviceId,
        versionCode: String(installed),
      },
      headers: { ...bearer(host), ...(extra.etag ? { 'if-none-match': extra.etag } : {}) },
    });
    assertContract('getAppUpdate', response);
    return response;
  }

  /** The shop's entry in the bin of the served index, read from the signed bin bytes. */
  async function indexPayload(): Promise<{
    releases: { versionCode: number }[];
    revokedReleases: string[];
  }> {
    const index = await server.services.trust.currentIndex();
    const bin = [...index.bins.values()].find((b) => appId in b.payload.apps);
    assert.ok(bin, 'no bin lists the app');
    const envelope = JSON.parse(Buffer.from(bin.bytes).toString('utf8')) as { payload: string };
    const payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as {
      apps: Record<string, { releases: { versionCode: number }[]; revokedReleases: string[] }>;
    };
    const entry = payload.apps[appId];
    assert.ok(entry, `the index has an entry for ${appId}`);
    return entry;
  }

  it('refuses to release a version that is not approved [API-075]', async () => {
    await createApp(server, partner.partnerId, 'com.example.pending');
    await publishVersion(server, {
      appId: 'com.example.pending',
      versionCode: 1,
      status: 'queued',
    });
    const response = await release(
      { versionCode: 1, channel: 'stable', rolloutPercent: 10 },
      partner.token,
      'com.example.pending',
    );
    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'API_VERSION_NOT_APPROVED');
  });

  it("answers 404 when a partner releases, reads or acts on another partner's app [API-003]", async () => {
    const create = await release(
      { versionCode: 1, channel: 'stable', rolloutPercent: 100 },
      other.token,
    );
    assert.equal(create.statusCode, 404);
    assert.equal(create.json().code, 'API_NOT_FOUND');
    const list = await server.app.inject({
      method: 'GET',
      url: `/v1/partner/apps/${appId}/releases`,
      headers: bearer(other.token),
    });
    assertContract('listReleases', list);
    assert.equal(list.statusCode, 404);
  });

  it('rejects a rollout percentage with more than two decimals [API-077]', async () => {
    const response = await release({ versionCode: 1, channel: 'stable', rolloutPercent: 10.555 });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'API_ROLLOUT_INVALID');
  });

  it('offers a staged release only to devices in its cohort, widens without lowering, and pauses for new devices', async () => {
    const first = await release({ versionCode: 1, channel: 'stable', rolloutPercent: 100 });
    assert.equal(first.statusCode, 201);
    assert.equal(first.json().state, 'completed');
    const staged = await release({ versionCode: 2, channel: 'stable', rolloutPercent: 10 });
    assert.equal(staged.statusCode, 201);
    const releaseId = staged.json().releaseId as string;
    assert.equal(staged.json().state, 'rollingOut');

    const inside = deviceFor(appId, 2, 1000, true);
    const outside = deviceFor(appId, 2, 1000, false);
    const offered = (await update(inside, 1)).json();
    assert.equal(offered.kind, 'update');
    assert.equal(offered.update.versionCode, 2);
    assert.equal(offered.update.sha256, v2.sha256);
    assert.equal(offered.update.length, v2.length);
    assert.equal((await update(outside, 1)).json().kind, 'upToDate');
    // A fresh install outside the cohort gets the completed release [API-025].
    assert.equal((await update(outside, 0)).json().update.versionCode, 1);

    const lower = await server.app.inject({
      method: 'PATCH',
      url: `/v1/partner/apps/${appId}/releases/${releaseId}`,
      headers: bearer(partner.token),
      payload: { rolloutPercent: 5 },
    });
    assertContract('updateReleaseRollout', lower);
    assert.equal(lower.json().code, 'API_ROLLOUT_INVALID');

    const wider = deviceFor(appId, 2, 1000, false);
    const widen = await server.app.inject({
      method: 'PATCH',
      url: `/v1/partner/apps/${appId}/releases/${releaseId}`,
      headers: bearer(partner.token),
      payload: { rolloutPercent: 100 },
    });
    assertContract('updateReleaseRollout', widen);
    assert.equal(widen.statusCode, 200);
    assert.equal((await update(wider, 1)).json().kind, 'update');

    const paused = await act(releaseId, 'pause');
    assert.equal(paused.json().state, 'paused');
    // [API-078] a paused release is offered to nobody.
    assert.equal((await update(inside, 1)).json().kind, 'upToDate');
    assert.equal((await act(releaseId, 'resume')).json().state, 'rollingOut');
    assert.equal((await act(releaseId, 'resume')).json().code, 'API_RELEASE_STATE_CONFLICT');

    const indexed = await indexPayload();
    assert.deepEqual(indexed.releases.map((r) => r.versionCode).sort(), [1, 2]);
  });

  it('answers 304 to an unchanged ETag and a new answer after a change [API-019] [API-032]', async () => {
    const device = deviceFor(appId, 2, 10000, true);
    const first = await update(device, 1);
    assert.equal(first.statusCode, 200);
    assert.match(String(first.headers['cache-control']), /^private, max-age=60$/);
    assert.equal(first.headers.vary, 'Authorization');
    const etag = String(first.headers.etag);
    const again = await update(device, 1, { etag });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers.etag, etag);
    const changed = await update(device, 2, { etag });
    assert.equal(changed.statusCode, 200);
    assert.notEqual(changed.headers.etag, etag);
  });

  it('answers incompatible with the lowest minHostVersion when every newer release needs a newer host [API-024]', async () => {
    await createApp(server, partner.partnerId, 'com.example.bank');
    await publishVersion(server, { appId: 'com.example.bank', versionCode: 1 });
    await publishVersion(server, {
      appId: 'com.example.bank',
      versionCode: 2,
      minHostVersion: '1.1.0',
    });
    await publishVersion(server, {
      appId: 'com.example.bank',
      versionCode: 3,
      minHostVersion: '1.2.0',
    });
    for (const versionCode of [1, 2, 3]) {
      const created = await release(
        { versionCode, channel: 'stable', rolloutPercent: 100 },
        partner.token,
        'com.example.bank',
      );
      assert.equal(created.statusCode, 201);
    }
    const device = 'bank-device-000000001';
    const old = (
      await update(device, 1, { app: 'com.example.bank', hostApiVersion: '1.0.0' })
    ).json();
    assert.deepEqual(old, {
      appId: 'com.example.bank',
      kind: 'incompatible',
      minHostVersion: '1.1.0',
    });
    const mid = (
      await update(device, 1, { app: 'com.example.bank', hostApiVersion: '1.1.0' })
    ).json();
    assert.equal(mid.kind, 'update');
    assert.equal(mid.update.versionCode, 2);
  });

  it('latches a skipped mandatory release into a later offer [API-034]', async () => {
    const app = 'com.example.latch';
    await createApp(server, partner.partnerId, app);
    for (const versionCode of [1, 2, 3]) await publishVersion(server, { appId: app, versionCode });
    await release({ versionCode: 1, channel: 'stable', rolloutPercent: 100 }, partner.token, app);
    await release(
      { versionCode: 2, channel: 'stable', rolloutPercent: 100, mandatory: true },
      partner.token,
      app,
    );
    await release({ versionCode: 3, channel: 'stable', rolloutPercent: 100 }, partner.token, app);
    const device = 'latch-device-00000001';
    const fromOne = (await update(device, 1, { app })).json();
    assert.equal(fromOne.update.versionCode, 3);
    assert.equal(fromOne.update.mandatory, true);
    const fromTwo = (await update(device, 2, { app })).json();
    assert.equal(fromTwo.update.mandatory, false);
  });

  it('makes the previous release current after a rollback [API-078]', async () => {
    const app = 'com.example.rollback';
    await createApp(server, partner.partnerId, app);
    await publishVersion(server, { appId: app, versionCode: 1 });
    await publishVersion(server, { appId: app, versionCode: 2 });
    await release({ versionCode: 1, channel: 'stable', rolloutPercent: 100 }, partner.token, app);
    const second = await release(
      { versionCode: 2, channel: 'stable', rolloutPercent: 100 },
      partner.token,
      app,
    );
    const device = 'rollback-device-000001';
    assert.equal((await update(device, 0, { app })).json().update.versionCode, 2);
    const rolled = await server.app.inject({
      method: 'POST',
      url: `/v1/partner/apps/${app}/releases/${second.json().releaseId as string}/rollback`,
      headers: bearer(partner.token),
    });
    assertContract('actOnRelease', rolled);
    assert.equal(rolled.json().state, 'rolledBack');
    assert.equal((await update(device, 0, { app })).json().update.versionCode, 1);
    assert.equal((await update(device, 2, { app })).json().kind, 'upToDate');
  });

  it('answers revoked with a replacement after an admin revocation, lists it in the index and stops serving the bundle [API-028] [API-079]', async () => {
    const admin = await server.admin();
    const forbidden = await server.app.inject({
      method: 'POST',
      url: `/v1/admin/releases/${appId}/2/revoke`,
      headers: bearer(partner.token),
      payload: { reason: 'malware' },
    });
    assertContract('revokeRelease', forbidden);
    assert.equal(forbidden.statusCode, 403);
    const revoked = await server.app.inject({
      method: 'POST',
      url: `/v1/admin/releases/${appId}/2/revoke`,
      headers: bearer(admin.token),
      payload: { reason: 'malware' },
    });
    assertContract('revokeRelease', revoked);
    assert.equal(revoked.statusCode, 200);
    const index = await indexPayload();
    assert.ok(
      index.revokedReleases.includes(v2.releaseSha256),
      'the index lists the revoked release',
    );
    assert.equal((await server.services.trust.currentIndex()).version, revoked.json().indexVersion);
    const again = await server.app.inject({
      method: 'POST',
      url: `/v1/admin/releases/${appId}/2/revoke`,
      headers: bearer(admin.token),
      payload: { reason: 'malware' },
    });
    assert.equal(again.json().code, 'API_RELEASE_STATE_CONFLICT');

    const answer = (await update('revoked-device-0000001', 2)).json();
    assert.equal(answer.kind, 'revoked');
    assert.equal(answer.replacement.versionCode, 1);
    const bundle = await server.app.inject({
      method: 'GET',
      url: `/v1/bundles/sha256/${v2.sha256}.ma`,
    });
    assertContract('getBundle', bundle);
    assert.equal(bundle.statusCode, 404);
  });

  it('answers a batch in request order and unknown apps as upToDate [API-022] [API-029]', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/updates/check',
      headers: bearer(host),
      payload: {
        hostApiVersion: '1.2.0',
        channel: 'stable',
        deviceId: 'batch-device-00000001',
        apps: [
          { appId: 'com.unknown.app', versionCode: 3 },
          { appId, versionCode: 0 },
        ],
      },
    });
    assertContract('checkUpdates', response);
    assert.equal(response.headers['cache-control'], 'no-store');
    const results = response.json().results as { appId: string; kind: string }[];
    assert.deepEqual(
      results.map((r) => [r.appId, r.kind]),
      [
        ['com.unknown.app', 'upToDate'],
        [appId, 'update'],
      ],
    );
    const badDevice = await server.app.inject({
      method: 'POST',
      url: '/v1/updates/check',
      headers: bearer(host),
      payload: {
        hostApiVersion: '1.2.0',
        channel: 'stable',
        deviceId: 'short',
        apps: [{ appId, versionCode: 0 }],
      },
    });
    assertContract('checkUpdates', badDevice);
    assert.equal(badDevice.json().code, 'API_VALIDATION_FAILED');
  });

  it('serves bundles by digest with immutable caching and single byte ranges [API-042] [API-044] [API-045]', async () => {
    const url = `/v1/bundles/sha256/${v1.sha256}.ma`;
    const whole = await server.app.inject({ method: 'GET', url });
    assertContract('getBundle', whole);
    assert.equal(whole.statusCode, 200);
    assert.deepEqual(new Uint8Array(whole.rawPayload), v1.bytes);
    assert.equal(whole.headers.etag, `"${v1.sha256}"`);
    assert.equal(whole.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(whole.headers['content-type'], 'application/miniapp-pkg+zip');

    const part = await server.app.inject({ method: 'GET', url, headers: { range: 'bytes=10-19' } });
    assertContract('getBundle', part);
    assert.equal(part.statusCode, 206);
    assert.equal(part.headers['content-range'], `bytes 10-19/${String(v1.length)}`);
    assert.deepEqual(new Uint8Array(part.rawPayload), v1.bytes.slice(10, 20));

    const stale = await server.app.inject({
      method: 'GET',
      url,
      headers: { range: 'bytes=10-19', 'if-range': '"0000"' },
    });
    assert.equal(stale.statusCode, 200);

    const outside = await server.app.inject({
      method: 'GET',
      url,
      headers: { range: `bytes=${String(v1.length)}-` },
    });
    assertContract('getBundle', outside);
    assert.equal(outside.statusCode, 416);
    assert.equal(outside.json().code, 'API_RANGE_NOT_SATISFIABLE');
    assert.equal(outside.headers['content-range'], `bytes */${String(v1.length)}`);

    const cached = await server.app.inject({
      method: 'GET',
      url,
      headers: { 'if-none-match': `"${v1.sha256}"` },
    });
    assert.equal(cached.statusCode, 304);

    const head = await server.app.inject({ method: 'HEAD', url });
    assertContract('headBundle', head);
    assert.equal(head.headers['content-length'], String(v1.length));

    for (const digest of ['0'.repeat(64), 'ABC', v1.sha256.toUpperCase()]) {
      const missing = await server.app.inject({
        method: 'GET',
        url: `/v1/bundles/sha256/${digest}.ma`,
      });
      assertContract('getBundle', missing);
      assert.equal(missing.statusCode, 404);
    }
  });

  it('serves the icon an entry names, publicly and sandboxed, and 404 for undeclared sizes and unlisted apps [API-095] [API-096]', async () => {
    const detail = await server.app.inject({
      method: 'GET',
      url: `/v1/catalog/apps/${appId}`,
      headers: bearer(host),
    });
    const iconUrl = new URL(detail.json().app.iconUrl as string);
    assert.equal(iconUrl.pathname, `/v1/catalog/apps/${appId}/icons/192x192`);
    // No credential: storefront <img> requests carry none.
    const icon = await server.app.inject({ method: 'GET', url: iconUrl.pathname });
    assertContract('getCatalogIcon', icon);
    assert.equal(icon.statusCode, 200);
    assert.equal(icon.headers['content-type'], 'image/png');
    assert.equal(icon.rawPayload.length, 64);
    assert.match(String(icon.headers['content-security-policy']), /^sandbox; default-src 'none'/);
    assert.equal(icon.headers['x-content-type-options'], 'nosniff');
    const again = await server.app.inject({
      method: 'GET',
      url: iconUrl.pathname,
      headers: { 'if-none-match': String(icon.headers.etag) },
    });
    assert.equal(again.statusCode, 304);
    for (const url of [
      `/v1/catalog/apps/${appId}/icons/512x512`,
      '/v1/catalog/apps/com.example.pending/icons/192x192',
      '/v1/catalog/apps/com.unknown.app/icons/192x192',
    ]) {
      const missing = await server.app.inject({ method: 'GET', url });
      assertContract('getCatalogIcon', missing);
      assert.equal(missing.json().code, 'API_NOT_FOUND', url);
    }
  });

  it('lists released apps in the catalog with localised names, pages and refuses forged cursors [API-048] [API-049] [API-051]', async () => {
    const page = await server.app.inject({
      method: 'GET',
      url: '/v1/catalog/apps',
      query: { limit: '2', locale: 'zh-Hans-CN' },
      headers: bearer(host),
    });
    assertContract('listCatalogApps', page);
    const body = page.json() as { items: { appId: string; name: string }[]; nextCursor?: string };
    assert.equal(body.items.length, 2);
    assert.ok(body.nextCursor, 'a full first page has a next cursor');
    assert.ok(
      !body.items.some((i) => i.appId === 'com.example.pending'),
      'an app without a release is not listed',
    );

    const detail = await server.app.inject({
      method: 'GET',
      url: `/v1/catalog/apps/${appId}`,
      query: { locale: 'zh-Hans-CN' },
      headers: bearer(host),
    });
    assertContract('getCatalogApp', detail);
    assert.equal(detail.headers['content-language'], 'zh-Hans');
    assert.equal(detail.json().app.name, '示例商店');

    const search = await server.app.inject({
      method: 'GET',
      url: '/v1/catalog/apps',
      query: { q: '示例' },
      headers: bearer(host),
    });
    assertContract('listCatalogApps', search);
    assert.deepEqual(
      search.json().items.map((i: { appId: string }) => i.appId),
      [appId],
    );

    const next = await server.app.inject({
      method: 'GET',
      url: '/v1/catalog/apps',
      query: { limit: '2', locale: 'zh-Hans-CN', cursor: body.nextCursor ?? '' },
      headers: bearer(host),
    });
    assertContract('listCatalogApps', next);
    assert.equal(next.statusCode, 200);

    const [encoded = '', mac = ''] = (body.nextCursor ?? '').split('.');
    const forgedBody = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(encoded, 'base64url').toString()), p: 'a' }),
    ).toString('base64url');
    for (const cursor of [`${forgedBody}.${mac}`, 'garbage', body.nextCursor ?? '']) {
      const query: Record<string, string> = { limit: '2', cursor };
      // The genuine cursor is replayed against another filter, which must fail too.
      if (cursor === body.nextCursor) query.category = 'games';
      const forged = await server.app.inject({
        method: 'GET',
        url: '/v1/catalog/apps',
        query,
        headers: bearer(host),
      });
      assertContract('listCatalogApps', forged);
      assert.equal(forged.statusCode, 400);
      assert.equal(forged.json().code, 'API_CURSOR_INVALID');
    }
  });

  it('serves categories and explainable recommendations [API-052]', async () => {
    const categories = await server.app.inject({
      method: 'GET',
      url: '/v1/catalog/categories',
      headers: bearer(host),
    });
    assertContract('listCategories', categories);
    assert.ok(
      categories.json().items.some((c: { id: string }) => c.id === 'shopping'),
      'the categories include shopping',
    );
    await server.services.db.query(
      `insert into analytics_events (app_id, version_code, device_id, type, occurred_at)
       values ('com.example.bank', 3, 'someone-else-000001', 'app.launch', now())`,
    );
    const response = await server.app.inject({
      method: 'GET',
      url: '/v1/catalog/recommendations',
      query: { deviceId: 'recommend-device-00001' },
      headers: bearer(host),
    });
    assertContract('listRecommendations', response);
    const items = response.json().items as { app: { appId: string }; reason: string }[];
    assert.ok(items.length > 0, 'the search finds at least one app');
    assert.equal(
      items.find((i) => i.app.appId === 'com.example.bank')?.reason,
      'popularInCategory',
    );
  });

  it('never corrupts a release under concurrent actions, and audits each one [API-076] [API-080]', async () => {
    const app = 'com.example.race';
    await createApp(server, partner.partnerId, app);
    await publishVersion(server, { appId: app, versionCode: 1 });
    const created = await release(
      { versionCode: 1, channel: 'stable', rolloutPercent: 5 },
      partner.token,
      app,
    );
    const releaseId = created.json().releaseId as string;
    const actions = ['pause', 'resume', 'complete', 'rollback', 'pause', 'complete'];
    const responses = await Promise.all(
      actions.map((action) =>
        server.app.inject({
          method: 'POST',
          url: `/v1/partner/apps/${app}/releases/${releaseId}/${action}`,
          headers: bearer(partner.token),
        }),
      ),
    );
    for (const r of responses) {
      assertContract('actOnRelease', r);
      assert.ok(
        r.statusCode === 200 || r.json().code === 'API_RELEASE_STATE_CONFLICT',
        `a concurrent release action answers 200 or API_RELEASE_STATE_CONFLICT, not ${r.statusCode}`,
      );
    }
    const { rows } = await server.services.db.query<{
      from_state: string | null;
      to_state: string;
    }>('select from_state, to_state from release_events where release_id = $1 order by id', [
      releaseId,
    ]);
    // Each audited step starts where the previous one ended: no lost update.
    for (let i = 1; i < rows.length; i += 1)
      assert.equal(rows[i]?.from_state, rows[i - 1]?.to_state);
    assert.equal(rows.length, 1 + responses.filter((r) => r.statusCode === 200).length);
    const final = await server.app.inject({
      method: 'GET',
      url: `/v1/partner/apps/${app}/releases/${releaseId}`,
      headers: bearer(partner.token),
    });
    assertContract('getRelease', final);
    assert.equal(final.json().state, rows.at(-1)?.to_state);
    await assert.rejects(
      server.services.db.query('delete from release_events where release_id = $1', [releaseId]),
    );
  });
});
