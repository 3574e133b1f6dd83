import path from 'node:path';
import {
  defineCase,
  fail,
  pass,
  skip,
  type CaseVerdict,
  type ConformanceCase,
} from '../../conformance/framework/index.ts';
import type { LoadDataset } from '../dataset/load-dataset.ts';
import type { LatencySummary } from '../measure/latency-summary.ts';
import {
  bundleTargets,
  catalogTargets,
  rangeTargets,
  trustPaths,
  trustTargets,
  updateCheckTargets,
  uploadTargets,
} from '../scenarios/target-streams.ts';
import type { VegetaTarget } from '../vegeta/vegeta-engine.ts';
import {
  describe,
  measureSide,
  measureThroughput,
  plotScenario,
  ratio,
  type LoadTiming,
  type SideMeasurement,
} from './scenario-measurement.ts';

/** The p99 budgets of spec/budgets.md ("Server"), in milliseconds, by requirement id. */
export const specBudgets = { 'BUD-010': 100, 'BUD-011': 50 } as const;
export type BudgetId = keyof typeof specBudgets;

/** Rates of spec/budgets.md, and of the scenarios the spec gives no rate (requests per second). */
export const scenarioRates = {
  updateCheck: 200,
  bundle: 50,
  range: 50,
  catalog: 50,
  trust: 50,
  uploads: 2,
} as const;

/** Everything a load case needs: the server, its data set, vegeta, the baseline and the timing. */
export interface LoadSession {
  url: string;
  bin: string;
  dataset: LoadDataset;
  timing: LoadTiming;
  budgets: Record<BudgetId, number>;
  workDir: string;
  /** nginx serving the same bundle and trust bytes, on loopback; absent with --no-baseline. */
  baselineUrl?: string;
  /** Seconds of each closed-model throughput comparison with the baseline. */
  throughputSeconds: number;
  /** Figures for the report's target details (medians, ratios), filled as cases run. */
  figures: Record<string, number | string>;
  /** Plots written, by scenario. */
  plots: string[];
  /** Results of the background uploads sent during the update-check storm. */
  uploads?: SideMeasurement;
  progress(line: string): void;
}

type Case = ConformanceCase<LoadSession>;

function record(session: LoadSession, prefix: string, s: LatencySummary): void {
  session.figures[`${prefix}.p50Ms`] = s.p50Ms;
  session.figures[`${prefix}.p99Ms`] = s.p99Ms;
  session.figures[`${prefix}.rate`] = s.rate;
  session.figures[`${prefix}.errors`] = s.errors;
}

function recordRatios(
  session: LoadSession,
  name: string,
  server: LatencySummary,
  nginx: LatencySummary,
): string {
  const p50 = ratio(server.p50Ms, nginx.p50Ms);
  const p99 = ratio(server.p99Ms, nginx.p99Ms);
  session.figures[`${name}.p50RatioToNginx`] = p50;
  session.figures[`${name}.p99RatioToNginx`] = p99;
  return `server / nginx in the same run: p50 x${String(p50)}, p99 x${String(p99)}`;
}

/**
 * Runs one scenario against the server (and the same requests against nginx when given), plots both,
 * and judges: zero errors, and the p99 within `budgetMs` when the scenario has a budget.
 */
async function scenario(
  session: LoadSession,
  options: {
    name: string;
    rate: number;
    expected: readonly number[];
    targets: (baseUrl: string) => VegetaTarget[] | Promise<VegetaTarget[]>;
    baseline?: boolean;
    budget?: { id: BudgetId; what: string };
    note: (line: string) => void;
    signal: AbortSignal;
    during?: () => Promise<void>;
  },
): Promise<CaseVerdict> {
  const { name } = options;
  session.progress(`load: ${name} at ${String(options.rate * session.timing.rateScale)}/s`);
  const [server] = await Promise.all([
    measureSide({
      bin: session.bin,
      workDir: session.workDir,
      name,
      targets: await options.targets(session.url),
      rate: options.rate,
      timing: session.timing,
      expected: options.expected,
      signal: options.signal,
    }),
    options.during?.(),
  ]);
  const files = [...server.resultFiles];
  const evidence = [describe('server', server.summary)];
  record(session, name, server.summary);
  if (server.minuteP99Ms.length)
    evidence.push(`p99 per minute (ms): ${server.minuteP99Ms.join(', ')}`);
  if (options.baseline && session.baselineUrl) {
    const nginx = await measureSide({
      bin: session.bin,
      workDir: session.workDir,
      name: `${name}-nginx`,
      targets: await options.targets(session.baselineUrl),
      rate: options.rate,
      timing: session.timing,
      expected: options.expected,
      signal: options.signal,
    });
    files.push(...nginx.resultFiles);
    record(session, `${name}.nginx`, nginx.summary);
    evidence.push(describe('nginx baseline', nginx.summary));
    evidence.push(recordRatios(session, name, server.summary, nginx.summary));
  }
  const plotFile = await plotScenario(session.bin, session.workDir, name, files);
  session.plots.push(plotFile);
  // Relative to the reports, which sit one folder above vegeta's files.
  evidence.push(`latency plot: ${path.relative(path.dirname(session.workDir), plotFile)}`);
  for (const line of evidence) options.note(line);

  const s = server.summary;
  if (s.samples === 0) return fail(`${name}: no request completed in the measured window`);
  if (s.errors > 0)
    return fail(
      `${name}: ${String(s.errors)} of ${String(s.samples)} requests failed under load (the error budget is 0): ${s.errorTexts[0] ?? ''}`,
    );
  if (options.budget) {
    const limit = session.budgets[options.budget.id];
    const changed = limit === specBudgets[options.budget.id] ? '' : ' (overridden by --budget)';
    if (s.p99Ms > limit)
      return fail(
        `${options.budget.what} took ${String(s.p99Ms)} ms at the 99th percentile, over the budget of ${String(limit)} ms${changed}`,
      );
    return pass(
      `${options.budget.what}: p99 ${String(s.p99Ms)} ms within ${String(limit)} ms${changed}, 0 errors in ${String(s.samples)} requests`,
    );
  }
  return pass(`${name}: 0 errors in ${String(s.samples)} requests, p99 ${String(s.p99Ms)} ms`);
}

const updateCheck: Case = defineCase({
  id: 'server.load.update-check-p99',
  description:
    'Batch update checks of 20 apps from many devices are answered within the p99 budget under a constant load, with no error.',
  requirements: ['BUD-010'],
  level: 'MUST',
  class: 'server',
  lane: 'certify',
  why: 'A storm of update checks at 200 per second (open model, so a slow answer cannot hold back the requests that follow it) exposes a server whose check grows with the catalog or serialises on its store; a partner upload stream runs in the background.',
  async run({ subject: session, note, signal }) {
    const count = Math.max(500, session.dataset.devices.length);
    return scenario(session, {
      name: 'update-check',
      rate: scenarioRates.updateCheck,
      expected: [200],
      targets: (url) => updateCheckTargets(url, session.dataset, { count }),
      budget: { id: 'BUD-010', what: 'POST /v1/updates/check with 20 apps' },
      note,
      signal,
      during: async () => {
        const uploads = Math.ceil(
          scenarioRates.uploads *
            session.timing.rateScale *
            (session.timing.warmupSeconds + session.timing.durationSeconds),
        );
        session.uploads = await measureSide({
          bin: session.bin,
          workDir: session.workDir,
          name: 'uploads',
          targets: await uploadTargets(session.url, session.dataset, {
            count: Math.max(1, uploads),
          }),
          rate: scenarioRates.uploads,
          timing: session.timing,
          expected: [200, 201],
          signal,
        });
      },
    });
  },
});

const bundle: Case = defineCase({
  id: 'server.load.bundle-first-byte-p99',
  description:
    'Downloads of the 2 MiB reference bundle are served within the p99 budget under a constant load, with no error.',
  requirements: ['BUD-011'],
  level: 'MUST',
  class: 'server',
  lane: 'certify',
  why: 'vegeta times each request to the last byte of its body, an upper bound of the first byte the budget names: a pass proves the budget, and a server that buffers or re-hashes bundles per request misses it.',
  async run({ subject: session, note, signal }) {
    const verdict = await scenario(session, {
      name: 'bundle',
      rate: scenarioRates.bundle,
      expected: [200],
      targets: (url) => bundleTargets(url, session.dataset.bundle.path),
      baseline: true,
      budget: { id: 'BUD-011', what: 'GET of the 2 MiB reference bundle (to its last byte)' },
      note,
      signal,
    });
    if (session.baselineUrl && session.throughputSeconds > 0) {
      const measure = (name: string, url: string) =>
        measureThroughput({
          bin: session.bin,
          workDir: session.workDir,
          name,
          targets: bundleTargets(url, session.dataset.bundle.path),
          seconds: session.throughputSeconds,
          workers: 4,
          expected: [200],
        });
      const server = await measure('bundle-throughput', session.url);
      const nginx = await measure('bundle-throughput-nginx', session.baselineUrl);
      session.figures['bundle.throughput.rps'] = server.throughput;
      session.figures['bundle.throughput.nginx.rps'] = nginx.throughput;
      session.figures['bundle.throughput.ratioToNginx'] = ratio(
        server.throughput,
        nginx.throughput,
      );
      session.figures['bundle.throughput.p50Ms'] = server.p50Ms;
      session.figures['bundle.throughput.nginx.p50Ms'] = nginx.p50Ms;
      note(
        `throughput, 4 connections as fast as answered for ${String(session.throughputSeconds)} s: server ${String(server.throughput)}/s (p50 ${String(server.p50Ms)} ms), ` +
          `nginx ${String(nginx.throughput)}/s (p50 ${String(nginx.p50Ms)} ms), ratio ${String(ratio(server.throughput, nginx.throughput))}`,
      );
    }
    return verdict;
  },
});

const ranges: Case = defineCase({
  id: 'server.load.bundle-ranges',
  description:
    'Single-range requests of a bundle are answered 206 under a constant load, with no error.',
  requirements: ['API-044'],
  level: 'MUST',
  class: 'server',
  lane: 'certify',
  why: 'Hosts resume cut downloads with Range; a server that answers a range with the whole body, or fails under concurrent ranged reads of one file, shows it here.',
  async run({ subject: session, note, signal }) {
    return scenario(session, {
      name: 'bundle-range',
      rate: scenarioRates.range,
      expected: [206],
      targets: (url) =>
        rangeTargets(url, session.dataset.bundle.path, session.dataset.bundle.length, {
          count: 200,
        }),
      baseline: true,
      note,
      signal,
    });
  },
});

const catalog: Case = defineCase({
  id: 'server.load.catalog-search',
  description:
    'Catalog searches with words, categories, limits and locales are answered 200 under a constant load.',
  requirements: ['API-048'],
  level: 'MUST',
  class: 'server',
  lane: 'certify',
  why: 'Search is the catalog query that scans the most rows; a server that times out or fails pages under load shows it here.',
  async run({ subject: session, note, signal }) {
    return scenario(session, {
      name: 'catalog-search',
      rate: scenarioRates.catalog,
      expected: [200],
      targets: (url) => catalogTargets(url, session.dataset, { count: 300 }),
      note,
      signal,
    });
  },
});

const trust: Case = defineCase({
  id: 'server.load.trust-fetch',
  description:
    'The current trust root and signed index are served under a constant load, with no error.',
  requirements: ['API-036', 'API-038'],
  level: 'MUST',
  class: 'server',
  lane: 'certify',
  why: `Every host refreshes ${trustPaths.join(' and ')} before it trusts an update; a server that re-signs or rebuilds them per request falls behind here.`,
  async run({ subject: session, note, signal }) {
    return scenario(session, {
      name: 'trust-fetch',
      rate: scenarioRates.trust,
      expected: [200],
      targets: (url) => trustTargets(url),
      baseline: true,
      note,
      signal,
    });
  },
});

const uploads: Case = defineCase({
  id: 'server.load.uploads-in-background',
  description:
    'Partner uploads sent during the update-check storm are each answered 201 (or 200 for a version already held).',
  requirements: ['API-073'],
  level: 'MUST',
  class: 'server',
  lane: 'certify',
  why: 'Publishing and delivery share one store; an upload that fails, or a lock that makes it time out while hosts check for updates, shows here.',
  run({ subject: session, note }) {
    const measured = session.uploads;
    if (!measured) return skip('the update-check scenario did not run, so no upload was sent');
    const s = measured.summary;
    note(describe('uploads', s));
    record(session, 'uploads', s);
    if (s.samples === 0) return fail('no upload completed in the measured window');
    if (s.errors > 0)
      return fail(
        `${String(s.errors)} of ${String(s.samples)} uploads failed during the update-check storm: ${s.errorTexts[0] ?? ''}`,
      );
    return pass(
      `${String(s.samples)} uploads answered 200 or 201 during the storm, p99 ${String(s.p99Ms)} ms`,
    );
  },
});

/** The load cases, in the order they run (uploads last: they are sent during the first case). */
export const loadCases: readonly Case[] = [updateCheck, bundle, ranges, catalog, trust, uploads];
