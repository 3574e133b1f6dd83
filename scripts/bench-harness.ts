import { performance } from 'node:perf_hooks';

/** One measured operation. */
export interface Measured {
  name: string;
  run(): Promise<unknown> | unknown;
  /** Untimed work before each operation (for example, emptying a cache a cold start needs empty). */
  prepare?(): Promise<unknown> | unknown;
}

/** A subject measured beside a baseline doing comparable work, so their ratio means something. */
export interface Comparison {
  name: string;
  /** What one operation processes, for throughput (e.g. bytes of a package). */
  unitsPerOp?: { amount: number; unit: string };
  subject: Measured;
  baseline: Measured;
  /** Operations per sample (a sample times this many back-to-back operations). */
  opsPerSample?: number;
  samples?: number;
}

export interface BenchmarkModule {
  comparisons(): Promise<Comparison[]>;
  teardown?(): Promise<void>;
}

export interface Stats {
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
}

export interface ComparisonResult {
  name: string;
  subject: { name: string } & Stats;
  baseline: { name: string } & Stats;
  /** subject median / baseline median: above 1 means the subject is slower. */
  ratio: number;
  throughput?: { subject: string; baseline: string };
  samples: number;
}

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return (sorted[low] ?? 0) + ((sorted[high] ?? 0) - (sorted[low] ?? 0)) * (at - low);
}

function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    medianMs: quantile(sorted, 0.5),
    p10Ms: quantile(sorted, 0.1),
    p90Ms: quantile(sorted, 0.9),
  };
}

async function sample(measured: Measured, ops: number): Promise<number> {
  if (!measured.prepare) {
    const start = performance.now();
    for (let i = 0; i < ops; i++) await measured.run();
    return (performance.now() - start) / ops;
  }
  let total = 0;
  for (let i = 0; i < ops; i++) {
    await measured.prepare();
    const start = performance.now();
    await measured.run();
    total += performance.now() - start;
  }
  return total / ops;
}

function rate(amount: number, unit: string, ms: number): string {
  const perSecond = (amount * 1000) / ms;
  if (unit === 'bytes') return `${(perSecond / (1024 * 1024)).toFixed(1)} MiB/s`;
  return `${perSecond.toFixed(0)} ${unit}/s`;
}

/** Warms both up, then alternates baseline and subject samples and reports medians. */
export async function runComparison(
  comparison: Comparison,
  samplesOverride?: number,
): Promise<ComparisonResult> {
  const ops = comparison.opsPerSample ?? 1;
  const samples = samplesOverride ?? comparison.samples ?? 15;
  for (let i = 0; i < 3; i++) {
    await sample(comparison.baseline, ops);
    await sample(comparison.subject, ops);
  }
  const base: number[] = [];
  const subject: number[] = [];
  for (let i = 0; i < samples; i++) {
    // Alternate the order so neither side always runs on a warmer cache.
    if (i % 2 === 0) {
      base.push(await sample(comparison.baseline, ops));
      subject.push(await sample(comparison.subject, ops));
    } else {
      subject.push(await sample(comparison.subject, ops));
      base.push(await sample(comparison.baseline, ops));
    }
  }
  const s = stats(subject);
  const b = stats(base);
  const units = comparison.unitsPerOp;
  return {
    name: comparison.name,
    subject: { name: comparison.subject.name, ...s },
    baseline: { name: comparison.baseline.name, ...b },
    ratio: s.medianMs / b.medianMs,
    ...(units
      ? {
          throughput: {
            subject: rate(units.amount, units.unit, s.medianMs),
            baseline: rate(units.amount, units.unit, b.medianMs),
          },
        }
      : {}),
    samples,
  };
}

const ms = (value: number): string =>
  value < 1 ? `${(value * 1000).toFixed(0)} µs` : `${value.toFixed(2)} ms`;

export function formatTable(results: ComparisonResult[]): string {
  const rows = results.map((r) =>
    [
      r.name,
      `${r.subject.name}: ${ms(r.subject.medianMs)} (p10 ${ms(r.subject.p10Ms)}, p90 ${ms(r.subject.p90Ms)})${r.throughput ? `, ${r.throughput.subject}` : ''}`,
      `${r.baseline.name}: ${ms(r.baseline.medianMs)} (p10 ${ms(r.baseline.p10Ms)}, p90 ${ms(r.baseline.p90Ms)})${r.throughput ? `, ${r.throughput.baseline}` : ''}`,
      `${r.ratio.toFixed(2)}x (p90 ${(r.subject.p90Ms / r.baseline.p90Ms).toFixed(2)}x)`,
    ].join(' | '),
  );
  return [
    '| benchmark | subject (median) | baseline (median) | ratio |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}
