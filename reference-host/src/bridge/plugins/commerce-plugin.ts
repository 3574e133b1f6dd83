/**
 * payment.* through the server's payments API and the host's payment sheet. A mini-app names a
 * product of its price list, never a price: the host reads the price from the distribution server
 * [API-200], shows it in its own sheet [BRG-200], and only a confirmed sheet is charged, at the
 * catalog's price [API-055]. One order of the partner is charged at most once [BRG-203].
 */
import { BridgeError } from '#sdk/bridge/bridge-error.ts';
import { DistributionError, type Product } from '../../distribution/distribution-client.ts';
import type { HostServices } from '../host-services.ts';
import type { HostPlugin } from '../plugin-registry.ts';

/** [BRG-203] the same user, app and order always give the same key, so a retry is never a new charge. */
async function idempotencyKey(appId: string, orderId: string, userId: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    'SHA-256',
    new TextEncoder().encode(`${userId}\u0000${appId}\u0000${orderId}`),
  );
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function notSold(appId: string, productId: string): BridgeError {
  return new BridgeError('NOT_FOUND', `${appId} sells no product ${productId}.`);
}

export const commercePlugin: HostPlugin<HostServices> = {
  name: 'commerce',
  methods: {
    'payment.pay': async (p, { app, services }) => {
      let product: Product;
      try {
        // [BRG-200] the price comes from the platform's catalog, never from the mini-app.
        product = await services.distribution.product(app.appId, p.productId);
      } catch (error) {
        // [BRG-201] nothing is shown or charged for a product the app does not sell.
        if (error instanceof DistributionError && error.status === 404)
          throw notSold(app.appId, p.productId);
        throw error;
      }
      const confirmed = await services.ui.paymentSheet(app, {
        productId: product.productId,
        kind: product.kind,
        price: product.price,
        ...(product.periodDays === undefined ? {} : { periodDays: product.periodDays }),
        ...(p.orderId === undefined ? {} : { orderId: p.orderId }),
      });
      // [BRG-042] a closed sheet is never a payment.
      if (!confirmed) throw new BridgeError('USER_CANCELLED', 'The user closed the payment sheet.');
      const key =
        p.orderId === undefined
          ? crypto.randomUUID()
          : await idempotencyKey(app.appId, p.orderId, app.userId);
      try {
        const payment = await services.distribution.pay(app.appId, product.productId, key);
        return {
          status: payment.status === 'captured' ? 'paid' : 'pending',
          transactionId: payment.paymentId,
        };
      } catch (error) {
        if (!(error instanceof DistributionError)) throw error;
        if (error.status === 404) throw notSold(app.appId, p.productId);
        // [BRG-202] a declined payment has a code of its own and is never a result.
        if (error.code === 'API_PAYMENT_DECLINED')
          throw new BridgeError(
            'PAYMENT_DECLINED',
            'The payment was declined; nothing was charged.',
          );
        // [BRG-203] the order was paid for another product: it is not charged again.
        if (error.code === 'API_IDEMPOTENCY_CONFLICT') {
          throw new BridgeError(
            'INVALID_PARAMS',
            `Order ${p.orderId ?? ''} was already paid for another product.`,
            { pointer: '/orderId' },
          );
        }
        throw error;
      }
    },
    'payment.checkEntitlement': async (p, { app, services }) => {
      const { entitlements } = await services.distribution.entitlements(app.appId);
      const found = entitlements.find((e) => e.productId === p.productId);
      if (!found) {
        // [BRG-043] a product the app does not sell is NOT_FOUND, not "not entitled".
        try {
          await services.distribution.product(app.appId, p.productId);
        } catch (error) {
          if (error instanceof DistributionError && error.status === 404)
            throw notSold(app.appId, p.productId);
          throw error;
        }
      }
      return found
        ? { entitled: true, ...(found.expiresAt ? { expiresAt: found.expiresAt } : {}) }
        : { entitled: false };
    },
  },
};
