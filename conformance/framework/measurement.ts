import type { CaseVerdict } from './conformance-case.ts';

/** The load a server budget was measured under (spec/budgets.md, "Server"). */
export interface MeasuredLoad {
  /** Arrivals per second of the open-model load. */
  requestsPerSecond: number;
  /** Seconds of load counted, after the warm-up. */
  durationSeconds: number;
  warmupSeconds: number;
}

/** What a case of a time budget states in the report [CNF-061]. */
export interface Measurement {
  /** Number of samples the percentile was computed over. */
  samples: number;
  /** The percentile the budget names (90 for host starts, 99 for server latency). */
  percentile: number;
  /** The value reached at that percentile. */
  value: number;
  /** The budget's limit, in the same unit. */
  budget: number;
  unit: 'ms';
  /** Server budgets only: the load applied while sampling. */
  load?: MeasuredLoad;
}

/**
 * The nearest-rank percentile of spec/budgets.md: the smallest sample that at least `p` % of the
 * samples do not exceed. Throws on an empty list or a percentile outside 0 < p <= 100.
 */
export function nearestRank(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('no samples to take a percentile of');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside (0, 100]`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)] as number;
}

/** What a timed case hands to {@link budgetVerdict}: its raw samples and the budget they face. */
export interface TimedSamples {
  /** What was timed, for the reason line (`cold start`, `POST /v1/updates/check`). */
  what: string;
  samples: readonly number[];
  percentile: number;
  budget: number;
  unit?: 'ms';
  load?: MeasuredLoad;
}

/**
 * The verdict of a case of a time budget: pass when the nearest-rank percentile is within the
 * budget, fail otherwise, with the measurement attached either way so that the report states the
 * samples, the percentile, the value and the budget [CNF-061].
 */
export function budgetVerdict(timed: TimedSamples): CaseVerdict {
  const value = nearestRank(timed.samples, timed.percentile);
  const measurement: Measurement = {
    samples: timed.samples.length,
    percentile: timed.percentile,
    value: Math.round(value * 1000) / 1000,
    budget: timed.budget,
    unit: timed.unit ?? 'ms',
    ...(timed.load ? { load: timed.load } : {}),
  };
  const figure = `${timed.what}: p${timed.percentile} ${measurement.value} ${measurement.unit} over ${measurement.samples} samples, budget ${timed.budget} ${measurement.unit}`;
  return value <= timed.budget
    ? { status: 'pass', note: figure, measurement }
    : { status: 'fail', reason: figure, measurement };
}
