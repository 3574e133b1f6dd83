/**
 * payment.* through the server's payments API and the host's payment sheet. The bridge names an order
 * with an amount; the server sells products of its own price list [API-055], so the order id is the
 * product id, and the user confirms the amount in a sheet the host draws before anything is charged.
 */
import { BridgeError } from '#sdk/bridge/bridge-error.ts';
import { DistributionError } from '../../distribution/distribution-client.ts';
import type { HostServices } from '../host-services.ts';
import type { HostPlugin } from '../plugin-registry.ts';

async function idempotencyKey(appId: string, orderId: string, userId: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    'SHA-256',
    new TextEncoder().encode(`${userId}\u0000${appId}\u0000${orderId}`),
  );
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export const commercePlugin: HostPlugin<HostServices> = {
  name: 'commerce',
  methods: {
    'payment.pay': async (p, { app, services }) => {
      const confirmed = await services.ui.paymentSheet(app, p);
      // [BRG-042] a closed sheet is never a payment.
      if (!confirmed) throw new BridgeError('USER_CANCELLED', 'The user closed the payment sheet.');
      try {
        // [API-054] one order, one payment, however often the app retries.
        const payment = await services.distribution.pay(
          app.appId,
          p.orderId,
          await idempotencyKey(app.appId, p.orderId, app.userId),
        );
        return {
          status: payment.status === 'captured' ? 'paid' : 'pending',
          transactionId: payment.paymentId,
        };
      } catch (error) {
        if (error instanceof DistributionError && error.status === 404) {
          throw new BridgeError('NOT_FOUND', `No product ${p.orderId} is for sale in this app.`);
        }
        if (error instanceof DistributionError && error.code === 'API_PAYMENT_DECLINED') {
          throw new BridgeError('HOST_ERROR', 'The payment was declined.', { reason: 'declined' });
        }
        throw error;
      }
    },
    'payment.checkEntitlement': async (p, { app, services }) => {
      const { entitlements } = await services.distribution.entitlements(app.appId);
      const found = entitlements.find((e) => e.productId === p.productId);
      return found
        ? { entitled: true, ...(found.expiresAt ? { expiresAt: found.expiresAt } : {}) }
        : { entitled: false };
    },
  },
};
