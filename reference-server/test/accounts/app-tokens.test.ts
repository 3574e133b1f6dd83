import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPartner } from '../../src/accounts/credential-issuer.ts';
import { issueAppToken, signJwt } from '../../src/tokens/app-token.ts';
import { verifyAppToken } from '#sdk/tokens/index.ts';
import { jwksOf, loadTokenKeys, type TokenKeyRing } from '../../src/tokens/token-keys.ts';
import { assertContract, bearer } from '../contract-assertions.ts';
import { startTestServer, type TestServer } from '../test-server.ts';
import { approvedVersion } from './app-fixture.ts';

const issuer = 'https://platform.example';
const now = new Date('2026-03-01T08:00:00Z');
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('the app token verifier', () => {
  let dir: string;
  let ring: TokenKeyRing;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'token-keys-'));
    ring = await loadTokenKeys(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const issue = async (appId = 'com.example.a', at = now) =>
    (
      await issueAppToken(ring.current, {
        issuer,
        subject: 's',
        appId,
        scopes: ['userInfo'],
        now: at,
      })
    ).token;
  const check = (token: string, audience = 'com.example.a', at = now) =>
    verifyAppToken(token, { keys: jwksOf(ring).keys, issuer, audience, now: at });

  it('accepts a fresh token for its own app with its scopes [API-059]', async () => {
    const result = await check(await issue());
    assert.equal(result.valid, true);
    assert.deepEqual(result.valid && result.scopes, ['userInfo']);
  });

  it('refuses a token for app A presented to app B (aud) [API-059]', async () => {
    assert.deepEqual(await check(await issue('com.example.a'), 'com.example.b'), {
      valid: false,
      reason: 'audience',
    });
  });

  it('refuses a token after its 900 seconds at a fixed clock [STO-013]', async () => {
    const token = await issue();
    assert.equal(
      (await check(token, 'com.example.a', new Date(now.getTime() + 899_000))).valid,
      true,
    );
    assert.deepEqual(await check(token, 'com.example.a', new Date(now.getTime() + 931_000)), {
      valid: false,
      reason: 'expired',
    });
  });

  it('refuses a tampered payload or signature', async () => {
    const [header, payload, signature] = (await issue()).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const widened = `${header}.${b64({ ...claims, scope: 'userInfo payment' })}.${signature}`;
    assert.deepEqual(await check(widened), { valid: false, reason: 'signature' });
    const flipped = Buffer.from(signature, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    assert.deepEqual(await check(`${header}.${payload}.${flipped.toString('base64url')}`), {
      valid: false,
      reason: 'signature',
    });
  });

  it("refuses alg 'none' and HS256 keyed with the public key (algorithm confusion) [STO-015]", async () => {
    const [, payload] = (await issue()).split('.') as [string, string];
    const none = `${b64({ alg: 'none', kid: ring.current.kid })}.${payload}.`;
    assert.equal((await check(none)).valid, false);
    const hsHeader = b64({ alg: 'HS256', typ: 'JWT', kid: ring.current.kid });
    const mac = createHmac('sha256', JSON.stringify(ring.current.jwk))
      .update(`${hsHeader}.${payload}`)
      .digest('base64url');
    assert.deepEqual(await check(`${hsHeader}.${payload}.${mac}`), {
      valid: false,
      reason: 'algorithm',
    });
    const es = `${b64({ alg: 'ES256', kid: ring.current.kid })}.${payload}.${'A'.repeat(86)}`;
    assert.deepEqual(await check(es), { valid: false, reason: 'algorithm' });
  });

  it('refuses unknown keys, foreign issuers and over-long lifetimes', async () => {
    const [, payload, signature] = (await issue()).split('.') as [string, string, string];
    assert.deepEqual(
      await check(`${b64({ alg: 'EdDSA', kid: 'other' })}.${payload}.${signature}`),
      {
        valid: false,
        reason: 'unknown-key',
      },
    );
    const iat = Math.floor(now.getTime() / 1000);
    const base = { sub: 's', aud: 'com.example.a', iat, jti: 'j', scope: '' };
    const foreign = await signJwt(ring.current, {
      ...base,
      iss: 'https://evil.example',
      exp: iat + 60,
    });
    assert.deepEqual(await check(foreign), { valid: false, reason: 'issuer' });
    const long = await signJwt(ring.current, { ...base, iss: issuer, exp: iat + 3600 });
    assert.deepEqual(await check(long), { valid: false, reason: 'lifetime' });
    assert.deepEqual(await check('not-a-jwt'), { valid: false, reason: 'malformed' });
  });

  it('keeps its keys across restarts: a second load verifies the first load’s tokens', async () => {
    const token = await issue();
    const reloaded = await loadTokenKeys(dir);
    assert.equal(reloaded.current.kid, ring.current.kid);
    const result = await verifyAppToken(token, {
      keys: jwksOf(reloaded).keys,
      issuer,
      audience: 'com.example.a',
      now,
    });
    assert.equal(result.valid, true);
  });
});

describe('POST /v1/tokens/app and the JWK set', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    const partner = await createPartner(server.services.db, 'Token Partner');
    for (const appId of ['com.tokens.a', 'com.tokens.b', 'com.tokens.draft']) {
      await server.services.db.query('insert into apps (app_id, partner_id) values ($1, $2)', [
        appId,
        partner,
      ]);
    }
    await approvedVersion(server.services.db, 'com.tokens.a', 1, ['userInfo', 'location']);
    await approvedVersion(server.services.db, 'com.tokens.b', 1, ['userInfo']);
  });
  after(() => server.close());

  const token = async (userToken: string, payload: object) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/tokens/app',
      headers: bearer(userToken),
      payload,
    });
    assertContract('createAppToken', response);
    return response;
  };

  it('issues a 15-minute token verifiable with the published keys, only for its app [API-059] [API-062]', async () => {
    const user = await server.hostUser();
    const response = await token(user.token, { appId: 'com.tokens.a', scopes: ['userInfo'] });
    assert.equal(response.statusCode, 201);
    assert.equal(response.headers['cache-control'], 'no-store');
    const { accessToken, expiresIn } = response.json();
    assert.equal(expiresIn, 900);
    const jwks = await server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    assertContract('getJwks', jwks);
    for (const key of jwks.json().keys) assert.equal('d' in key, false);
    const expect = {
      keys: jwks.json().keys,
      issuer: server.services.config.publicUrl,
      now: new Date(),
    };
    assert.equal(
      (await verifyAppToken(accessToken, { ...expect, audience: 'com.tokens.a' })).valid,
      true,
    );
    assert.deepEqual(await verifyAppToken(accessToken, { ...expect, audience: 'com.tokens.b' }), {
      valid: false,
      reason: 'audience',
    });
  });

  it('gives each app a different pairwise subject for the same user [API-060]', async () => {
    const user = await server.hostUser();
    const sub = async (appId: string) => {
      const { accessToken } = (await token(user.token, { appId, scopes: [] })).json();
      const payload = accessToken.split('.')[1];
      return JSON.parse(Buffer.from(payload, 'base64url').toString()).sub as string;
    };
    const a1 = await sub('com.tokens.a');
    assert.equal(await sub('com.tokens.a'), a1);
    assert.notEqual(await sub('com.tokens.b'), a1);
    assert.ok(!a1.includes(user.userId), 'the per-app subject does not reveal the user id');
  });

  it('refuses scopes the manifest does not declare with API_SCOPE_NOT_ALLOWED [API-061]', async () => {
    const user = await server.hostUser();
    const response = await token(user.token, {
      appId: 'com.tokens.b',
      scopes: ['userInfo', 'location'],
    });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'API_SCOPE_NOT_ALLOWED');
    const draft = await token(user.token, { appId: 'com.tokens.draft', scopes: [] });
    assert.equal(draft.statusCode, 403);
  });

  it('refuses an expired host user session and a device credential [API-007] [API-002]', async () => {
    const user = await server.hostUser();
    await server.services.db.query(
      "update credentials set expires_at = now() - interval '1 second' where subject = $1",
      [user.userId],
    );
    const expired = await token(user.token, { appId: 'com.tokens.a', scopes: [] });
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().code, 'API_UNAUTHENTICATED');
    const device = await server.hostDevice();
    const wrongKind = await token(device.token, { appId: 'com.tokens.a', scopes: [] });
    assert.equal(wrongKind.statusCode, 403);
  });
});
