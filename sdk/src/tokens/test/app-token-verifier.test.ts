import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT, exportJWK, type JWK } from 'jose';
import { verifyAppToken } from '../index.ts';

const issuer = 'https://platform.example';
const now = new Date('2026-03-01T08:00:00Z');
const iat = Math.floor(now.getTime() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const ed = generateKeyPairSync('ed25519');
const published: JWK = { ...(await exportJWK(ed.publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' };

function sign(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT({
    iss: issuer,
    sub: 'pairwise-sub',
    aud: 'com.example.a',
    iat,
    exp: iat + 900,
    jti: 'j1',
    scope: 'userInfo location',
    ...claims,
  })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: 'k1', ...header })
    .sign(ed.privateKey);
}

const check = (token: string, keys: unknown[] = [published], audience = 'com.example.a') =>
  verifyAppToken(token, { keys, issuer, audience, now });

/** A mini-app backend verifies app tokens with the sdk alone [STO-012] [STO-015] [API-059]. */
describe('verifyAppToken (sdk, with jose)', () => {
  it('accepts a valid token and returns its scopes', async () => {
    const result = await check(await sign({}));
    assert.equal(result.valid, true);
    assert.deepEqual(result.valid && result.scopes, ['userInfo', 'location']);
  });

  it('says why it refuses a token, case by case', async () => {
    const payload = (await sign({})).split('.')[1] ?? '';
    const cases: [string, Promise<string> | string, string, unknown[]?][] = [
      ['another app', sign({ aud: 'com.example.b' }), 'audience'],
      ['another issuer', sign({ iss: 'https://evil.example' }), 'issuer'],
      ['an expired token', sign({ iat: iat - 2000, exp: iat - 1100 }), 'expired'],
      ['a token from the future', sign({ iat: iat + 600, exp: iat + 1200 }), 'not-yet-valid'],
      ['a lifetime over 900 s', sign({ exp: iat + 3600 }), 'lifetime'],
      ['an unknown kid', sign({}, { kid: 'k2' }), 'unknown-key'],
      ['alg none', `${b64({ alg: 'none', typ: 'JWT', kid: 'k1' })}.${payload}.`, 'algorithm'],
      [
        'HS256 keyed with the public key',
        `${b64({ alg: 'HS256', typ: 'JWT', kid: 'k1' })}.${payload}.${createHmac(
          'sha256',
          JSON.stringify(published),
        )
          .update(`${b64({ alg: 'HS256', typ: 'JWT', kid: 'k1' })}.${payload}`)
          .digest('base64url')}`,
        'algorithm',
      ],
      [
        'ES256 against an Ed25519 key',
        `${b64({ alg: 'ES256', typ: 'JWT', kid: 'k1' })}.${payload}.${'A'.repeat(86)}`,
        'algorithm',
      ],
      [
        'a key published with its private part',
        sign({}),
        'unknown-key',
        [{ ...published, d: 'AAAA' }],
      ],
      ['not a JWT', 'not-a-jwt', 'malformed'],
    ];
    for (const [what, token, reason, keys] of cases) {
      assert.deepEqual(await check(await token, keys), { valid: false, reason }, what);
    }
  });

  it('refuses a tampered payload', async () => {
    const [header, payload, signature] = (await sign({})).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as object;
    const widened = `${header}.${b64({ ...claims, scope: 'userInfo payment' })}.${signature}`;
    assert.deepEqual(await check(widened), { valid: false, reason: 'signature' });
  });
});
