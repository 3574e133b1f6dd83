import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createStatement, generateKeyPair, loadPrivateKey } from '#sdk/signing/index.ts';
import { assertContract, bearer } from '../contract-assertions.ts';
import { startTestServer, type TestServer } from '../test-server.ts';
import { prepareForUploads, tinyPackage, uploadPackage } from '../publish/publish-fixture.ts';

interface Created {
  kind: string;
  test: boolean;
  partnerId?: string;
  accountId?: string;
  deviceId?: string;
  userId?: string;
  credential?: { credentialId: string; token: string; expiresAt: string };
}

/**
 * What a conformance run does with nothing but an admin token [API-170]: create its own partners,
 * sessions, reviewers and host principals through POST /v1/admin/principals, then exercise
 * cross-partner authorisation and sandbox payments with them.
 */
describe('admin-created principals for conformance runs [API-170] [API-171] [API-172]', () => {
  let server: TestServer;
  let admin: string;

  before(async () => {
    server = await startTestServer();
    prepareForUploads(server);
    admin = (await server.admin()).token;
  });
  after(() => server.close());

  async function create(body: object, token = admin) {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/admin/principals',
      headers: bearer(token),
      payload: body,
    });
    assertContract('createPrincipal', response);
    return response;
  }

  async function created(body: object): Promise<Created> {
    const response = await create(body);
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    return response.json() as Created;
  }

  const call = (token: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    server.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

  it('refuses callers that are not admins, and bodies outside the contract', async () => {
    const partner = await created({ kind: 'partner', name: 'Not an admin' });
    const session = await created({ kind: 'partnerSession', partnerId: partner.partnerId });
    const forbidden = await create({ kind: 'partner', name: 'x' }, session.credential?.token);
    assert.equal(forbidden.statusCode, 403);
    assert.equal(forbidden.json().code, 'API_FORBIDDEN');
    const anonymous = await server.app.inject({
      method: 'POST',
      url: '/v1/admin/principals',
      payload: { kind: 'partner', name: 'x' },
    });
    assert.equal(anonymous.statusCode, 401);
    for (const body of [
      { kind: 'admin', name: 'escalation' },
      { kind: 'hostDevice', deviceId: 'short' },
      { kind: 'hostUser', userId: 'u1', ttlSeconds: 10 },
      { kind: 'partner', name: 'x', deviceId: 'device-0000000000000001' },
    ]) {
      const response = await create(body);
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.equal(response.json().code, 'API_VALIDATION_FAILED');
    }
    const unknown = await create({ kind: 'partnerSession', partnerId: 'ptn_nobody' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'API_NOT_FOUND');
  });

  it('stores each secret only as a hash and shows it once [API-171]', async () => {
    const device = await created({ kind: 'hostDevice', deviceId: 'conformance-device-0001' });
    const token = device.credential?.token ?? '';
    assert.ok(token.length >= 16);
    const { rows } = await server.services.db.query('select * from credentials');
    assert.ok(!JSON.stringify(rows).includes(token), 'a secret is stored in clear');
    const expires = Date.parse(device.credential?.expiresAt ?? '');
    assert.ok(Math.abs(expires - Date.now() - 86_400_000) < 5000, 'default lifetime is a day');
  });

  it('runs a cross-partner and payment scenario with nothing but the admin token', async () => {
    const partnerA = await created({ kind: 'partner', name: 'Conformance A', test: true });
    const partnerB = await created({ kind: 'partner', name: 'Conformance B' });
    assert.equal(partnerA.test, true);
    const sessionA = await created({ kind: 'partnerSession', partnerId: partnerA.partnerId });
    const sessionB = await created({ kind: 'partnerSession', partnerId: partnerB.partnerId });
    assert.equal(sessionA.partnerId, partnerA.partnerId);
    const tokenA = sessionA.credential?.token ?? '';
    const tokenB = sessionB.credential?.token ?? '';

    // Partner A creates an app, registers a key, uploads a version; partner B cannot see it [API-003].
    const appId = 'com.conformance.paid';
    assert.equal(
      (
        await call(tokenA, 'POST', '/v1/partner/apps', {
          appId,
          name: 'Paid',
          category: 'shopping',
        })
      ).statusCode,
      201,
    );
    assert.equal((await call(tokenB, 'GET', `/v1/partner/apps/${appId}`)).statusCode, 404);
    const key = loadPrivateKey((await generateKeyPair('Ed25519')).privateKeyPem);
    assert.equal(
      (await call(tokenA, 'POST', '/v1/partner/keys', { jwk: key.publicJwk })).statusCode,
      201,
    );
    const pkg = await tinyPackage({
      appId,
      versionCode: 1,
      permissions: { payment: { reason: 'Buy gems' } },
    });
    const statement = createStatement(
      {
        appId,
        version: '1.0.1',
        versionCode: 1,
        packageBytes: pkg.bytes,
        manifestBytes: pkg.manifestBytes,
      },
      key,
    );
    const upload = await uploadPackage(server, tokenA, appId, statement.bytes, pkg.bytes);
    assert.equal(upload.statusCode, 201, upload.body);
    assert.equal(upload.json().reviewStatus, 'queued');

    // A reviewer of partner A may not decide on A's app [API-085]; an independent one may.
    const ownReviewer = await created({ kind: 'reviewer', partnerId: partnerA.partnerId });
    const reviewer = await created({ kind: 'reviewer' });
    const decision = (token: string) =>
      call(token, 'POST', `/v1/review/${appId}/1/decision`, { decision: 'approve' });
    const refused = await decision(ownReviewer.credential?.token ?? '');
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'API_FORBIDDEN');
    assert.equal((await decision(reviewer.credential?.token ?? '')).statusCode, 200);
    assert.equal(
      (
        await call(tokenA, 'POST', `/v1/partner/apps/${appId}/releases`, {
          versionCode: 1,
          channel: 'stable',
          rolloutPercent: 100,
        })
      ).statusCode,
      201,
    );
    assert.equal(
      (
        await call(tokenA, 'PUT', `/v1/partner/apps/${appId}/products/gems`, {
          kind: 'consumable',
          price: { currency: 'EUR', minor: 199 },
        })
      ).statusCode,
      200,
    );

    // A test host device sees the release; a test host user pays with the sandbox provider, a
    // user not marked test may not [API-058] [API-172].
    const device = await created({
      kind: 'hostDevice',
      deviceId: 'conformance-device-0002',
      test: true,
    });
    const check = await call(
      device.credential?.token ?? '',
      'GET',
      `/v1/apps/${appId}/update?hostApiVersion=1.0.0&channel=stable&deviceId=conformance-device-0002&versionCode=0`,
    );
    assert.equal(check.statusCode, 200);
    assert.equal(check.json().kind, 'update');
    const pay = (token: string) =>
      server.app.inject({
        method: 'POST',
        url: '/v1/payments',
        headers: { ...bearer(token), 'idempotency-key': randomUUID() },
        payload: { appId, productId: 'gems', provider: 'sandbox' },
      });
    const testUser = await created({ kind: 'hostUser', userId: 'conformance-user-1', test: true });
    const paid = await pay(testUser.credential?.token ?? '');
    assert.equal(paid.statusCode, 201, paid.body);
    const realUser = await created({ kind: 'hostUser', userId: 'conformance-user-2' });
    assert.equal(realUser.test, false);
    const refusedPayment = await pay(realUser.credential?.token ?? '');
    assert.equal(refusedPayment.statusCode, 403);
    assert.equal(refusedPayment.json().code, 'API_FORBIDDEN');
  });
});
