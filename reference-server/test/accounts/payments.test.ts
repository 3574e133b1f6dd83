import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  createAccount,
  createPartner,
  issueCredential,
} from '../../src/accounts/credential-issuer.ts';
import { commissionOf } from '../../src/payments/commission.ts';
import { sandboxProvider } from '../../src/payments/payment-provider.ts';
import { defineProduct } from '../../src/payments/product-catalog.ts';
import { assertContract, bearer } from '../contract-assertions.ts';
import { startTestServer, type TestServer } from '../test-server.ts';

describe('commission and the sandbox provider', () => {
  it('rounds the commission half up and never exceeds the amount [API-056]', () => {
    assert.equal(commissionOf(499, 1500), 75);
    assert.equal(commissionOf(10, 500), 1);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 36 }),
        fc.integer({ min: 0, max: 10000 }),
        (a, r) => {
          const c = commissionOf(a, r);
          assert.ok(c >= 0 && c <= a, `commission ${c} is within 0 to the amount ${a}`);
          assert.ok(
            Math.abs(c * 10000 - a * r) <= 5000,
            `commission ${c} is ${r} basis points of ${a}, to half a unit`,
          );
        },
      ),
    );
  });

  it('declines exactly the amounts whose minor units end in 13 [API-057]', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 10_000_000 }), async (minor) => {
        const outcome = await sandboxProvider.authorize({ currency: 'EUR', minor }, 'ord_1');
        assert.equal(outcome.ok, minor % 100 !== 13);
      }),
    );
  });
});

describe('entitlements and payments', () => {
  let server: TestServer;
  let testUser: { token: string; userId: string };
  before(async () => {
    server = await startTestServer();
    const db = server.services.db;
    const testPartner = await createPartner(db, 'Sandbox Labs', undefined, { test: true });
    const realPartner = await createPartner(db, 'Real Shop');
    await db.query("insert into apps (app_id, partner_id) values ('com.test.shop', $1)", [
      testPartner,
    ]);
    await db.query("insert into apps (app_id, partner_id) values ('com.real.shop', $1)", [
      realPartner,
    ]);
    for (const appId of ['com.test.shop', 'com.real.shop']) {
      await defineProduct(db, {
        appId,
        productId: 'premium',
        kind: 'nonConsumable',
        price: { currency: 'EUR', minor: 499 },
      });
      await defineProduct(db, {
        appId,
        productId: 'unlucky',
        kind: 'consumable',
        price: { currency: 'EUR', minor: 1013 },
      });
      await defineProduct(db, {
        appId,
        productId: 'coins',
        kind: 'consumable',
        price: { currency: 'EUR', minor: 100 },
      });
      await defineProduct(db, {
        appId,
        productId: 'monthly',
        kind: 'subscription',
        price: { currency: 'EUR', minor: 299 },
        periodDays: 30,
      });
    }
    testUser = await testHostUser();
  });
  after(() => server.close());

  async function testHostUser(userId = `tester-${randomUUID()}`) {
    const { token } = await issueCredential(server.services.db, {
      kind: 'host_user',
      subject: userId,
      ttlSeconds: 3600,
      test: true,
    });
    return { token, userId };
  }

  const pay = async (token: string, key: string, payload: object) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/payments',
      headers: { ...bearer(token), 'idempotency-key': key },
      payload,
    });
    assertContract('createPayment', response);
    return response;
  };
  const entitlements = async (token: string, appId: string) => {
    const response = await server.app.inject({
      method: 'GET',
      url: `/v1/entitlements/${appId}`,
      headers: bearer(token),
    });
    assertContract('getEntitlements', response);
    return response;
  };
  const premium = { appId: 'com.test.shop', productId: 'premium', provider: 'sandbox' };

  it('captures at the catalog price, records the commission and grants the product [API-055] [API-056]', async () => {
    const user = await testHostUser();
    const response = await pay(user.token, `key-${randomUUID()}`, premium);
    assert.equal(response.statusCode, 201);
    const payment = response.json();
    assert.deepEqual(payment.amount, { currency: 'EUR', minor: 499 });
    assert.deepEqual(payment.commission, { rateBasisPoints: 1500, minor: 75 });
    assert.equal(payment.status, 'captured');
    const owned = (await entitlements(user.token, 'com.test.shop')).json();
    assert.deepEqual(
      owned.entitlements.map((e: { productId: string; kind: string }) => [e.productId, e.kind]),
      [['premium', 'nonConsumable']],
    );
    const read = await server.app.inject({
      method: 'GET',
      url: `/v1/payments/${payment.paymentId}`,
      headers: bearer(user.token),
    });
    assertContract('getPayment', read);
    assert.deepEqual(read.json(), payment);
  });

  it('declines amounts ending in 13 with 402 and grants nothing, even on retry [API-057]', async () => {
    const user = await testHostUser();
    const key = `key-${randomUUID()}`;
    const body = { appId: 'com.test.shop', productId: 'unlucky', provider: 'sandbox' };
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await pay(user.token, key, body);
      assert.equal(response.statusCode, 402);
      assert.equal(response.json().code, 'API_PAYMENT_DECLINED');
    }
    assert.deepEqual((await entitlements(user.token, 'com.test.shop')).json().entitlements, []);
  });

  it('replays the first result for a repeated Idempotency-Key and refuses a different body [API-054]', async () => {
    const user = await testHostUser();
    const key = `key-${randomUUID()}`;
    const coins = { appId: 'com.test.shop', productId: 'coins', provider: 'sandbox' };
    const first = await pay(user.token, key, coins);
    const again = await pay(user.token, key, coins);
    assert.equal(again.statusCode, 201);
    assert.deepEqual(again.json(), first.json());
    const [owned] = (await entitlements(user.token, 'com.test.shop')).json().entitlements;
    assert.equal(owned.quantity, 1);
    const changed = await pay(user.token, key, premium);
    assert.equal(changed.statusCode, 409);
    assert.equal(changed.json().code, 'API_IDEMPOTENCY_CONFLICT');
    const concurrent = await Promise.all(
      [1, 2, 3].map(() => pay(user.token, `key-same-${user.userId}`, coins)),
    );
    assert.equal(new Set(concurrent.map((r) => r.json().paymentId)).size, 1);
    const after = (await entitlements(user.token, 'com.test.shop')).json().entitlements;
    assert.equal(after[0].quantity, 2);
  });

  it('extends a subscription by one period per purchase', async () => {
    const user = await testHostUser();
    const body = { appId: 'com.test.shop', productId: 'monthly', provider: 'sandbox' };
    await pay(user.token, `key-${randomUUID()}`, body);
    const once = Date.parse(
      (await entitlements(user.token, 'com.test.shop')).json().entitlements[0].expiresAt,
    );
    await pay(user.token, `key-${randomUUID()}`, body);
    const twice = Date.parse(
      (await entitlements(user.token, 'com.test.shop')).json().entitlements[0].expiresAt,
    );
    assert.ok(
      Math.abs(twice - once - 30 * 86_400_000) < 5000,
      `a second purchase extends the subscription by 30 days, not ${twice - once} ms`,
    );
  });

  it('refuses the sandbox to a production host and for a production partner’s app [API-058]', async () => {
    const production = await server.hostUser();
    const fromProduction = await pay(production.token, `key-${randomUUID()}`, premium);
    assert.equal(fromProduction.statusCode, 403);
    assert.equal(fromProduction.json().code, 'API_FORBIDDEN');
    const realApp = await pay(testUser.token, `key-${randomUUID()}`, {
      ...premium,
      appId: 'com.real.shop',
    });
    assert.equal(realApp.statusCode, 403);
    assert.deepEqual((await entitlements(testUser.token, 'com.real.shop')).json().entitlements, []);
  });

  it('gives a host the price a payment would charge, and 404 for a product the app does not sell [API-200]', async () => {
    const device = await issueCredential(server.services.db, {
      kind: 'host_device',
      subject: `device-${randomUUID()}`,
    });
    const read = async (token: string, path: string) => {
      const response = await server.app.inject({
        method: 'GET',
        url: path,
        headers: bearer(token),
      });
      assertContract('getProduct', response);
      return response;
    };
    for (const token of [device.token, testUser.token]) {
      const found = await read(token, '/v1/apps/com.test.shop/products/monthly');
      assert.equal(found.statusCode, 200);
      assert.equal(found.headers['cache-control'], 'no-store');
      assert.deepEqual(found.json(), {
        productId: 'monthly',
        kind: 'subscription',
        price: { currency: 'EUR', minor: 299 },
        periodDays: 30,
      });
    }
    const user = await testHostUser();
    const paid = (await pay(user.token, `key-${randomUUID()}`, premium)).json();
    assert.deepEqual(
      (await read(user.token, '/v1/apps/com.test.shop/products/premium')).json().price,
      paid.amount,
    );
    for (const path of [
      '/v1/apps/com.test.shop/products/nope',
      '/v1/apps/org.unknown.app/products/premium',
    ]) {
      const missing = await read(device.token, path);
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().code, 'API_NOT_FOUND');
    }
    const anonymous = await server.app.inject({
      method: 'GET',
      url: '/v1/apps/com.test.shop/products/premium',
    });
    assert.equal(anonymous.statusCode, 401);
  });

  it('answers 404 for unknown products and apps, 400 for unknown providers', async () => {
    const user = await testHostUser();
    const product = await pay(user.token, `key-${randomUUID()}`, { ...premium, productId: 'nope' });
    assert.equal(product.statusCode, 404);
    assert.equal(product.json().code, 'API_NOT_FOUND');
    const provider = await pay(user.token, `key-${randomUUID()}`, {
      ...premium,
      provider: 'stripe',
    });
    assert.equal(provider.statusCode, 400);
    assert.equal(provider.json().code, 'API_VALIDATION_FAILED');
    assert.equal((await entitlements(user.token, 'org.unknown.app')).statusCode, 404);
  });

  it("shows a user neither another user's payment nor entitlements [API-053]", async () => {
    const buyer = await testHostUser();
    const snoop = await testHostUser();
    const payment = (await pay(buyer.token, `key-${randomUUID()}`, premium)).json();
    const read = await server.app.inject({
      method: 'GET',
      url: `/v1/payments/${payment.paymentId}`,
      headers: bearer(snoop.token),
    });
    assertContract('getPayment', read);
    assert.equal(read.statusCode, 404);
    assert.deepEqual((await entitlements(snoop.token, 'com.test.shop')).json().entitlements, []);
  });

  it('refuses an expired host user session and a partner credential [API-007] [API-002]', async () => {
    const user = await testHostUser();
    await server.services.db.query(
      "update credentials set expires_at = now() - interval '1 second' where subject = $1",
      [user.userId],
    );
    const expired = await pay(user.token, `key-${randomUUID()}`, premium);
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().code, 'API_UNAUTHENTICATED');
    const partner = await server.partner();
    const response = await server.app.inject({
      method: 'GET',
      url: '/v1/entitlements/com.test.shop',
      headers: bearer(partner.token),
    });
    assert.equal(response.statusCode, 403);
  });
});

describe('the price list a partner keeps', () => {
  let server: TestServer;
  let owner: string;
  let stranger: string;
  before(async () => {
    server = await startTestServer();
    const db = server.services.db;
    const partnerId = await createPartner(db, 'Priced Goods', undefined, { test: true });
    const accountId = await createAccount(db, {
      role: 'partner',
      name: 'Priced Goods dev',
      partnerId,
    });
    owner = (await issueCredential(db, { kind: 'session', accountId, partnerId, ttlSeconds: 3600 }))
      .token;
    stranger = (await server.partner()).token;
    await db.query("insert into apps (app_id, partner_id) values ('com.priced.goods', $1)", [
      partnerId,
    ]);
  });
  after(() => server.close());

  const put = async (token: string, productId: string, payload: object) => {
    const response = await server.app.inject({
      method: 'PUT',
      url: `/v1/partner/apps/com.priced.goods/products/${productId}`,
      headers: bearer(token),
      payload,
    });
    assertContract('putProduct', response);
    return response;
  };

  it('lets the owner define and list products, and hides them from other partners [API-092]', async () => {
    const defined = await put(owner, 'premium', {
      kind: 'nonConsumable',
      price: { currency: 'EUR', minor: 499 },
    });
    assert.equal(defined.statusCode, 200);
    assert.deepEqual(defined.json(), {
      productId: 'premium',
      kind: 'nonConsumable',
      price: { currency: 'EUR', minor: 499 },
    });
    const list = await server.app.inject({
      method: 'GET',
      url: '/v1/partner/apps/com.priced.goods/products',
      headers: bearer(owner),
    });
    assertContract('listProducts', list);
    assert.deepEqual(
      list.json().items.map((p: { productId: string }) => p.productId),
      ['premium'],
    );
    const foreign = await put(stranger, 'premium', {
      kind: 'nonConsumable',
      price: { currency: 'EUR', minor: 1 },
    });
    assert.equal(foreign.statusCode, 404);
    assert.equal(foreign.json().code, 'API_NOT_FOUND');
    const peek = await server.app.inject({
      method: 'GET',
      url: '/v1/partner/apps/com.priced.goods/products',
      headers: bearer(stranger),
    });
    assert.equal(peek.statusCode, 404);
  });

  it('refuses a subscription without a period and a period on a one-off product', async () => {
    assert.equal(
      (
        await put(owner, 'monthly', {
          kind: 'subscription',
          price: { currency: 'EUR', minor: 299 },
        })
      ).json().code,
      'API_VALIDATION_FAILED',
    );
    assert.equal(
      (
        await put(owner, 'coins', {
          kind: 'consumable',
          price: { currency: 'EUR', minor: 100 },
          periodDays: 30,
        })
      ).json().code,
      'API_VALIDATION_FAILED',
    );
  });

  it('charges the new price after re-pricing and leaves captured payments as they were [API-093]', async () => {
    await put(owner, 'gem', { kind: 'consumable', price: { currency: 'EUR', minor: 200 } });
    const user = await issueCredential(server.services.db, {
      kind: 'host_user',
      subject: `buyer-${randomUUID()}`,
      ttlSeconds: 3600,
      test: true,
    });
    const buy = (key: string) =>
      server.app.inject({
        method: 'POST',
        url: '/v1/payments',
        headers: { ...bearer(user.token), 'idempotency-key': key },
        payload: { appId: 'com.priced.goods', productId: 'gem', provider: 'sandbox' },
      });
    const first = await buy(randomUUID());
    assert.equal(first.statusCode, 201, first.body);
    await put(owner, 'gem', { kind: 'consumable', price: { currency: 'EUR', minor: 350 } });
    const second = await buy(randomUUID());
    assert.equal(second.json().amount.minor, 350);
    const again = await server.app.inject({
      method: 'GET',
      url: `/v1/payments/${first.json().paymentId}`,
      headers: bearer(user.token),
    });
    assert.equal(again.json().amount.minor, 200);
    assert.deepEqual(again.json().commission, first.json().commission);
  });
});
