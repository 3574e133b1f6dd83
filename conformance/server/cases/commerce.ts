import { CaseFailure } from '../../framework/index.ts';
import { decodeJwt, verifyJwt } from '../crypto/json-web-token.ts';
import { privateMembers } from '../crypto/jwk-key.ts';
import { bodyOf, expectStatus, serverCase, type ServerTest } from '../server-case.ts';
import { jsonOf } from '../subject/http-exchange.ts';
import type { TestApp } from '../subject/test-world.ts';

interface Payment {
  paymentId: string;
  amount: { currency: string; minor: number };
  commission: { rateBasisPoints: number; minor: number };
  status: string;
}

/** Two released apps of partner `a` that declare userInfo and location, with priced products. */
function commerceApps(t: ServerTest): Promise<{ app: TestApp; other: TestApp }> {
  return t.world.once('commerce-apps', async () => {
    const permissions = { userInfo: 'To greet you by name.', location: 'To find shops near you.' };
    const apps: TestApp[] = [];
    for (const label of ['shop', 'shop']) {
      const app = await t.world.freshApp(t.scope, label);
      await t.world.release(
        t.scope,
        await t.world.approvedVersion(t.scope, app, { versionCode: 1, permissions }),
      );
      apps.push(app);
    }
    const [app, other] = apps as [TestApp, TestApp];
    for (const [productId, minor] of [
      ['gems', 499],
      ['declined', 1013],
      ['repriced', 250],
    ] as const) {
      expectStatus(
        await t.send({
          method: 'PUT',
          path: `/v1/partner/apps/${app.appId}/products/${productId}`,
          token: app.partner.token,
          json: {
            kind: productId === 'gems' ? 'consumable' : 'nonConsumable',
            price: { currency: 'EUR', minor },
          },
        }),
        [200, 201],
      );
    }
    return { app, other };
  });
}

function pay(t: ServerTest, token: string, key: string, body: Record<string, unknown>) {
  return t.send({
    method: 'POST',
    path: '/v1/payments',
    token,
    headers: { 'idempotency-key': key },
    json: body,
  });
}

async function entitlements(t: ServerTest, token: string, appId: string): Promise<string[]> {
  const body = bodyOf<{ entitlements: { productId: string }[] }>(
    await t.send({ path: `/v1/entitlements/${appId}`, token }),
  );
  return body.entitlements.map((e) => e.productId);
}

async function token(t: ServerTest, user: string, appId: string, scopes: string[]) {
  return t.send({ method: 'POST', path: '/v1/tokens/app', token: user, json: { appId, scopes } });
}

export const commerceCases = [
  serverCase({
    id: 'server.tokens.claims-and-signature',
    description:
      'An app token is a JWT signed with EdDSA or ES256 by a JWKS key named in kid, with aud the app id, iss the platform, scope within the manifest and exp at most 900 s after iat',
    requirements: ['API-059', 'STO-015'],
    why: 'A mini-app backend trusts these claims; a token for another audience, a broader scope or a long life is a key to more than the user granted.',
    async run(t) {
      const { app } = await commerceApps(t);
      const user = await t.world.user(t.scope);
      const jwks = bodyOf<{ keys: Record<string, unknown>[] }>(
        await t.send({ path: '/.well-known/jwks.json' }),
      );
      for (const scopes of [[], ['userInfo'], ['userInfo', 'location']]) {
        const issued = bodyOf<{ accessToken: string; expiresIn: number; scopes: string[] }>(
          await token(t, user.credential, app.appId, scopes),
          201,
        );
        const jwt = decodeJwt(issued.accessToken);
        if (!jwt) throw new CaseFailure('the accessToken is not a compact JWS of JSON');
        const problem = await verifyJwt(jwt, jwks.keys);
        if (problem) throw new CaseFailure(problem);
        const c = jwt.claims;
        if (c.aud !== app.appId)
          throw new CaseFailure(`aud is ${JSON.stringify(c.aud)}, not ${app.appId}`);
        if (c.iss !== t.subject.issuer.replace(/\/$/, ''))
          throw new CaseFailure(
            `iss is ${JSON.stringify(c.iss)}, not the platform URL ${t.subject.issuer}`,
          );
        if (
          typeof c.iat !== 'number' ||
          typeof c.exp !== 'number' ||
          c.exp <= c.iat ||
          c.exp - c.iat > 900
        ) {
          throw new CaseFailure(
            `iat ${String(c.iat)} and exp ${String(c.exp)} do not give a life of 1 to 900 s`,
          );
        }
        if (c.exp * 1000 < Date.now()) throw new CaseFailure('the token has already expired');
        if (typeof c.sub !== 'string' || c.sub === '')
          throw new CaseFailure('the token has no sub');
        const granted =
          typeof c.scope === 'string'
            ? c.scope.split(' ').filter(Boolean)
            : Array.isArray(c.scope)
              ? (c.scope as string[])
              : null;
        if (!granted)
          throw new CaseFailure(`the scope claim ${JSON.stringify(c.scope)} is missing`);
        const outside = granted.filter((s) => !['userInfo', 'location'].includes(s));
        if (outside.length > 0)
          throw new CaseFailure(`scope ${outside.join(', ')} is not declared by the manifest`);
        if (c.scope !== scopes.join(' ')) {
          throw new CaseFailure(
            `scope is ${JSON.stringify(c.scope)}, not the requested scopes joined by spaces in request order (${JSON.stringify(scopes.join(' '))})`,
          );
        }
      }
    },
  }),
  serverCase({
    id: 'server.tokens.pairwise-subject',
    description:
      'The sub of app tokens is the same for one user and app, and differs between apps and between users',
    requirements: ['API-060'],
    why: "A global user id lets two mini-apps join their data behind the user's back.",
    async run(t) {
      const { app, other } = await commerceApps(t);
      const user = await t.world.user(t.scope);
      const sub = async (u: string, appId: string) => {
        const issued = bodyOf<{ accessToken: string }>(await token(t, u, appId, []), 201);
        return decodeJwt(issued.accessToken)?.claims.sub;
      };
      const a1 = await sub(user.credential, app.appId);
      const a2 = await sub(user.credential, app.appId);
      const b = await sub(user.credential, other.appId);
      if (a1 !== a2) throw new CaseFailure('two tokens of one user for one app have different sub');
      if (a1 === b) throw new CaseFailure(`one user has the same sub ${String(a1)} in two apps`);
      if (t.world.principals.complete) {
        const second = await t.world.user(t.scope, 'second');
        if ((await sub(second.credential, app.appId)) === a1)
          throw new CaseFailure('two users have the same sub in one app');
      }
    },
  }),
  serverCase({
    id: 'server.tokens.undeclared-scope',
    description:
      "A token request for a scope the manifest of the app's newest approved version does not declare is refused with 403 API_SCOPE_NOT_ALLOWED, also when a newer version in review declares it",
    requirements: ['API-061'],
    why: "Scopes are what the partner declared and the user saw; granting an undeclared one escalates the mini-app's access.",
    async run(t) {
      const { app } = await commerceApps(t);
      const user = await t.world.user(t.scope);
      for (const scopes of [['camera'], ['userInfo', 'contacts']]) {
        expectStatus(
          await token(t, user.credential, app.appId, scopes),
          403,
          'API_SCOPE_NOT_ALLOWED',
        );
      }
      // Only the newest *approved* manifest counts: a newer version that adds a permission and is
      // still in review (or was refused) must not widen tokens before a reviewer approved it.
      const widened = await t.world.freshApp(t.scope, 'scope');
      await t.world.release(
        t.scope,
        await t.world.approvedVersion(t.scope, widened, {
          versionCode: 1,
          permissions: { userInfo: 'To greet you by name.' },
        }),
      );
      const pending = await t.world.prepareVersion(widened, {
        versionCode: 2,
        permissions: { userInfo: 'To greet you by name.', location: 'To find shops near you.' },
      });
      expectStatus(await t.world.upload(t.scope, widened, pending), [200, 201]);
      const version = await t.world.settledVersion(t.scope, widened, 2);
      if (version.reviewStatus !== 'approved') {
        expectStatus(
          await token(t, user.credential, widened.appId, ['location']),
          403,
          'API_SCOPE_NOT_ALLOWED',
        );
      }
      bodyOf(await token(t, user.credential, widened.appId, ['userInfo']), 201);
    },
  }),
  serverCase({
    id: 'server.tokens.jwks-public-only',
    description:
      'The JWKS lists public keys only, each with a kid, and includes the key of every token the run was issued',
    requirements: ['API-062'],
    why: 'A private member in a public key set hands out the signing key; a missing key makes valid tokens unverifiable.',
    async run(t) {
      const { app } = await commerceApps(t);
      const user = await t.world.user(t.scope);
      const issued = bodyOf<{ accessToken: string }>(
        await token(t, user.credential, app.appId, []),
        201,
      );
      const kid = decodeJwt(issued.accessToken)?.header.kid;
      const jwks = bodyOf<{ keys: Record<string, unknown>[] }>(
        await t.send({ path: '/.well-known/jwks.json' }),
      );
      for (const key of jwks.keys) {
        const leaked = privateMembers.filter((m) => m in key);
        if (leaked.length > 0)
          throw new CaseFailure(`key ${String(key.kid)} carries ${leaked.join(', ')}`);
        if (typeof key.kid !== 'string' || key.kid === '')
          throw new CaseFailure('a key has no kid');
      }
      if (!jwks.keys.some((k) => k.kid === kid))
        throw new CaseFailure(`the key ${String(kid)} of a fresh token is not listed`);
    },
  }),
  serverCase({
    id: 'server.payments.capture-and-entitlement',
    description:
      'A sandbox payment is captured at the catalog price with a consistent commission, grants its entitlement in its app only, and is idempotent by Idempotency-Key',
    requirements: ['API-054', 'API-055', 'API-056', 'API-053'],
    why: "Charging a request's price, charging twice on a retry, or taking money without granting the product are the classic payment faults.",
    async run(t) {
      // Payments need a test user buying from a test partner [API-058].
      t.world.skipUnlessComplete();
      const { app, other } = await commerceApps(t);
      const user = await t.world.user(t.scope);
      const key = `certify-${t.subject.runId}-gems-0001`;
      const body = { appId: app.appId, productId: 'gems', provider: 'sandbox' };
      const first = await pay(t, user.credential, key, body);
      const payment = bodyOf<Payment>(first, 201);
      if (payment.amount.minor !== 499 || payment.amount.currency !== 'EUR')
        throw new CaseFailure(`captured ${JSON.stringify(payment.amount)}, the price is EUR 499`);
      if (payment.status !== 'captured') throw new CaseFailure(`status ${payment.status}`);
      const exact = (payment.amount.minor * payment.commission.rateBasisPoints) / 10_000;
      if (Math.abs(payment.commission.minor - exact) >= 1)
        throw new CaseFailure(
          `commission ${payment.commission.minor} is not ${payment.commission.rateBasisPoints} bp of ${payment.amount.minor}`,
        );
      if (!(await entitlements(t, user.credential, app.appId)).includes('gems'))
        throw new CaseFailure('the captured payment granted no entitlement');
      // [API-053] entitlements are per app: the same user's other app lists none of this app's products.
      const elsewhere = await entitlements(t, user.credential, other.appId);
      if (elsewhere.length > 0)
        throw new CaseFailure(
          `GET /v1/entitlements/${other.appId} lists ${elsewhere.join(', ')}, bought in another app`,
        );
      const again = await pay(t, user.credential, key, body);
      expectStatus(again, [200, 201]);
      if (JSON.stringify(jsonOf<Payment>(again)) !== JSON.stringify(payment)) {
        throw new CaseFailure(
          `a repeated Idempotency-Key with the same body answered ${JSON.stringify(jsonOf(again))}, not the first result`,
        );
      }
      if (jsonOf<Payment>(again)?.paymentId !== payment.paymentId)
        throw new CaseFailure(
          'a repeated Idempotency-Key with the same body made a second payment',
        );
      expectStatus(
        await pay(t, user.credential, key, { ...body, productId: 'repriced' }),
        409,
        'API_IDEMPOTENCY_CONFLICT',
      );
      const forged = await pay(t, user.credential, `${key}-forged`, {
        ...body,
        amount: { currency: 'EUR', minor: 1 },
      });
      if (forged.status < 400 && jsonOf<Payment>(forged)?.amount.minor !== 499)
        throw new CaseFailure('a price in the request was charged');
      expectStatus(
        await t.send({ path: `/v1/payments/${payment.paymentId}`, token: user.credential }),
        200,
      );
      if (t.world.principals.complete) {
        const second = await t.world.user(t.scope, 'second');
        if ((await entitlements(t, second.credential, app.appId)).includes('gems'))
          throw new CaseFailure('another user sees the entitlement');
        expectStatus(
          await t.send({ path: `/v1/payments/${payment.paymentId}`, token: second.credential }),
          404,
          'API_NOT_FOUND',
        );
      }
    },
  }),
  serverCase({
    id: 'server.payments.declined',
    description:
      'A payment the sandbox provider declines is answered 402 API_PAYMENT_DECLINED and grants nothing',
    requirements: ['API-057'],
    why: 'An entitlement granted on a declined payment is free product for anyone whose card fails.',
    async run(t) {
      // Payments need a test user buying from a test partner [API-058].
      t.world.skipUnlessComplete();
      const { app } = await commerceApps(t);
      const user = await t.world.user(t.scope);
      expectStatus(
        await pay(t, user.credential, `certify-${t.subject.runId}-declined`, {
          appId: app.appId,
          productId: 'declined',
          provider: 'sandbox',
        }),
        402,
        'API_PAYMENT_DECLINED',
      );
      if ((await entitlements(t, user.credential, app.appId)).includes('declined'))
        throw new CaseFailure('the declined payment granted its product');
    },
  }),
  serverCase({
    id: 'server.payments.product-price',
    description:
      "A product's price is answered to host devices and users exactly as a payment created then charges it, follows a re-pricing at once, and an unknown product or another app's product is 404 API_NOT_FOUND",
    requirements: ['API-200'],
    why: 'The host shows this price in its payment sheet before the user confirms; a stale or wrong price makes the user agree to one amount and pay another.',
    async run(t) {
      t.world.skipUnlessComplete();
      const { app, other } = await commerceApps(t);
      const device = await t.world.device(t.scope);
      const user = await t.world.user(t.scope);
      const productId = 'price-lookup';
      const put = async (json: Record<string, unknown>) =>
        expectStatus(
          await t.send({
            method: 'PUT',
            path: `/v1/partner/apps/${app.appId}/products/${productId}`,
            token: app.partner.token,
            json,
          }),
          [200, 201],
        );
      const lookup = (token: string, appId = app.appId, product = productId) =>
        t.send({ path: `/v1/apps/${appId}/products/${product}`, token });
      const expectPrice = async (expected: Record<string, unknown>) => {
        for (const [who, token] of [
          ['a host device', device.token],
          ['a host user', user.credential],
        ] as const) {
          const body = bodyOf<Record<string, unknown>>(await lookup(token));
          for (const [member, value] of Object.entries(expected)) {
            if (JSON.stringify(body[member]) !== JSON.stringify(value))
              throw new CaseFailure(
                `${who} was answered ${member} ${JSON.stringify(body[member])}, the product has ${JSON.stringify(value)}`,
              );
          }
        }
      };
      await put({ kind: 'consumable', price: { currency: 'EUR', minor: 321 } });
      await expectPrice({ productId, kind: 'consumable', price: { currency: 'EUR', minor: 321 } });
      const payment = bodyOf<Payment>(
        await pay(t, user.credential, `certify-${t.subject.runId}-price-lookup`, {
          appId: app.appId,
          productId,
          provider: 'sandbox',
        }),
        201,
      );
      if (JSON.stringify(payment.amount) !== JSON.stringify({ currency: 'EUR', minor: 321 }))
        throw new CaseFailure(
          `the answered price was EUR 321, the payment charged ${JSON.stringify(payment.amount)}`,
        );
      await put({
        kind: 'subscription',
        periodDays: 30,
        price: { currency: 'USD', minor: 777 },
      });
      await expectPrice({
        productId,
        kind: 'subscription',
        periodDays: 30,
        price: { currency: 'USD', minor: 777 },
      });
      expectStatus(await lookup(device.token, app.appId, 'never-sold'), 404, 'API_NOT_FOUND');
      expectStatus(await lookup(user.credential, other.appId, productId), 404, 'API_NOT_FOUND');
    },
  }),
  serverCase({
    id: 'server.payments.repricing-keeps-captures',
    description:
      'Re-pricing a product changes neither the amount nor the commission of a payment captured before',
    requirements: ['API-093'],
    why: 'Receipts and payouts must match what the user was charged; a payment that follows the current price rewrites history.',
    async run(t) {
      // Payments need a test user buying from a test partner [API-058].
      t.world.skipUnlessComplete();
      const { app } = await commerceApps(t);
      const user = await t.world.user(t.scope);
      const payment = bodyOf<Payment>(
        await pay(t, user.credential, `certify-${t.subject.runId}-repriced`, {
          appId: app.appId,
          productId: 'repriced',
          provider: 'sandbox',
        }),
        201,
      );
      expectStatus(
        await t.send({
          method: 'PUT',
          path: `/v1/partner/apps/${app.appId}/products/repriced`,
          token: app.partner.token,
          json: { kind: 'nonConsumable', price: { currency: 'USD', minor: 9900 } },
        }),
        [200, 201],
      );
      const after = bodyOf<Payment>(
        await t.send({ path: `/v1/payments/${payment.paymentId}`, token: user.credential }),
      );
      if (
        JSON.stringify(after.amount) !== JSON.stringify(payment.amount) ||
        JSON.stringify(after.commission) !== JSON.stringify(payment.commission)
      ) {
        throw new CaseFailure(
          `the payment changed from ${JSON.stringify(payment)} to ${JSON.stringify(after)}`,
        );
      }
    },
  }),
  serverCase({
    id: 'server.payments.sandbox-test-principals-only',
    description:
      'A user that is not a test principal cannot pay with the sandbox provider and gains nothing',
    requirements: ['API-058', 'API-154'],
    why: 'A sandbox open to real users is free product for everyone.',
    async run(t) {
      t.world.skipUnlessComplete();
      const { app } = await commerceApps(t);
      const real = await t.world.user(t.scope, 'real', false);
      const exchange = await pay(t, real.credential, `certify-${t.subject.runId}-real`, {
        appId: app.appId,
        productId: 'gems',
        provider: 'sandbox',
      });
      if (exchange.status < 400 || exchange.status >= 500)
        throw new CaseFailure(`a non-test user paid with the sandbox: ${exchange.status}`);
      if ((await entitlements(t, real.credential, app.appId)).includes('gems'))
        throw new CaseFailure('the non-test user was granted the product');
    },
  }),
];
