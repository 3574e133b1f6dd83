import { Given, Then, When } from '@cucumber/cucumber';
import { CaseFailure } from '../../conformance/framework/index.ts';
import { bodyOf, expectStatus } from '../../conformance/server/server-case.ts';
import { jsonOf } from '../../conformance/server/subject/http-exchange.ts';
import type { Principal } from '../../conformance/server/subject/test-principals.ts';
import type { PlatformWorld } from '../support/platform-world.ts';

/** Steps of payments and entitlements: the sandbox provider declines amounts ending in 13. */

interface Payment {
  paymentId: string;
  amount: { currency: string; minor: number };
  commission: { rateBasisPoints: number; minor: number };
  status: string;
}

function principal(w: PlatformWorld, which: string): Principal {
  const p = w.noted.get(which) as Principal | undefined;
  if (!p) throw new Error(`the scenario has no ${which}`);
  return p;
}

function putProduct(
  w: PlatformWorld,
  token: string,
  productId: string,
  minor: number,
  currency: string,
) {
  const appId = w.requireHistory().app.appId;
  return w.send({
    method: 'PUT',
    path: `/v1/partner/apps/${appId}/products/${productId}`,
    token,
    json: { kind: 'nonConsumable', price: { currency, minor } },
  });
}

Given(
  'the app sells the product {string} at {int} {word}',
  async function (this: PlatformWorld, productId: string, minor: number, currency: string) {
    expectStatus(
      await putProduct(this, this.requireHistory().app.partner.token, productId, minor, currency),
      [200, 201],
    );
  },
);

Given('a user of the host who is not a test principal', async function (this: PlatformWorld) {
  this.noted.set('user', await this.world.user(this.scope, 'real', false));
});

async function buy(w: PlatformWorld, productId: string, key: string, extra: object = {}) {
  const body = { appId: w.requireHistory().app.appId, productId, provider: 'sandbox', ...extra };
  w.noted.set('purchase', { key, body });
  w.last = await w.send({
    method: 'POST',
    path: '/v1/payments',
    token: principal(w, 'user').credential,
    // Keys carry the run id and app id, so reruns against one server never collide.
    headers: { 'idempotency-key': `${w.requireHistory().app.appId}-${key}` },
    json: body,
  });
}

When(
  'the user buys {string} with the sandbox provider under the idempotency key {string}',
  async function (this: PlatformWorld, productId: string, key: string) {
    await buy(this, productId, key);
    if (this.last?.status === 201) this.noted.set('payment', jsonOf<Payment>(this.last));
  },
);

When(
  'the user buys {string} sending a price of {int} {word} in the request',
  async function (this: PlatformWorld, productId: string, minor: number, currency: string) {
    await buy(this, productId, 'forged', { amount: { currency, minor } });
  },
);

When('the user repeats the same purchase with the same key', async function (this: PlatformWorld) {
  const { key, body } = this.noted.get('purchase') as { key: string; body: { productId: string } };
  await buy(this, body.productId, key);
});

When(
  'the user sends the same key for the product {string}',
  async function (this: PlatformWorld, productId: string) {
    const { key } = this.noted.get('purchase') as { key: string };
    await buy(this, productId, key);
  },
);

Then(
  'the payment is captured at {int} {word}, with the platform commission recorded',
  function (this: PlatformWorld, minor: number, currency: string) {
    const payment = bodyOf<Payment>(this.last as never, 201);
    if (
      payment.status !== 'captured' ||
      payment.amount.minor !== minor ||
      payment.amount.currency !== currency
    )
      throw new CaseFailure(`the payment reads ${JSON.stringify(payment)}`);
    const exact = (payment.amount.minor * payment.commission.rateBasisPoints) / 10_000;
    if (Math.abs(payment.commission.minor - exact) >= 1)
      throw new CaseFailure(
        `commission ${payment.commission.minor} is not ${payment.commission.rateBasisPoints} bp of ${payment.amount.minor}`,
      );
  },
);

Then(
  'the server answers with the first payment, and no second payment is made',
  function (this: PlatformWorld) {
    const first = this.noted.get('payment') as Payment;
    expectStatus(this.last as never, [200, 201]);
    if (JSON.stringify(jsonOf(this.last as never)) !== JSON.stringify(first))
      throw new CaseFailure(`the repeat answered ${JSON.stringify(jsonOf(this.last as never))}`);
  },
);

Then(
  'the user is charged the catalog price of {int} {word}, or the purchase is refused',
  function (this: PlatformWorld, minor: number, currency: string) {
    const exchange = this.last;
    if (!exchange) throw new Error('no purchase was made');
    if (exchange.status >= 400 && exchange.status < 500) return;
    const payment = bodyOf<Payment>(exchange, 201);
    if (payment.amount.minor !== minor || payment.amount.currency !== currency)
      throw new CaseFailure(`the request's price was charged: ${JSON.stringify(payment.amount)}`);
  },
);

async function entitlements(w: PlatformWorld, who: Principal): Promise<string[]> {
  const body = bodyOf<{ entitlements: { productId: string }[] }>(
    await w.send({
      path: `/v1/entitlements/${w.requireHistory().app.appId}`,
      token: who.credential,
    }),
  );
  return body.entitlements.map((e) => e.productId);
}

Then(
  "the user's entitlements in the app list {string}",
  async function (this: PlatformWorld, productId: string) {
    if (!(await entitlements(this, principal(this, 'user'))).includes(productId))
      throw new CaseFailure(`the entitlements do not list ${productId}`);
  },
);

Then(
  "the user's entitlements in the app do not list {string}",
  async function (this: PlatformWorld, productId: string) {
    if ((await entitlements(this, principal(this, 'user'))).includes(productId))
      throw new CaseFailure(`the entitlements list ${productId}`);
  },
);

Then(
  "the other user's entitlements in the app do not list {string}",
  async function (this: PlatformWorld, productId: string) {
    if ((await entitlements(this, principal(this, 'second user'))).includes(productId))
      throw new CaseFailure(`another user's entitlements list ${productId}`);
  },
);

Then('the purchase is refused', function (this: PlatformWorld) {
  const status = this.last?.status ?? 0;
  if (status < 400 || status >= 500) throw new CaseFailure(`the purchase answered ${status}`);
});

When(
  'the partner re-prices {string} to {int} {word}',
  async function (this: PlatformWorld, productId: string, minor: number, currency: string) {
    expectStatus(
      await putProduct(this, this.requireHistory().app.partner.token, productId, minor, currency),
      [200, 201],
    );
  },
);

When(
  'another partner tries to re-price {string} to {int} {word}',
  async function (this: PlatformWorld, productId: string, minor: number, currency: string) {
    const other = await this.world.partner(this.scope, 'b');
    this.last = await putProduct(this, other.token, productId, minor, currency);
  },
);

Then(
  'the captured payment still reads its original amount and commission',
  async function (this: PlatformWorld) {
    const first = this.noted.get('payment') as Payment;
    const after = bodyOf<Payment>(
      await this.send({
        path: `/v1/payments/${first.paymentId}`,
        token: principal(this, 'user').credential,
      }),
    );
    if (
      JSON.stringify(after.amount) !== JSON.stringify(first.amount) ||
      JSON.stringify(after.commission) !== JSON.stringify(first.commission)
    )
      throw new CaseFailure(
        `the payment changed from ${JSON.stringify(first)} to ${JSON.stringify(after)}`,
      );
  },
);
