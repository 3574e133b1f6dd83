import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createStatement, generateKeyPair, loadPrivateKey } from '#sdk/signing/index.ts';
import { assertContract, bearer } from '../contract-assertions.ts';
import { startTestServer, type TestServer } from '../test-server.ts';
import { prepareForUploads, tinyPackage, uploadPackage } from '../publish/publish-fixture.ts';

interface Created {
  principalId: string;
  role: string;
  test: boolean;
  partnerId?: string;
  credential: string;
  expiresAt: string;
}

/**
 * What a conformance run does with nothing but an admin token [API-151]: create its own partners
 * (POST /v1/admin/partners), sessions, reviewers and host principals through POST /v1/admin/principals, then exercise
 * cross-partner authorisation and sandbox payments with them.
 */
describe('admin-created test principals for conformance runs [API-151] to [API-155]', () => {
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

  async function partner(name: string, test = false): Promise<string> {
    const response = await call(admin, 'POST', '/v1/admin/partners', { name, test });
    assert.equal(response.statusCode, 201, response.body);
    return (response.json() as { partnerId: string }).partnerId;
  }

  const call = (token: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    server.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

  it('refuses callers that are not admins, and bodies outside the contract [API-152]', async () => {
    const partnerId = await partner('Not an admin');
    const session = await created({ role: 'partner', partnerId });
    const forbidden = await create({ role: 'reviewer' }, session.credential);
    assert.equal(forbidden.statusCode, 403);
    assert.equal(forbidden.json().code, 'API_FORBIDDEN');
    const anonymous = await server.app.inject({
      method: 'POST',
      url: '/v1/admin/principals',
      payload: { role: 'reviewer' },
    });
    assert.equal(anonymous.statusCode, 401);
    for (const body of [
      { role: 'admin' },
      { role: 'partner' },
      { role: 'hostUser', expiresInSeconds: 0 },
      { role: 'hostUser', expiresInSeconds: 86401 },
      { role: 'hostDevice', deviceId: 'device-0000000000000001' },
    ]) {
      const response = await create(body);
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.equal(response.json().code, 'API_VALIDATION_FAILED');
    }
    for (const role of ['partner', 'reviewer']) {
      const unknown = await create({ role, partnerId: 'ptn_nobody' });
      assert.equal(unknown.statusCode, 404, role);
      assert.equal(unknown.json().code, 'API_NOT_FOUND');
    }
  });

  it('stores each secret only as a hash, shows it once and lets it live an hour [API-150] [API-151]', async () => {
    const device = await created({ role: 'hostDevice' });
    assert.ok(device.credential.length >= 16, 'the device credential has at least 16 characters');
    const { rows } = await server.services.db.query('select * from credentials');
    assert.ok(!JSON.stringify(rows).includes(device.credential), 'a secret is stored in clear');
    const expires = Date.parse(device.expiresAt);
    assert.ok(Math.abs(expires - Date.now() - 3_600_000) < 5000, 'default lifetime is an hour');
  });

  it('refuses a credential once it expired or was revoked, and revokes nothing else [API-155]', async () => {
    const short = await created({ role: 'hostUser', expiresInSeconds: 1 });
    const revoked = await created({ role: 'hostDevice', test: true });
    const check = (token: string) => call(token, 'GET', '/v1/catalog/apps');
    assert.equal((await check(revoked.credential)).statusCode, 200);
    const answer = await call(admin, 'POST', `/v1/admin/principals/${revoked.principalId}/revoke`);
    assertContract('revokePrincipal', answer);
    assert.equal(answer.statusCode, 200, answer.body);
    assert.deepEqual(answer.json(), {
      principalId: revoked.principalId,
      role: 'hostDevice',
      test: true,
      expiresAt: revoked.expiresAt,
    });
    const refused = await check(revoked.credential);
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().code, 'API_UNAUTHENTICATED');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const expired = await call(short.credential, 'GET', '/v1/entitlements/com.example.none');
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().code, 'API_UNAUTHENTICATED');
    // The route revokes principals it made, never the admin's own session or an unknown id.
    const adminSession = await server.services.db.query<{ id: string }>(
      "select id from credentials where kind = 'session' and label is distinct from 'test principal: partner' limit 1",
    );
    for (const id of [adminSession.rows[0]?.id ?? 'cred_none', 'cred_nobody']) {
      const notFound = await call(admin, 'POST', `/v1/admin/principals/${id}/revoke`);
      assert.equal(notFound.statusCode, 404, id);
      assert.equal(notFound.json().code, 'API_NOT_FOUND');
    }
  });

  it('runs a cross-partner and payment scenario with nothing but the admin token', async () => {
    const partnerA = await partner('Conformance A', true);
    const partnerB = await partner('Conformance B');
    const sessionA = await created({ role: 'partner', partnerId: partnerA });
    const sessionB = await created({ role: 'partner', partnerId: partnerB });
    assert.equal(sessionA.partnerId, partnerA);
    // [API-154] a partner principal is a test principal exactly when its partner is one.
    assert.equal(sessionA.test, true);
    assert.equal(sessionB.test, false);
    const tokenA = sessionA.credential;
    const tokenB = sessionB.credential;

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
    // payment is restricted: the admin allows partner A to declare it [PRM-019].
    const allowed = await call(
      admin,
      'PUT',
      `/v1/admin/partners/${partnerA}/restricted-permissions`,
      { permissions: ['payment'] },
    );
    assert.equal(allowed.statusCode, 200, allowed.body);
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
    const ownReviewer = await created({ role: 'reviewer', partnerId: partnerA });
    const reviewer = await created({ role: 'reviewer' });
    const decision = (token: string) =>
      call(token, 'POST', `/v1/review/${appId}/1/decision`, { decision: 'approve' });
    const refused = await decision(ownReviewer.credential);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'API_FORBIDDEN');
    assert.equal((await decision(reviewer.credential)).statusCode, 200);
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
    // user not marked test may not [API-058] [API-154].
    const device = await created({ role: 'hostDevice', test: true });
    const check = await call(
      device.credential,
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
    const testUser = await created({ role: 'hostUser', test: true });
    const paid = await pay(testUser.credential);
    assert.equal(paid.statusCode, 201, paid.body);
    const realUser = await created({ role: 'hostUser' });
    assert.equal(realUser.test, false);
    const refusedPayment = await pay(realUser.credential);
    assert.equal(refusedPayment.statusCode, 403);
    assert.equal(refusedPayment.json().code, 'API_FORBIDDEN');
  });
});
