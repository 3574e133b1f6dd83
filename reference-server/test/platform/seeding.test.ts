import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { isMiniAppError } from '#sdk/diagnostics/index.ts';
import { selectUpdate } from '#sdk/distribution/index.ts';
import { TrustStore } from '#sdk/signing/index.ts';
import type { components } from '#schemas/generated/distribution/openapi.ts';
import { buildServer } from '../../src/app.ts';
import { secretDigest } from '../../src/http/authentication.ts';
import { configurePublishing } from '../../src/publish/publish-settings.ts';
import { devCredentialsFile, readDevCredentials } from '../../src/platform/dev-credentials.ts';
import {
  exampleProducts,
  seedPlatform,
  type SeedOutcome,
} from '../../src/platform/platform-seeding.ts';
import type { Services } from '../../src/services.ts';
import { assertContract, bearer } from '../contract-assertions.ts';
import { startTestServer, type TestServer } from '../test-server.ts';

type Schemas = components['schemas'];
type Seeded = Extract<SeedOutcome, { state: 'seeded' }>;

const publicOrigin = 'https://apps.example.test';

const exampleIds = [
  'dev.openminiapp.examples.shop',
  'dev.openminiapp.examples.places',
  'dev.openminiapp.examples.notes',
];

/** Row counts of every table seeding writes to. */
async function tableCounts(server: TestServer): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of [
    'partners',
    'accounts',
    'credentials',
    'partner_keys',
    'apps',
    'versions',
    'releases',
  ]) {
    const { rows } = await server.services.db.query<{ count: number }>(
      `select count(*)::integer as count from ${table}`,
    );
    counts[table] = rows[0]?.count ?? -1;
  }
  return counts;
}

/** The path of a URL that must lie on the platform's public origin. */
function relativeTo(origin: string, url: string): string {
  const parsed = new URL(url);
  assert.equal(parsed.origin, origin);
  return parsed.pathname;
}

function seeded(outcome: SeedOutcome): Seeded {
  assert.equal(outcome.state, 'seeded');
  return outcome as Seeded;
}

describe('start-up seeding of the example platform', () => {
  let server: TestServer;
  let app: FastifyInstance;
  let services: Services;
  let first: Seeded;
  before(async () => {
    server = await startTestServer();
    // A deployment at an https origin, as hosts require of signed package URLs; same store and keys.
    services = {
      ...server.services,
      config: { ...server.services.config, publicUrl: publicOrigin },
      metrics: new Registry(),
    };
    app = await buildServer(services);
    // Screenshots are covered by the publish group; here they would only add Chromium start-ups.
    configurePublishing(services, { screenshots: false });
    first = seeded(await seedPlatform(app, services));
  });
  after(async () => {
    await app.close();
    await server.close();
  });

  it('publishes the three examples as approved versions released on stable at 100%', async () => {
    assert.deepEqual(
      first.apps.map((a) => a.appId),
      exampleIds,
    );
    for (const seededApp of first.apps) {
      assert.equal(seededApp.uploaded, true);
      assert.equal(seededApp.released, true);
      const version = await app.inject({
        method: 'GET',
        url: `/v1/partner/apps/${seededApp.appId}/versions/${String(seededApp.versionCode)}`,
        headers: bearer(first.credentials.partner),
      });
      assertContract('getVersion', version);
      assert.equal((version.json() as Schemas['Version']).reviewStatus, 'approved');
      const releases = await app.inject({
        method: 'GET',
        url: `/v1/partner/apps/${seededApp.appId}/releases`,
        headers: bearer(first.credentials.partner),
      });
      assertContract('listReleases', releases);
      const [release, ...others] = (releases.json() as Schemas['ReleasePage']).items;
      assert.equal(others.length, 0);
      assert.equal(release?.channel, 'stable');
      assert.equal(release?.rolloutPercent, 100);
      assert.equal(release?.versionCode, seededApp.versionCode);
    }
  });

  it('gives a host device all three in one update check, and every bundle passes the full host verification chain [SIG-060] [SIG-041] [SIG-093] [API-100]', async () => {
    const now = new Date();
    const check = await app.inject({
      method: 'POST',
      url: '/v1/updates/check',
      headers: bearer(first.credentials.hostDevice.token),
      payload: {
        hostApiVersion: '1.2.0',
        channel: 'stable',
        deviceId: first.credentials.hostDevice.deviceId,
        apps: exampleIds.map((appId) => ({ appId, versionCode: 0 })),
      },
    });
    assertContract('checkUpdates', check);
    assert.equal(check.statusCode, 200);
    const { results } = check.json() as Schemas['update-check-response.schema'];
    assert.deepEqual(
      results.map((r) => [r.appId, r.kind]),
      exampleIds.map((id) => [id, 'update']),
    );

    // The host trusts the root it was built with, then walks index, bin, delegation, release,
    // statement and package, each pinned by the one before [SIG-093].
    const rootResponse = await app.inject({ method: 'GET', url: '/v1/trust/root.json' });
    assertContract('getCurrentRoot', rootResponse);
    const store = TrustStore.fromBakedRoot(rootResponse.rawPayload);
    store.updateRoot([], now);
    const indexResponse = await app.inject({ method: 'GET', url: '/v1/trust/index.json' });
    assertContract('getSignedIndex', indexResponse);
    store.verifyIndex(indexResponse.rawPayload, now);

    for (const result of results) {
      assert.equal(result.kind, 'update');
      const offer = result.update;
      assert.ok(offer, `an update is offered for ${result.appId}`);
      const location = store.binFor(result.appId);
      const binResponse = await app.inject({ method: 'GET', url: location.path });
      assertContract('getBin', binResponse);
      store.verifyBin(binResponse.rawPayload, location.prefix, now);
      const entry = store.appEntry(result.appId);
      assert.ok(entry, `the bin lists ${result.appId}`);
      // [API-100] [API-101] the static decision on the bin equals the server's answer.
      const decided = selectUpdate({
        appId: result.appId,
        entry,
        channel: 'stable',
        deviceId: first.credentials.hostDevice.deviceId,
        hostApiVersion: '1.2.0',
        installed: null,
      });
      assert.equal(decided.kind, 'update');
      assert.equal(decided.kind === 'update' && decided.release.versionCode, offer.versionCode);
      const delegationResponse = await app.inject({
        method: 'GET',
        url: `/v1/delegations/${result.appId}/${entry.delegation.version}.delegation.json`,
      });
      assertContract('getDelegation', delegationResponse);
      store.verifyDelegation(delegationResponse.rawPayload, { appId: result.appId, now });
      const releaseResponse = await app.inject({
        method: 'GET',
        url: relativeTo(publicOrigin, offer.releaseUrl),
      });
      assertContract('getReleaseEnvelope', releaseResponse);
      const verified = store.verifyRelease(releaseResponse.rawPayload, {
        appId: result.appId,
        channel: 'stable',
        now,
      });
      const statementResponse = await app.inject({
        method: 'GET',
        url: `/v1/releases/${result.appId}/${offer.versionCode}.statement.json`,
      });
      assertContract('getStatementEnvelope', statementResponse);
      store.verifyStatement(statementResponse.rawPayload, verified.release);
      const bundle = await app.inject({
        method: 'GET',
        url: relativeTo(publicOrigin, offer.packageUrl),
      });
      assertContract('getBundle', bundle);
      assert.equal(bundle.statusCode, 200);
      assert.equal(verified.release.package.sha256, offer.sha256);
      assert.equal(verified.release.package.length, bundle.rawPayload.length);
      store.verifyPackage(bundle.rawPayload, verified.release);
      store.recordInstall(verified.release);

      // One flipped byte in the downloaded bundle must be refused.
      const tampered = Buffer.from(bundle.rawPayload);
      tampered[tampered.length >> 1] = (tampered[tampered.length >> 1] ?? 0) ^ 0x01;
      assert.throws(
        () => store.verifyPackage(tampered, verified.release),
        (error: unknown) => isMiniAppError(error) && error.code === 'SIG_DIGEST_MISMATCH',
      );
    }
    assert.deepEqual(Object.keys(store.state.installed).sort(), [...exampleIds].sort());
  });

  it('prices what the shop sells, so its payments through the sandbox succeed at those prices [API-055] [API-058] [API-200]', async () => {
    const shop = 'dev.openminiapp.examples.shop';
    const listed = await app.inject({
      method: 'GET',
      url: `/v1/partner/apps/${shop}/products`,
      headers: bearer(first.credentials.partner),
    });
    assertContract('listProducts', listed);
    assert.deepEqual(
      (listed.json() as Schemas['ProductList']).items,
      [...(exampleProducts[shop] ?? [])].sort((a, b) => (a.productId < b.productId ? -1 : 1)),
    );
    const paid = await app.inject({
      method: 'POST',
      url: '/v1/payments',
      headers: {
        ...bearer(first.credentials.hostUser.token),
        'idempotency-key': `seed-${Date.now()}-test`,
      },
      payload: { appId: shop, productId: 'croissant', provider: 'sandbox' },
    });
    assertContract('createPayment', paid);
    assert.equal(paid.statusCode, 201);
    assert.deepEqual((paid.json() as Schemas['Payment']).amount, { currency: 'EUR', minor: 180 });
  });

  it('keeps the development credentials in a 0600 file, each working with its own role only', async () => {
    const mode = (await stat(devCredentialsFile(server.dataDir))).mode & 0o777;
    assert.equal(mode, 0o600);
    assert.deepEqual(await readDevCredentials(server.dataDir), first.credentials);
    const own = await app.inject({
      method: 'GET',
      url: '/v1/partner',
      headers: bearer(first.credentials.partner),
    });
    assertContract('getOwnPartner', own);
    assert.equal((own.json() as Schemas['Partner']).partnerId, first.partnerId);
    const queue = await app.inject({
      method: 'GET',
      url: '/v1/review/queue',
      headers: bearer(first.credentials.reviewer),
    });
    assertContract('listReviewQueue', queue);
    assert.equal(queue.statusCode, 200);
    // [API-002] the partner session is not an admin, and a host device is not a partner.
    const notAdmin = await app.inject({
      method: 'GET',
      url: '/v1/admin/partners',
      headers: bearer(first.credentials.partner),
    });
    assertContract('listPartners', notAdmin);
    assert.equal(notAdmin.json().code, 'API_FORBIDDEN');
    const notPartner = await app.inject({
      method: 'GET',
      url: '/v1/partner',
      headers: bearer(first.credentials.hostDevice.token),
    });
    assertContract('getOwnPartner', notPartner);
    assert.equal(notPartner.json().code, 'API_FORBIDDEN');
  });

  it('hides the seeded apps from every other partner [API-003]', async () => {
    const other = await server.partner('Someone else');
    for (const appId of exampleIds) {
      const response = await app.inject({
        method: 'GET',
        url: `/v1/partner/apps/${appId}`,
        headers: bearer(other.token),
      });
      assertContract('getPartnerApp', response);
      assert.equal(response.statusCode, 404);
      assert.equal(response.json().code, 'API_NOT_FOUND');
    }
  });

  it('changes nothing when run a second time and hands out the same credentials', async () => {
    const before = await tableCounts(server);
    const again = seeded(await seedPlatform(app, services));
    assert.deepEqual(await tableCounts(server), before);
    assert.deepEqual(again.credentials, first.credentials);
    assert.equal(again.partnerId, first.partnerId);
    assert.ok(
      again.apps.every((a) => !a.uploaded && !a.released),
      'a second seed uploads and releases nothing again',
    );
  });

  it('never hands out a revoked or nearly expired credential again: it issues a new one', async () => {
    await server.services.db.query(
      'update credentials set revoked_at = now() where secret_sha256 = $1',
      [secretDigest(first.credentials.admin)],
    );
    await server.services.db.query(
      `update credentials set expires_at = now() + interval '1 hour' where secret_sha256 = $1`,
      [secretDigest(first.credentials.reviewer)],
    );
    // Revoked straight in the store, as another process would: this process learns of it when its
    // cached lookup is dropped, at once here, within 5 seconds otherwise [API-094].
    server.services.credentials.forget();
    const revoked = await app.inject({
      method: 'GET',
      url: '/v1/admin/partners',
      headers: bearer(first.credentials.admin),
    });
    assert.equal(revoked.json().code, 'API_UNAUTHENTICATED');
    const renewed = seeded(await seedPlatform(app, services));
    assert.notEqual(renewed.credentials.admin, first.credentials.admin);
    assert.notEqual(renewed.credentials.reviewer, first.credentials.reviewer);
    assert.equal(renewed.credentials.partner, first.credentials.partner);
    assert.deepEqual(await readDevCredentials(server.dataDir), renewed.credentials);
    const works = await app.inject({
      method: 'GET',
      url: '/v1/admin/partners',
      headers: bearer(renewed.credentials.admin),
    });
    assertContract('listPartners', works);
    assert.equal(works.statusCode, 200);
  });

  it('leaves a store that holds another partner’s apps untouched', async () => {
    const other = await server.partner('A real partner');
    const created = await app.inject({
      method: 'POST',
      url: '/v1/partner/apps',
      headers: bearer(other.token),
      payload: { appId: 'com.example.real', name: 'Real', category: 'utilities' },
    });
    assertContract('createApp', created);
    const before = await tableCounts(server);
    const outcome = await seedPlatform(app, services);
    assert.equal(outcome.state, 'skipped');
    assert.deepEqual(await tableCounts(server), before);
  });
});
