/**
 * payment.pay against a distribution server that answers like the reference server: the price comes
 * from the server and is shown before anything is charged [BRG-200], unknown products are NOT_FOUND
 * without a sheet [BRG-201], a decline is PAYMENT_DECLINED [BRG-202], one order is charged once [BRG-203].
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBridgeError } from '#sdk/bridge/bridge-error.ts';
import type { HostServices } from '../src/bridge/host-services.ts';
import type { AppContext, CallContext } from '../src/bridge/plugin-registry.ts';
import { commercePlugin } from '../src/bridge/plugins/commerce-plugin.ts';
import {
  DistributionError,
  type Payment,
  type Product,
} from '../src/distribution/distribution-client.ts';
import type { PaymentSheetRequest } from '../src/host/host-ui.ts';

const app = {
  appId: 'dev.openminiapp.examples.shop',
  name: 'Corner Bakery',
  versionCode: 14,
  userId: 'user-1',
  hostApiVersion: '1.2.0',
} as AppContext;

/** A server with a price list; a price ending in 13 minor units is declined, as the sandbox does. */
function world(prices: Record<string, number>) {
  const sheets: PaymentSheetRequest[] = [];
  const charges: { productId: string; key: string; minor: number }[] = [];
  const firstByKey = new Map<string, Payment>();
  let answer = true;
  const product = async (appId: string, productId: string): Promise<Product> => {
    const minor = appId === app.appId ? prices[productId] : undefined;
    if (minor === undefined) throw new DistributionError('API_NOT_FOUND', 404, 'no product');
    return { productId, kind: 'consumable', price: { currency: 'EUR', minor } };
  };
  const services = {
    ui: {
      paymentSheet: async (_app: unknown, request: PaymentSheetRequest) => {
        sheets.push(request);
        return answer;
      },
    },
    distribution: {
      product,
      pay: async (appId: string, productId: string, key: string): Promise<Payment> => {
        const first = firstByKey.get(key);
        if (first) {
          if (first.productId !== productId)
            throw new DistributionError('API_IDEMPOTENCY_CONFLICT', 409, 'another body');
          return first;
        }
        const { price } = await product(appId, productId);
        charges.push({ productId, key, minor: price.minor });
        if (price.minor % 100 === 13)
          throw new DistributionError('API_PAYMENT_DECLINED', 402, 'declined');
        const payment = {
          paymentId: `pay_${charges.length}`,
          appId,
          productId,
          provider: 'sandbox',
          status: 'captured',
          amount: price,
          commission: { rateBasisPoints: 1500, minor: 0 },
          createdAt: '2026-03-01T08:00:00Z',
        } as Payment;
        firstByKey.set(key, payment);
        return payment;
      },
    },
  } as unknown as HostServices;
  const context: CallContext<HostServices> = { app, method: 'payment.pay', services };
  const handler = commercePlugin.methods?.['payment.pay'];
  assert.ok(handler);
  return {
    sheets,
    charges,
    decline: () => (answer = false),
    pay: async (params: { productId: string; orderId?: string }) => {
      try {
        return { result: await handler(params, context) };
      } catch (error) {
        assert.ok(isBridgeError(error), String(error));
        return { code: error.code };
      }
    },
  };
}

describe('payment.pay', () => {
  it('shows and charges the price of the platform catalog, never one of the mini-app [BRG-200] [API-055]', async () => {
    const shop = world({ croissant: 180 });
    assert.deepEqual(await shop.pay({ productId: 'croissant', orderId: 'o-1' }), {
      result: { status: 'paid', transactionId: 'pay_1' },
    });
    assert.deepEqual(shop.sheets, [
      {
        productId: 'croissant',
        kind: 'consumable',
        price: { currency: 'EUR', minor: 180 },
        orderId: 'o-1',
      },
    ]);
    assert.deepEqual(
      shop.charges.map((c) => c.minor),
      [180],
    );
  });

  it('answers NOT_FOUND for a product the app does not sell, with no sheet and no charge [BRG-201]', async () => {
    const shop = world({ croissant: 180 });
    assert.deepEqual(await shop.pay({ productId: 'caviar' }), { code: 'NOT_FOUND' });
    assert.deepEqual([shop.sheets, shop.charges], [[], []]);
  });

  it('answers USER_CANCELLED when the sheet is closed, and charges nothing [BRG-042]', async () => {
    const shop = world({ croissant: 180 });
    shop.decline();
    assert.deepEqual(await shop.pay({ productId: 'croissant' }), { code: 'USER_CANCELLED' });
    assert.deepEqual(shop.charges, []);
  });

  it('answers PAYMENT_DECLINED when the provider declines [BRG-202]', async () => {
    const shop = world({ 'day-old-bread': 113 });
    assert.deepEqual(await shop.pay({ productId: 'day-old-bread', orderId: 'o-2' }), {
      code: 'PAYMENT_DECLINED',
    });
  });

  it('charges one order once however often it is paid, and refuses it for another product [BRG-203]', async () => {
    const shop = world({ croissant: 180, eclair: 320 });
    const first = await shop.pay({ productId: 'croissant', orderId: 'o-3' });
    const again = await shop.pay({ productId: 'croissant', orderId: 'o-3' });
    assert.deepEqual(again, first);
    assert.equal(shop.charges.length, 1);
    assert.deepEqual(await shop.pay({ productId: 'eclair', orderId: 'o-3' }), {
      code: 'INVALID_PARAMS',
    });
    // Without an order id every call is a purchase of its own.
    await shop.pay({ productId: 'croissant' });
    await shop.pay({ productId: 'croissant' });
    assert.equal(shop.charges.length, 3);
  });
});
