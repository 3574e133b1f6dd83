import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  buildReport,
  defineSuite,
  repositoryRoot,
  requirementIndex,
  runSuite,
  writeReports,
  type ConformanceReport,
  type ReportFormat,
  type Suite,
} from '../../conformance/framework/index.ts';
import { suites } from '../../conformance/suite-registry.ts';
import { startStaticServer, type StaticServer } from '../../reference-server/bench/nginx-static.ts';
import type { PrivateKey } from '#sdk/signing/index.ts';
import { LoadApi } from '../dataset/load-api.ts';
import { buildLoadDataset } from '../dataset/load-dataset.ts';
import type { LoadPrincipals } from '../dataset/load-principals.ts';
import { trustPaths } from '../scenarios/target-streams.ts';
import { vegetaBinary, vegetaVersion } from '../vegeta/vegeta-engine.ts';
import { loadCases, specBudgets, type BudgetId, type LoadSession } from './load-suite.ts';
import type { LoadTiming } from './scenario-measurement.ts';

export interface LoadRunOptions {
  url: string;
  /** What the report certifies [CNF-060]; the CLI's --implementation-name and --implementation-version. */
  implementation?: { name: string; version: string };
  principals: LoadPrincipals;
  timing: LoadTiming;
  /** Apps and devices of the data set: 200 and 1,000 for a certification run. */
  apps: number;
  devices: number;
  delegationKeys?: readonly PrivateKey[];
  /** Budgets to use instead of spec/budgets.md's (a run with any is not a certification). */
  budgets?: Partial<Record<BudgetId, number>>;
  /** Case-id patterns, as miniapp-certify's --only. */
  only?: readonly string[];
  reportDir: string;
  formats?: readonly ReportFormat[];
  /** nginx serves the same bytes as a baseline (default true). */
  baseline?: boolean;
  throughputSeconds?: number;
  /** Extra target details (e.g. the store of a reference server). */
  details?: Record<string, string | number | boolean>;
  progress?: (line: string) => void;
}

export interface LoadRunResult {
  report: ConformanceReport;
  files: string[];
  plots: string[];
  exitCode: 0 | 1 | 3;
  figures: Record<string, number | string>;
}

/** The load suite as the conformance framework runs it; `open` is unused (the run opens the session). */
function loadSuite(timing: LoadTiming): Suite<LoadSession> {
  const phasesSeconds = timing.warmupSeconds + timing.durationSeconds;
  return defineSuite<LoadSession>({
    class: 'server',
    title: 'Server load (spec/budgets.md, Server)',
    cases: loadCases,
    // Each case runs the server side, the nginx side and a throughput comparison, plus set-up.
    defaultTimeoutMs: Math.round((phasesSeconds * 3 + 180) * 1000),
    command: {
      usage: '--url <server> [options]',
      summary: 'Applies the load of spec/budgets.md and judges its budgets',
      options: {},
      optionHelp: {},
      positionals: { min: 0, max: 0, names: '' },
      open() {
        return Promise.reject(new Error('the load suite is run by load/cli/load-cli.ts'));
      },
    },
  });
}

/**
 * Builds the data set on the server, starts nginx with the same bundle and trust bytes, runs every
 * selected load case, and writes the conformance reports (JSON, JUnit, HTML) with vegeta's latency
 * plots beside them. The exit code is the framework's: 1 when a MUST budget or the error budget of a
 * scenario was missed.
 */
export async function runLoad(options: LoadRunOptions): Promise<LoadRunResult> {
  const say = options.progress ?? (() => undefined);
  const bin = await vegetaBinary();
  const reportDir = path.resolve(options.reportDir);
  const workDir = path.join(reportDir, 'vegeta');
  await mkdir(workDir, { recursive: true });
  const api = new LoadApi(options.url);
  const dataset = await buildLoadDataset({
    api,
    principals: options.principals,
    apps: options.apps,
    devices: options.devices,
    ...(options.delegationKeys ? { delegationKeys: options.delegationKeys } : {}),
    progress: say,
  });
  say(
    `load: data set ready (${String(dataset.apps.length)} apps, ${String(dataset.devices.length)} devices, ${dataset.created ? `made in ${String(dataset.seconds)} s` : 'already on the server'})`,
  );

  let nginx: StaticServer | undefined;
  try {
    if (options.baseline !== false) {
      const files: Record<string, { bytes: Uint8Array; type: string }> = {
        [dataset.bundle.path]: {
          bytes: await api.bytes(dataset.bundle.path),
          type: 'application/miniapp-pkg+zip',
        },
      };
      for (const trustPath of trustPaths)
        files[trustPath] = { bytes: await api.bytes(trustPath), type: 'application/json' };
      nginx = await startStaticServer(files);
    }
    const budgets = { ...specBudgets, ...(options.budgets ?? {}) };
    const session: LoadSession = {
      url: options.url,
      bin,
      dataset,
      timing: options.timing,
      budgets,
      workDir,
      ...(nginx ? { baselineUrl: `http://127.0.0.1:${String(nginx.port)}` } : {}),
      throughputSeconds: options.throughputSeconds ?? Math.min(10, options.timing.durationSeconds),
      figures: {},
      plots: [],
      progress: say,
    };
    const suite = loadSuite(options.timing);
    const run = await runSuite({
      suite,
      subject: session,
      selection: { lanes: ['certify'], only: [...(options.only ?? [])] },
      onCaseFinished: (result, done, total) =>
        say(
          `load: [${String(done)}/${String(total)}] ${result.status.toUpperCase()} ${result.metadata.id}${result.reason ? `: ${result.reason}` : ''}`,
        ),
    });
    const overridden = Object.entries(options.budgets ?? {})
      .map(([id, ms]) => `${id}=${String(ms)}ms`)
      .join(' ');
    const specDir = path.relative(reportDir, path.join(repositoryRoot, 'spec'));
    const report = buildReport({
      suite: suite as Suite<unknown>,
      target: {
        kind: 'server under load',
        label: options.url,
        details: {
          profile: options.timing.profile,
          warmupSeconds: options.timing.warmupSeconds,
          durationSeconds: options.timing.durationSeconds,
          rateScale: options.timing.rateScale,
          apps: dataset.apps.length,
          devices: dataset.devices.length,
          engine: `vegeta ${vegetaVersion}`,
          baseline: nginx ? 'nginx, 1 worker, same bytes, loopback' : 'none',
          ...(overridden ? { budgetsOverridden: overridden } : {}),
          ...(options.details ?? {}),
          ...session.figures,
        },
      },
      run,
      index: requirementIndex(),
      implementation: options.implementation ?? { name: 'server under test', version: 'unknown' },
      catalogs: [
        ...suites.map((s) => ({ class: s.class, cases: s.cases })),
        { class: 'server', cases: suite.cases },
      ],
      specLink: `${specDir.split(path.sep).join('/')}/{doc}#L{line}`,
    });
    // [CNF-001] only the measurement of spec/budgets.md certifies: a shorter, slower, smaller or
    // re-budgeted run is a measurement, reported as incomplete even when every case passed.
    const t = options.timing;
    const deviations = [
      t.profile === 'steady' ? '' : `profile ${t.profile}`,
      t.durationSeconds < 60 ? `${String(t.durationSeconds)} s measured (60 s due)` : '',
      t.warmupSeconds < 10 ? `${String(t.warmupSeconds)} s warm-up (10 s due)` : '',
      t.rateScale < 1 ? `rates x${String(t.rateScale)}` : '',
      dataset.apps.length < 200 ? `${String(dataset.apps.length)} apps (200 due)` : '',
      dataset.devices.length < 1000 ? `${String(dataset.devices.length)} devices (1,000 due)` : '',
      overridden ? `budgets ${overridden}` : '',
    ].filter(Boolean);
    if (deviations.length > 0 && report.verdict.status === 'certified') {
      report.verdict = {
        ...report.verdict,
        status: 'incomplete',
        certified: false,
        summary: `No MUST case failed, but the load differed from spec/budgets.md's (${deviations.join(', ')}): a measurement, not a certification.`,
      };
      report.selection.partial = true;
    }
    if (deviations.length > 0) report.target.details.deviations = deviations.join(', ');
    const files = await writeReports(
      report,
      reportDir,
      options.formats ?? ['json', 'junit', 'html'],
    );
    return {
      report,
      files,
      plots: session.plots,
      exitCode: report.verdict.exitCode,
      figures: session.figures,
    };
  } finally {
    await nginx?.stop();
    // The target streams carry the bearer credentials the run made; results and plots do not.
    for (const file of await readdir(workDir).catch(() => []))
      if (file.endsWith('.targets.jsonl')) await rm(path.join(workDir, file), { force: true });
  }
}
