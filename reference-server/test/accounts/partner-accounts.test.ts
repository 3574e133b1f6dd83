import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateKeyPair, jwkThumbprint } from '#sdk/signing/index.ts';
import { importPartnerJwk } from '../../src/accounts/partner-keys.ts';
import { assertContract, bearer } from '../contract-assertions.ts';
import { startTestServer, type TestServer } from '../test-server.ts';

describe('partners, partner keys, API keys and apps', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const call = async (
    operationId: string,
    method: 'GET' | 'POST',
    url: string,
    token: string | null,
    payload?: object,
  ) => {
    const response = await server.app.inject({
      method,
      url,
      headers: token ? bearer(token) : {},
      ...(payload ? { payload } : {}),
    });
    assertContract(operationId, response);
    return response;
  };

  it('lets an admin admit test and production partners and page through them with cursors [API-048] [API-058]', async () => {
    const admin = await server.admin();
    const created = await call('createPartner', 'POST', '/v1/admin/partners', admin.token, {
      name: 'Sandbox Labs',
      test: true,
    });
    assert.equal(created.statusCode, 201);
    assert.equal(created.json().test, true);
    await call('createPartner', 'POST', '/v1/admin/partners', admin.token, { name: 'Real Shop' });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const pageUrl = `/v1/admin/partners?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await call('listPartners', 'GET', pageUrl, admin.token);
      assert.equal(response.statusCode, 200);
      const body = response.json();
      seen.push(...body.items.map((p: { partnerId: string }) => p.partnerId));
      cursor = body.nextCursor;
    } while (cursor);
    assert.ok(seen.includes(created.json().partnerId), 'the created partner is in the list');
    assert.equal(new Set(seen).size, seen.length);
  });

  it('refuses a forged, tampered or foreign cursor with API_CURSOR_INVALID [API-049]', async () => {
    const admin = await server.admin();
    for (let i = 0; i < 3; i++) await server.partner();
    const first = (
      await call('listPartners', 'GET', '/v1/admin/partners?limit=1', admin.token)
    ).json();
    const cursor: string = first.nextCursor;
    const [body = '', mac = ''] = cursor.split('.');
    const forged = Buffer.from(JSON.stringify({ l: 'partners', a: '', t: Date.now() })).toString(
      'base64url',
    );
    for (const bad of ['garbage', `${forged}.${mac}`, `${body}.${mac.slice(1)}A`]) {
      const response = await call(
        'listPartners',
        'GET',
        `/v1/admin/partners?cursor=${encodeURIComponent(bad)}`,
        admin.token,
      );
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'API_CURSOR_INVALID');
    }
    const partner = await server.partner();
    const foreign = await call(
      'listPartnerApps',
      'GET',
      `/v1/partner/apps?cursor=${encodeURIComponent(cursor)}`,
      partner.token,
    );
    assert.equal(foreign.json().code, 'API_CURSOR_INVALID');
  });

  it('refuses partner administration to partners [API-002]', async () => {
    const partner = await server.partner();
    const response = await call('listPartners', 'GET', '/v1/admin/partners', partner.token);
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'API_FORBIDDEN');
  });

  it('registers a key under its thumbprint, returns the same key on a repeat, and lists it [API-066]', async () => {
    const partner = await server.partner();
    const pair = await generateKeyPair('ECDSA-P256');
    const first = await call('registerPartnerKey', 'POST', '/v1/partner/keys', partner.token, {
      label: 'CI',
      jwk: pair.publicJwk,
    });
    assert.equal(first.statusCode, 201);
    assert.equal(first.json().keyId, jwkThumbprint(pair.publicJwk));
    const again = await call('registerPartnerKey', 'POST', '/v1/partner/keys', partner.token, {
      jwk: pair.publicJwk,
    });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().label, 'CI');
    const list = await call('listPartnerKeys', 'GET', '/v1/partner/keys', partner.token);
    assert.deepEqual(
      list.json().items.map((k: { keyId: string }) => k.keyId),
      [pair.keyid],
    );
  });

  it('refuses a JWK with private members or a weak algorithm, storing nothing [API-065]', async () => {
    const partner = await server.partner();
    const pair = await generateKeyPair('Ed25519');
    const leaked = { ...pair.publicJwk, d: pair.publicJwk.kty === 'OKP' ? pair.publicJwk.x : '' };
    const response = await call('registerPartnerKey', 'POST', '/v1/partner/keys', partner.token, {
      jwk: leaked,
    });
    assert.equal(response.statusCode, 400);
    // The contract's body schema already refuses private members; the handler maps what reaches it.
    assert.equal(response.json().code, 'API_KEY_INVALID');
    const list = await call('listPartnerKeys', 'GET', '/v1/partner/keys', partner.token);
    assert.deepEqual(list.json().items, []);
    assert.throws(() => importPartnerJwk(leaked), { code: 'API_KEY_INVALID' });
    assert.throws(() => importPartnerJwk({ kty: 'OKP', crv: 'X25519', x: pair.keyid }), {
      code: 'API_KEY_INVALID',
    });
    assert.throws(() => importPartnerJwk({ kty: 'oct', k: 'c2VjcmV0' }), {
      code: 'API_KEY_INVALID',
    });
  });

  it("refuses to register another partner's key, so a keyid names one owner [API-066]", async () => {
    const owner = await server.partner();
    const thief = await server.partner();
    const pair = await generateKeyPair('Ed25519');
    await call('registerPartnerKey', 'POST', '/v1/partner/keys', owner.token, {
      jwk: pair.publicJwk,
    });
    const stolen = await call('registerPartnerKey', 'POST', '/v1/partner/keys', thief.token, {
      jwk: pair.publicJwk,
    });
    assert.equal(stolen.statusCode, 400);
    assert.equal(stolen.json().code, 'API_KEY_INVALID');
    const list = await call('listPartnerKeys', 'GET', '/v1/partner/keys', thief.token);
    assert.deepEqual(list.json().items, []);
  });

  it("revokes a key into the next signed index and hides other partners' keys behind 404 [API-003] [API-067]", async () => {
    const owner = await server.partner();
    const other = await server.partner();
    const pair = await generateKeyPair('Ed25519');
    await call('registerPartnerKey', 'POST', '/v1/partner/keys', owner.token, {
      jwk: pair.publicJwk,
    });
    // [SIG-105] a revoked key is listed in the bins of the apps it was delegated for.
    const appId = `com.example.revoked${Date.now().toString(36)}`;
    await call('createApp', 'POST', '/v1/partner/apps', owner.token, {
      appId,
      name: 'Revoked',
      category: 'utilities',
    });
    const foreign = await call(
      'revokePartnerKey',
      'POST',
      `/v1/partner/keys/${pair.keyid}/revoke`,
      other.token,
    );
    assert.equal(foreign.statusCode, 404);
    assert.equal(foreign.json().code, 'API_NOT_FOUND');
    const before = await server.services.trust.currentIndex();
    const revoked = await call(
      'revokePartnerKey',
      'POST',
      `/v1/partner/keys/${pair.keyid}/revoke`,
      owner.token,
    );
    assert.equal(revoked.statusCode, 200);
    assert.ok(revoked.json().revokedAt, 'the revoked key has a revokedAt');
    const index = await server.services.trust.currentIndex();
    assert.ok(
      index.version > before.version,
      `the index moves past version ${before.version}, not to ${index.version}`,
    );
    assert.deepEqual(index.entry(appId)?.revokedKeys, [pair.keyid]);
    const bin = [...index.bins.values()].find((b) => appId in b.payload.apps);
    assert.ok(
      bin && Buffer.from(bin.bytes).toString('utf8').includes(bin.payload.prefix),
      'the bin holding the app is served and names its prefix',
    );
  });

  it('shows an API key secret once, stores only its hash, and lists keys without secrets [API-005]', async () => {
    const partner = await server.partner();
    const created = await call('createApiKey', 'POST', '/v1/partner/api-keys', partner.token, {
      label: 'GitHub Actions',
    });
    assert.equal(created.statusCode, 201);
    const { apiKey, secret } = created.json();
    assert.ok(secret.startsWith(apiKey.prefix), 'the secret starts with the key prefix');
    const stored = await server.services.db.query<Record<string, unknown>>(
      'select * from credentials where id = $1',
      [apiKey.apiKeyId],
    );
    assert.ok(!JSON.stringify(stored.rows).includes(secret), 'the secret is not stored in clear');
    const list = await call('listApiKeys', 'GET', '/v1/partner/api-keys', partner.token);
    assert.ok(!list.body.includes(secret), 'the key list does not show the secret');
    assert.equal(list.json().items[0].apiKeyId, apiKey.apiKeyId);
  });

  it('accepts an API key only on partnerKey routes and only for its own partner [API-004]', async () => {
    const partner = await server.partner();
    const other = await server.partner();
    await call('createApp', 'POST', '/v1/partner/apps', other.token, {
      appId: 'org.other.secret',
      name: 'Other',
      category: 'games',
    });
    const { secret } = (
      await call('createApiKey', 'POST', '/v1/partner/api-keys', partner.token, { label: 'CI' })
    ).json();
    const own = await call('getOwnPartner', 'GET', '/v1/partner', secret);
    assert.equal(own.statusCode, 200);
    assert.equal(own.json().partnerId, partner.partnerId);
    const keys = await call('listPartnerKeys', 'GET', '/v1/partner/keys', secret);
    assert.equal(keys.statusCode, 403);
    assert.equal(keys.json().code, 'API_FORBIDDEN');
    const mint = await call('createApiKey', 'POST', '/v1/partner/api-keys', secret, { label: 'x' });
    assert.equal(mint.statusCode, 403);
    const foreign = await call('getPartnerApp', 'GET', '/v1/partner/apps/org.other.secret', secret);
    assert.equal(foreign.statusCode, 404);
    assert.equal(foreign.json().code, 'API_NOT_FOUND');
  });

  it('refuses a revoked or expired API key with 401, and another partner cannot revoke it [API-007]', async () => {
    const partner = await server.partner();
    const other = await server.partner();
    const { apiKey, secret } = (
      await call('createApiKey', 'POST', '/v1/partner/api-keys', partner.token, { label: 'CI' })
    ).json();
    const foreign = await call(
      'revokeApiKey',
      'POST',
      `/v1/partner/api-keys/${apiKey.apiKeyId}/revoke`,
      other.token,
    );
    assert.equal(foreign.statusCode, 404);
    assert.equal((await call('getOwnPartner', 'GET', '/v1/partner', secret)).statusCode, 200);
    const revoked = await call(
      'revokeApiKey',
      'POST',
      `/v1/partner/api-keys/${apiKey.apiKeyId}/revoke`,
      partner.token,
    );
    assert.equal(revoked.statusCode, 200);
    assert.ok(revoked.json().revokedAt, 'the revoked key has a revokedAt');
    const refused = await call('getOwnPartner', 'GET', '/v1/partner', secret);
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().code, 'API_UNAUTHENTICATED');

    const expiring = (
      await call('createApiKey', 'POST', '/v1/partner/api-keys', partner.token, {
        label: 'short',
        expiresAt: new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
      })
    ).json();
    await server.services.db.query(
      "update credentials set expires_at = now() - interval '1 second' where id = $1",
      [expiring.apiKey.apiKeyId],
    );
    const expired = await call('getOwnPartner', 'GET', '/v1/partner', expiring.secret);
    assert.equal(expired.statusCode, 401);
    const past = await call('createApiKey', 'POST', '/v1/partner/api-keys', partner.token, {
      label: 'past',
      expiresAt: '2020-01-01T00:00:00Z',
    });
    assert.equal(past.statusCode, 400);
    assert.equal(past.json().code, 'API_VALIDATION_FAILED');
  });

  it("reserves an app id for one partner: API_APP_ID_TAKEN for the next, 404 for others' apps [API-068] [API-003]", async () => {
    const owner = await server.partner();
    const rival = await server.partner();
    const created = await call('createApp', 'POST', '/v1/partner/apps', owner.token, {
      appId: 'com.example.claimed',
      name: 'Claimed',
      category: 'shopping',
    });
    assert.equal(created.statusCode, 201);
    assert.equal(created.headers.location, '/v1/partner/apps/com.example.claimed');
    const taken = await call('createApp', 'POST', '/v1/partner/apps', rival.token, {
      appId: 'com.example.claimed',
      name: 'Mine now',
      category: 'shopping',
    });
    assert.equal(taken.statusCode, 409);
    assert.equal(taken.json().code, 'API_APP_ID_TAKEN');
    const hidden = await call(
      'getPartnerApp',
      'GET',
      '/v1/partner/apps/com.example.claimed',
      rival.token,
    );
    assert.equal(hidden.statusCode, 404);
    const rivalList = await call('listPartnerApps', 'GET', '/v1/partner/apps', rival.token);
    assert.deepEqual(rivalList.json().items, []);
    const own = await call(
      'getPartnerApp',
      'GET',
      '/v1/partner/apps/com.example.claimed',
      owner.token,
    );
    assert.equal(own.json().name, 'Claimed');
  });

  it('pages through a partner’s own apps without repeats [API-048]', async () => {
    const partner = await server.partner();
    const ids = ['com.page.a', 'com.page.b', 'com.page.c', 'com.page.d', 'com.page.e'];
    for (const appId of ids) {
      await call('createApp', 'POST', '/v1/partner/apps', partner.token, {
        appId,
        name: appId,
        category: 'utilities',
      });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const url = `/v1/partner/apps?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const body = (await call('listPartnerApps', 'GET', url, partner.token)).json();
      seen.push(...body.items.map((a: { appId: string }) => a.appId));
      cursor = body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, ids);
  });
});
