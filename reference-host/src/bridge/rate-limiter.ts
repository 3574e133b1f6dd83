/**
 * Token buckets per mini-app and method [BRG-022]: a burst is allowed, a sustained flood of calls is
 * answered RATE_LIMITED without executing anything, so one abusive page cannot monopolise the host.
 */
export interface RateLimit {
  /** Calls allowed at once. */
  burst: number;
  /** Calls regained per second. */
  perSecond: number;
}

export const defaultRateLimit: RateLimit = { burst: 200, perSecond: 100 };

export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: RateLimit = defaultRateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one token for `key`; false when the bucket is empty. */
  take(key: string): boolean {
    const now = this.now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    bucket.tokens = Math.min(
      this.limit.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond,
    );
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.#buckets.set(key, bucket);
      return false;
    }
    bucket.tokens -= 1;
    this.#buckets.set(key, bucket);
    return true;
  }

  forget(prefix: string): void {
    for (const key of [...this.#buckets.keys()])
      if (key.startsWith(prefix)) this.#buckets.delete(key);
  }
}
