/** The platform's default commission, in basis points (15 %). */
export const defaultCommissionBasisPoints = 1500;

/**
 * The commission of an amount in minor units [API-056]: rate × amount / 10 000, rounded half up to a
 * whole minor unit, computed in integers so no floating-point drift can creep in.
 */
export function commissionOf(amountMinor: number, rateBasisPoints: number): number {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) {
    throw new RangeError('amount must be a non-negative safe integer');
  }
  if (!Number.isInteger(rateBasisPoints) || rateBasisPoints < 0 || rateBasisPoints > 10000) {
    throw new RangeError('rate must be an integer from 0 to 10000 basis points');
  }
  const scaled = BigInt(amountMinor) * BigInt(rateBasisPoints);
  return Number((scaled + 5000n) / 10000n);
}
