/** An amount of money in the minor units of its currency. */
export interface Money {
  currency: string;
  minor: number;
}

/** A provider step either succeeds with the provider's reference or is declined with a reason. */
export type ProviderOutcome = { ok: true; reference: string } | { ok: false; reason: string };

/**
 * The payment-provider interface of spec/distribution.md (Entitlements and payments): a platform plugs
 * in its acquirer by implementing these three steps. `reference` is the platform's own order id, so a
 * provider can deduplicate retries of the same order.
 */
export interface PaymentProvider {
  /** The name a payment request selects the provider by. */
  readonly name: string;
  /** True for providers that move no money; only test principals may use them [API-058]. */
  readonly testMode: boolean;
  authorize(amount: Money, reference: string, providerToken?: string): Promise<ProviderOutcome>;
  capture(authorization: string): Promise<ProviderOutcome>;
  refund(capture: string, amount: Money): Promise<ProviderOutcome>;
}

/**
 * The `sandbox` provider every server ships [API-057]: it approves every amount whose minor units do
 * not end in 13 and declines those that do, so both paths can be tested without money.
 */
export const sandboxProvider: PaymentProvider = {
  name: 'sandbox',
  testMode: true,
  async authorize(amount, reference) {
    if (amount.minor % 100 === 13) {
      return { ok: false, reason: 'the sandbox declines amounts whose minor units end in 13' };
    }
    return { ok: true, reference: `sbx_auth_${reference}` };
  },
  async capture(authorization) {
    return { ok: true, reference: authorization.replace(/^sbx_auth_/, 'sbx_cap_') };
  },
  async refund(capture) {
    return { ok: true, reference: capture.replace(/^sbx_cap_/, 'sbx_ref_') };
  },
};
