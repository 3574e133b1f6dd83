import type { VegetaResult } from '../vegeta/vegeta-engine.ts';

/**
 * What one measured window of an attack gives: latencies by the nearest-rank method over every
 * request of the window (the smallest value that at least p % of the samples do not exceed, as
 * spec/budgets.md computes percentiles), the error count and the status codes.
 */
export interface LatencySummary {
  samples: number;
  /** Requests that failed: a transport error, a timeout, or a status the scenario does not expect. */
  errors: number;
  statusCodes: Record<string, number>;
  /** Distinct error texts, at most ten. */
  errorTexts: string[];
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** Requests per second actually sent in the window. */
  rate: number;
  /** Successful requests per second. */
  throughput: number;
  windowSeconds: number;
}

/** The nearest-rank percentile of ascending `sorted` values; NaN when there are none. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${String(p)} is outside (0, 100]`);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

const nsPerMs = 1_000_000;

/** Milliseconds with three decimals (microsecond precision), so reports stay readable. */
function ms(ns: number): number {
  return Math.round((ns / nsPerMs) * 1000) / 1000;
}

/**
 * The results whose request left at or after `warmupSeconds` from the first request of the attack:
 * the warm-up is driven at the same rate but not measured.
 */
export function measuredWindow(
  results: readonly VegetaResult[],
  warmupSeconds: number,
): VegetaResult[] {
  if (results.length === 0) return [];
  let first = Infinity;
  for (const r of results) first = Math.min(first, Date.parse(r.timestamp));
  const from = first + warmupSeconds * 1000;
  return results.filter((r) => Date.parse(r.timestamp) >= from);
}

/**
 * Summarises results. `expected` says which status codes are a success for the scenario (a 304 where
 * a 200 was due is an error too); anything else, and every transport error, counts as an error.
 */
export function summarise(
  results: readonly VegetaResult[],
  expected: readonly number[],
): LatencySummary {
  const latencies = Float64Array.from(results.map((r) => r.latency)).sort();
  const statusCodes: Record<string, number> = {};
  const errorTexts = new Set<string>();
  let errors = 0;
  let firstSent = Infinity;
  let lastSent = -Infinity;
  let lastDone = -Infinity;
  for (const r of results) {
    const sent = Date.parse(r.timestamp);
    firstSent = Math.min(firstSent, sent);
    lastSent = Math.max(lastSent, sent);
    lastDone = Math.max(lastDone, sent + r.latency / nsPerMs);
    statusCodes[String(r.code)] = (statusCodes[String(r.code)] ?? 0) + 1;
    const failed = r.error !== '' || !expected.includes(r.code);
    if (failed) {
      errors += 1;
      if (errorTexts.size < 10)
        errorTexts.add(r.error || `status ${String(r.code)} (expected ${expected.join(' or ')})`);
    }
  }
  const windowMs = results.length > 1 ? lastSent - firstSent : results.length ? 1000 : 0;
  const spanMs = results.length ? lastDone - firstSent : 0;
  const total = latencies.reduce((sum, v) => sum + v, 0);
  return {
    samples: results.length,
    errors,
    statusCodes,
    errorTexts: [...errorTexts],
    p50Ms: ms(nearestRank(latencies, 50)),
    p90Ms: ms(nearestRank(latencies, 90)),
    p95Ms: ms(nearestRank(latencies, 95)),
    p99Ms: ms(nearestRank(latencies, 99)),
    maxMs: ms(latencies.length ? (latencies[latencies.length - 1] as number) : Number.NaN),
    meanMs: ms(results.length ? total / results.length : Number.NaN),
    rate: windowMs > 0 ? Math.round((results.length / (windowMs / 1000)) * 100) / 100 : 0,
    throughput:
      spanMs > 0 ? Math.round(((results.length - errors) / (spanMs / 1000)) * 100) / 100 : 0,
    windowSeconds: Math.round(windowMs) / 1000,
  };
}
