import { CaseFailure } from '../../framework/index.ts';
import { generateSigningKey, jwkThumbprint } from '../crypto/jwk-key.ts';
import { bodyOf, expectStatus, serverCase } from '../server-case.ts';
import { describeExchange, jsonOf } from '../subject/http-exchange.ts';

interface PartnerKey {
  keyId: string;
  jwk: Record<string, unknown>;
  revokedAt?: string;
}

export const portalCases = [
  serverCase({
    id: 'server.portal.key-private-member-refused',
    description:
      'POST /v1/partner/keys refuses a JWK that carries a private member with 400 API_KEY_INVALID, and does not register it',
    requirements: ['API-065', 'SIG-005'],
    why: 'A partner who pastes a private key must be stopped, and a verifier that keeps private members around invites leaks.',
    async run(t) {
      const partner = await t.world.partner(t.scope);
      const key = await generateSigningKey();
      const priv = await key.privateJwk();
      const exchange = await t.send({
        method: 'POST',
        path: '/v1/partner/keys',
        token: partner.token,
        json: { jwk: { kty: 'OKP', crv: 'Ed25519', x: priv.x, d: priv.d } },
      });
      expectStatus(exchange, 400, 'API_KEY_INVALID');
      const list = bodyOf<{ items: PartnerKey[] }>(
        await t.send({ path: '/v1/partner/keys', token: partner.token }),
      );
      if (list.items.some((k) => k.keyId === key.keyid))
        throw new CaseFailure('the key was registered anyway');
    },
  }),
  serverCase({
    id: 'server.portal.key-algorithms-refused',
    description:
      'POST /v1/partner/keys refuses keys outside Ed25519, P-256 and RSA-PSS of 3072 bits or more with 400 API_KEY_INVALID',
    requirements: ['API-065', 'SIG-004', 'SIG-005'],
    why: 'An algorithm downgrade starts with a weak key registered at the server: P-384, secp256k1, a 2048-bit RSA key or an RS256 key must never sign a statement.',
    async run(t) {
      const partner = await t.world.partner(t.scope);
      const rsa2048 = (await crypto.subtle.generateKey(
        {
          name: 'RSA-PSS',
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: 'SHA-256',
        },
        true,
        ['sign', 'verify'],
      )) as CryptoKeyPair;
      const rsaJwk = await crypto.subtle.exportKey('jwk', rsa2048.publicKey);
      const p384 = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, [
        'sign',
      ])) as CryptoKeyPair;
      const p384Jwk = await crypto.subtle.exportKey('jwk', p384.publicKey);
      const ed = await generateSigningKey();
      const candidates: [string, Record<string, unknown>][] = [
        ['RSA-PSS 2048', { kty: 'RSA', alg: 'PS256', n: rsaJwk.n, e: rsaJwk.e }],
        ['P-384', { kty: 'EC', crv: 'P-384', x: p384Jwk.x, y: p384Jwk.y }],
        ['Ed448-named OKP', { kty: 'OKP', crv: 'Ed448', x: (ed.publicJwk as { x: string }).x }],
        ['symmetric', { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0' }],
        ['X25519', { kty: 'OKP', crv: 'X25519', x: (ed.publicJwk as { x: string }).x }],
      ];
      for (const [name, jwk] of candidates) {
        const exchange = await t.send({
          method: 'POST',
          path: '/v1/partner/keys',
          token: partner.token,
          json: { jwk },
        });
        try {
          expectStatus(exchange, 400, 'API_KEY_INVALID');
        } catch (error) {
          throw new CaseFailure(`${name} key: ${(error as Error).message}`);
        }
      }
    },
  }),
  serverCase({
    id: 'server.portal.key-id-is-thumbprint',
    description:
      'A registered key id is its RFC 7638 thumbprint, and registering the same key again returns the existing key with 200',
    requirements: ['API-066', 'SIG-006'],
    why: 'Statements and the index name keys by thumbprint; a server-chosen id breaks revocation, and a duplicate registration must not create a second key.',
    async run(t) {
      const partner = await t.world.partner(t.scope);
      for (const kind of ['Ed25519', 'P-256'] as const) {
        const key = await generateSigningKey(kind);
        const first = await t.world.registerKey(t.scope, partner.token, key);
        expectStatus(first, 201);
        const registered = jsonOf<PartnerKey>(first) as PartnerKey;
        const expected = await jwkThumbprint(key.publicJwk);
        if (registered.keyId !== expected)
          throw new CaseFailure(
            `${kind}: keyId ${registered.keyId} is not the thumbprint ${expected}`,
          );
        const again = await t.send({
          method: 'POST',
          path: '/v1/partner/keys',
          token: partner.token,
          json: { jwk: key.publicJwk },
        });
        expectStatus(again, 200);
        if (jsonOf<PartnerKey>(again)?.keyId !== expected)
          throw new CaseFailure(`${kind}: registering again answered another key`);
      }
    },
  }),
  serverCase({
    id: 'server.portal.app-id-taken',
    description:
      'POST /v1/partner/apps refuses an app id that another partner owns, released or not, with 409 API_APP_ID_TAKEN',
    requirements: ['API-068'],
    why: "App ids are the identity hosts trust; letting a second partner claim one hands them the first partner's users.",
    async run(t) {
      t.world.skipUnlessComplete();
      const release = await t.world.sharedRelease(t.scope);
      // An id owned but never released is owned all the same [API-068].
      const reserved = await t.world.freshApp(t.scope, 'taken');
      const other = await t.world.partner(t.scope, 'b');
      for (const [what, appId] of [
        ['released', release.version.app.appId],
        ['never released', reserved.appId],
      ]) {
        const exchange = await t.send({
          method: 'POST',
          path: '/v1/partner/apps',
          token: other.token,
          json: { appId, name: 'Squatter', category: 'utilities' },
        });
        if (exchange.status !== 409)
          throw new CaseFailure(
            `another partner's create of the ${what} app ${appId} answered ${describeExchange(exchange)}`,
          );
        expectStatus(exchange, 409, 'API_APP_ID_TAKEN');
      }
    },
  }),
  serverCase({
    id: 'server.portal.api-key-secret-once',
    description:
      'An API key secret appears in the response that creates it and in no later response, and the key works as a Bearer credential on partnerKey routes',
    requirements: ['API-004', 'API-005'],
    why: 'A secret that a list or a problem document repeats can be read by anyone with portal access; CI must be able to use it exactly as documented.',
    async run(t) {
      const partner = await t.world.partner(t.scope);
      const release = await t.world.sharedRelease(t.scope);
      const created = bodyOf<{ apiKey: { apiKeyId: string }; secret: string }>(
        await t.send({
          method: 'POST',
          path: '/v1/partner/api-keys',
          token: partner.token,
          json: { label: 'certify CI' },
        }),
        201,
      );
      const secret = created.secret;
      const [list, versions, app, keys] = [
        await t.send({ path: '/v1/partner/api-keys', token: partner.token }),
        await t.send({
          path: `/v1/partner/apps/${release.version.app.appId}/versions`,
          token: secret,
        }),
        await t.send({ path: `/v1/partner/apps/${release.version.app.appId}`, token: secret }),
        await t.send({ path: '/v1/partner/keys', token: secret }),
      ];
      for (const r of [list, versions, app, keys]) {
        if (new TextDecoder().decode(r.body).includes(secret))
          throw new CaseFailure(`the secret appears again in ${r.method} ${r.target}`);
      }
      expectStatus(versions, 200);
      expectStatus(app, 200);
      if (keys.status < 400) {
        throw new CaseFailure(
          `the API key was accepted on GET /v1/partner/keys, a portal-only route (${keys.status})`,
        );
      }
      bodyOf(list);
    },
  }),
  serverCase({
    id: 'server.portal.api-key-revoked',
    description:
      'A revoked API key is refused with 401 API_UNAUTHENTICATED on the routes it worked on',
    requirements: ['API-007'],
    why: 'Revoking a leaked CI key must stop it at once; a cached or ignored revocation leaves the attacker in.',
    async run(t) {
      const partner = await t.world.partner(t.scope);
      const release = await t.world.sharedRelease(t.scope);
      const created = bodyOf<{ apiKey: { apiKeyId: string }; secret: string }>(
        await t.send({
          method: 'POST',
          path: '/v1/partner/api-keys',
          token: partner.token,
          json: { label: 'certify revoked' },
        }),
        201,
      );
      const path = `/v1/partner/apps/${release.version.app.appId}/versions`;
      expectStatus(await t.send({ path, token: created.secret }), 200);
      expectStatus(
        await t.send({
          method: 'POST',
          path: `/v1/partner/api-keys/${created.apiKey.apiKeyId}/revoke`,
          token: partner.token,
        }),
        200,
      );
      expectStatus(await t.send({ path, token: created.secret }), 401, 'API_UNAUTHENTICATED');
    },
  }),
  serverCase({
    id: 'server.portal.api-key-expired',
    description: 'An API key past its expiresAt is refused with 401 API_UNAUTHENTICATED',
    requirements: ['API-007'],
    why: 'An expiry the server records but never enforces gives a false sense of rotation.',
    timeoutMs: 20_000,
    async run(t) {
      const partner = await t.world.partner(t.scope);
      const release = await t.world.sharedRelease(t.scope);
      const expiresAt = new Date(Date.now() + 3000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const created = bodyOf<{ secret: string }>(
        await t.send({
          method: 'POST',
          path: '/v1/partner/api-keys',
          token: partner.token,
          json: { label: 'certify expiring', expiresAt },
        }),
        201,
      );
      const path = `/v1/partner/apps/${release.version.app.appId}`;
      await new Promise((r) => setTimeout(r, Date.parse(expiresAt) - Date.now() + 1500));
      expectStatus(await t.send({ path, token: created.secret }), 401, 'API_UNAUTHENTICATED');
    },
  }),
];
