import path from 'node:path';
import { measuredWindow, summarise, type LatencySummary } from '../measure/latency-summary.ts';
import { writeTargets } from '../scenarios/target-streams.ts';
import {
  attack,
  plot,
  readResults,
  type VegetaResult,
  type VegetaTarget,
} from '../vegeta/vegeta-engine.ts';

/**
 * How load is applied over time. `steady` is the measurement of spec/budgets.md: a constant rate for
 * the warm-up and the measured window. `spike` keeps the warm-up at the base rate and runs the measured
 * window as a third at the base rate, a third at four times it and a third back at the base rate,
 * judged against the same budgets (stricter than the spec asks). `soak` is `steady` over a long window
 * (30 minutes unless --duration says otherwise), with the p99 of each minute in the evidence.
 */
export type LoadProfile = 'steady' | 'spike' | 'soak';
export const loadProfiles: readonly LoadProfile[] = ['steady', 'spike', 'soak'];

/** How long and how hard every scenario runs. */
export interface LoadTiming {
  profile: LoadProfile;
  warmupSeconds: number;
  durationSeconds: number;
  /** Multiplies every scenario's rate; 1 gives the rates of spec/budgets.md. */
  rateScale: number;
}

interface Phase {
  rate: number;
  seconds: number;
}

/** The phases of one attack of a scenario whose base rate is `rate` requests per second. */
export function phases(timing: LoadTiming, rate: number): Phase[] {
  const base = Math.max(1, Math.round(rate * timing.rateScale));
  if (timing.profile !== 'spike')
    return [{ rate: base, seconds: timing.warmupSeconds + timing.durationSeconds }];
  const third = timing.durationSeconds / 3;
  return [
    { rate: base, seconds: timing.warmupSeconds + third },
    { rate: base * 4, seconds: third },
    { rate: base, seconds: third },
  ];
}

/** What one side (the server or the nginx baseline) gave in one scenario. */
export interface SideMeasurement {
  summary: LatencySummary;
  resultFiles: string[];
  /** p99 of each whole minute of the measured window (soak). */
  minuteP99Ms: number[];
}

function minuteP99(results: readonly VegetaResult[], expected: readonly number[]): number[] {
  if (results.length === 0) return [];
  const first = Math.min(...results.map((r) => Date.parse(r.timestamp)));
  const minutes = new Map<number, VegetaResult[]>();
  for (const r of results) {
    const minute = Math.floor((Date.parse(r.timestamp) - first) / 60_000);
    minutes.set(minute, [...(minutes.get(minute) ?? []), r]);
  }
  return [...minutes.entries()]
    .filter(([, list]) => list.length >= 100)
    .sort(([a], [b]) => a - b)
    .map(([, list]) => summarise(list, expected).p99Ms);
}

/** Runs the phases of one side of a scenario and summarises its measured window. */
export async function measureSide(options: {
  bin: string;
  workDir: string;
  name: string;
  targets: readonly VegetaTarget[];
  rate: number;
  timing: LoadTiming;
  expected: readonly number[];
  signal?: AbortSignal;
}): Promise<SideMeasurement> {
  const targetsFile = path.join(options.workDir, `${options.name}.targets.jsonl`);
  await writeTargets(targetsFile, options.targets);
  const resultFiles: string[] = [];
  const planned = phases(options.timing, options.rate);
  for (const [i, phase] of planned.entries()) {
    const resultsFile = path.join(options.workDir, `${options.name}.${String(i)}.bin`);
    await attack(
      options.bin,
      {
        // vegeta plots one series per attack name and needs its sequence numbers to rise: one name
        // per phase, so a spike shows as its own series.
        name:
          planned.length === 1
            ? options.name
            : `${options.name} ${String(i + 1)}/${String(planned.length)} at ${String(phase.rate)}/s`,
        targetsFile,
        rate: phase.rate,
        durationSeconds: phase.seconds,
        resultsFile,
      },
      options.signal ? { signal: options.signal } : {},
    );
    resultFiles.push(resultsFile);
  }
  const window = measuredWindow(
    await readResults(options.bin, resultFiles),
    options.timing.warmupSeconds,
  );
  return {
    summary: summarise(window, options.expected),
    resultFiles,
    minuteP99Ms: options.timing.profile === 'soak' ? minuteP99(window, options.expected) : [],
  };
}

/** As fast as `workers` connections allow for `seconds`: the most a side can serve (closed model). */
export async function measureThroughput(options: {
  bin: string;
  workDir: string;
  name: string;
  targets: readonly VegetaTarget[];
  seconds: number;
  workers: number;
  expected: readonly number[];
}): Promise<LatencySummary> {
  const targetsFile = path.join(options.workDir, `${options.name}.targets.jsonl`);
  await writeTargets(targetsFile, options.targets);
  const resultsFile = path.join(options.workDir, `${options.name}.bin`);
  await attack(options.bin, {
    name: options.name,
    targetsFile,
    rate: 0,
    maxWorkers: options.workers,
    durationSeconds: options.seconds,
    resultsFile,
  });
  return summarise(await readResults(options.bin, [resultsFile]), options.expected);
}

/** vegeta's HTML latency plot of every result file given, one series per attack name. */
export async function plotScenario(
  bin: string,
  workDir: string,
  name: string,
  files: readonly string[],
): Promise<string> {
  const output = path.join(workDir, `${name}.plot.html`);
  await plot(bin, files, `${name}: latency of every request`, output);
  return output;
}

/** `a / b` with three significant decimals; NaN when b is 0. */
export function ratio(a: number, b: number): number {
  return b === 0 ? Number.NaN : Math.round((a / b) * 1000) / 1000;
}

/** One line of evidence for a summary. */
export function describe(label: string, s: LatencySummary): string {
  return (
    `${label}: ${String(s.samples)} requests at ${String(s.rate)}/s over ${String(s.windowSeconds)} s, ` +
    `p50 ${String(s.p50Ms)} ms, p90 ${String(s.p90Ms)} ms, p99 ${String(s.p99Ms)} ms, max ${String(s.maxMs)} ms, ` +
    `${String(s.errors)} errors, statuses ${JSON.stringify(s.statusCodes)}` +
    (s.errorTexts.length ? `, first errors: ${s.errorTexts.slice(0, 3).join(' | ')}` : '')
  );
}
