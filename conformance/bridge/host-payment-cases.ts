import { CaseFailure, pass } from '../framework/index.ts';
import { hostCase } from '../host/host-case.ts';
import type { BridgeResponse, HostSession } from '../host/host-session.ts';
import { expectError, expectSuccess, launchProbe, reasonFor } from './host-bridge-support.ts';

/**
 * payment.pay (spec/bridge.md, Payments): the mini-app names a product, never a price; the host
 * reads the price from its distribution server (the suite's, whose GET /v1/apps/{appId}/products/
 * {productId} answers as API-200 says), shows it in its payment sheet before anything is charged,
 * and charges through POST /v1/payments, which the suite records as the provider's charges (one per
 * distinct Idempotency-Key, API-054). A product whose price ends in 13 minor units is declined by
 * the suite's provider (402 API_PAYMENT_DECLINED).
 */

const probeId = 'dev.openminiapp.conformance.probe';

/** A price no host would show by accident: 43.21 in a currency named by its code. */
const catalog = [
  { productId: 'gems-100', minor: 4321, currency: 'CHF', kind: 'consumable' as const },
  { productId: 'gems-500', minor: 9876, currency: 'CHF', kind: 'consumable' as const },
  { productId: 'declined-1', minor: 513, currency: 'CHF', kind: 'consumable' as const },
];

interface SheetRun {
  response: BridgeResponse;
  /** The text of the sheet when it was first seen, before it was answered. */
  sheetText?: string;
  /** Charges recorded by the suite's provider when the sheet was first seen. */
  chargesAtSheet?: number;
  screens: string[];
}

async function payApp(s: HostSession): Promise<string> {
  s.server.products.set(probeId, catalog);
  const { appId } = await launchProbe(s, { permissions: { payment: reasonFor('payment') } });
  return appId;
}

/**
 * Starts payment.pay and answers what it opens: a permission prompt is granted, the sheet is read
 * (text and charges so far) and answered with `decision`. Ends when no screen is shown any more.
 */
async function pay(
  s: HostSession,
  appId: string,
  params: Record<string, string>,
  decision: 'grant' | 'deny' = 'grant',
): Promise<SheetRun> {
  const id = await s.startCall(appId, 'payment.pay', params);
  const run: Omit<SheetRun, 'response'> = { screens: [] };
  for (let i = 0; i < 3; i++) {
    const deadline = Date.now() + 4_000;
    let shown: { name: string; text: string } | undefined;
    while (!shown && Date.now() < deadline) {
      shown = (await s.screens()).find((x) => x.name === 'sheet' || x.name === 'permissionPrompt');
      if (!shown) {
        const early = await s.probe<BridgeResponse | null>(
          appId,
          '(p, id) => p.response(id, 0)',
          id,
        );
        if (early) break;
        await new Promise((r) => setTimeout(r, 150));
      }
    }
    if (!shown) break;
    run.screens.push(shown.name);
    if (shown.name === 'sheet' && run.sheetText === undefined) {
      run.sheetText = shown.text;
      run.chargesAtSheet = s.server.charges.length;
    }
    const answer = await s.raw('answerPrompt', {
      decision: shown.name === 'sheet' ? decision : 'grant',
      timeoutMs: 5_000,
    });
    if (!answer.ok) break;
  }
  const response = await s.awaitResponse(appId, id, 20_000);
  s.note(
    `payment.pay(${JSON.stringify(params)}) -> screens [${run.screens.join(', ')}], ${
      response.timedOut ? 'no answer' : response.ok ? 'ok' : `error ${response.error?.code}`
    }; charges ${s.server.charges.length}`,
  );
  return { response, ...run };
}

/** True when the sheet's text shows 43.21 (any decimal mark or grouping) and the currency CHF. */
function showsPrice(text: string, minor: number, currency: string): boolean {
  const units = Math.floor(minor / 100);
  const cents = String(minor % 100).padStart(2, '0');
  const amount = new RegExp(`(^|[^0-9])${units}[.,\u00a0\u202f ]?${cents}([^0-9]|$)`);
  return amount.test(text) && text.includes(currency);
}

export const hostPaymentCases = [
  hostCase({
    id: 'host.payments.price-from-catalog',
    description:
      "A host shows the amount and currency of the distribution server's product in its payment sheet before it charges anything, and charges that price",
    requirements: ['BRG-200'],
    why: 'A mini-app names a product, never a price: only the catalog price, shown to the user before the charge, protects the user from a mini-app that lies.',
    async run(s) {
      const appId = await payApp(s);
      const [product] = catalog;
      if (!product) throw new Error('empty catalog');
      const run = await pay(s, appId, { productId: product.productId });
      if (run.sheetText === undefined)
        throw new CaseFailure('payment.pay of a product the app sells showed no payment sheet');
      if (run.chargesAtSheet !== 0)
        throw new CaseFailure('the user was charged before the payment sheet was shown');
      if (!showsPrice(run.sheetText, product.minor, product.currency)) {
        throw new CaseFailure(
          `the payment sheet does not show the catalog price ${product.minor / 100} ${product.currency}`,
          [run.sheetText.slice(0, 300)],
        );
      }
      expectSuccess('payment.pay', run.response, 'a confirmed payment');
      const charges = s.server.charges.filter((c) => c.appId === probeId);
      if (charges.length !== 1)
        throw new CaseFailure(`a confirmed payment made ${charges.length} charges, expected 1`);
      const [charge] = charges;
      if (charge?.productId !== product.productId)
        throw new CaseFailure(`the host charged ${charge?.productId}, not ${product.productId}`);
      return pass(`sheet showed ${product.minor / 100} ${product.currency}; one charge`);
    },
  }),
  hostCase({
    id: 'host.payments.unknown-product',
    description:
      'A host answers NOT_FOUND to payment.pay of a product the app does not sell, with no payment sheet and no charge',
    requirements: ['BRG-201'],
    why: 'A product missing from the catalog has no price to show; asking the user to pay for it would be a sheet without a price.',
    async run(s) {
      const appId = await payApp(s);
      const run = await pay(s, appId, { productId: 'not-for-sale' });
      if (run.sheetText !== undefined)
        throw new CaseFailure(
          'the host showed a payment sheet for a product the app does not sell',
        );
      expectError(run.response, 'NOT_FOUND', 'payment.pay of a product the app does not sell');
      if (s.server.charges.length > 0) throw new CaseFailure('the host charged the user');
      return pass();
    },
  }),
  hostCase({
    id: 'host.payments.declined',
    description:
      'A host answers PAYMENT_DECLINED, never a result, when the payment provider declines the payment',
    requirements: ['BRG-202'],
    why: 'A declined payment took no money; a result would let the mini-app deliver goods nobody paid for.',
    async run(s) {
      const appId = await payApp(s);
      const run = await pay(s, appId, { productId: 'declined-1' });
      if (run.sheetText === undefined)
        throw new CaseFailure('payment.pay of a product the app sells showed no payment sheet');
      expectError(run.response, 'PAYMENT_DECLINED', 'a payment the provider declined');
      return pass();
    },
  }),
  hostCase({
    id: 'host.payments.order-charged-once',
    description:
      'A host charges one order once: a second payment.pay with the same orderId answers the first payment, and one naming another product answers INVALID_PARAMS',
    requirements: ['BRG-203'],
    why: 'Mini-apps retry after a lost answer or a reload; the same order must never take the money twice.',
    timeoutMs: 120_000,
    async run(s) {
      const appId = await payApp(s);
      const [first, other] = catalog;
      if (!first || !other) throw new Error('catalog too short');
      const orderId = 'order-7.retry';
      const a = await pay(s, appId, { productId: first.productId, orderId });
      const resultA = expectSuccess(
        'payment.pay',
        a.response,
        'the first payment of the order',
      ) as {
        transactionId: string;
      };
      const b = await pay(s, appId, { productId: first.productId, orderId });
      const resultB = expectSuccess('payment.pay', b.response, 'the same order again') as {
        transactionId: string;
      };
      const charged = () => s.server.charges.filter((c) => c.appId === probeId).length;
      if (charged() !== 1)
        throw new CaseFailure(`two payments of order ${orderId} made ${charged()} charges`);
      if (resultB.transactionId !== resultA.transactionId) {
        throw new CaseFailure(
          `the second payment of the order answered transaction ${resultB.transactionId}, not the first payment's ${resultA.transactionId}`,
        );
      }
      const c = await pay(s, appId, { productId: other.productId, orderId });
      expectError(c.response, 'INVALID_PARAMS', 'the same order for another product');
      if (charged() !== 1)
        throw new CaseFailure(`the order was charged again for ${other.productId}`);
      return pass('one charge for three calls of the same order');
    },
  }),
];
