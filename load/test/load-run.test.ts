import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validatorFor } from '#schemas';
import { startReferenceTarget, type ReferenceTarget } from '../integration/reference-target.ts';
import { runLoad, type LoadRunOptions, type LoadRunResult } from '../suite/load-run.ts';
import { loadCases, specBudgets, type BudgetId } from '../suite/load-suite.ts';
import type { LoadTiming } from '../suite/scenario-measurement.ts';

/**
 * A short load run (two seconds per scenario at a tenth of the spec's rates, a small data set)
 * against the reference server started here: on the embedded store, and on PostgreSQL when
 * TEST_DATABASE_URL names one. It proves the pipeline (data set, vegeta, judgement, reports), not the
 * budgets of a real certification, which need the full rates and 60 s windows of spec/budgets.md.
 */

const validateReport = validatorFor('conformance/report.schema.json');
const short: LoadTiming = {
  profile: 'steady',
  warmupSeconds: 0.5,
  durationSeconds: 1,
  rateScale: 0.1,
};

function shortRun(target: ReferenceTarget, reportDir: string): LoadRunOptions {
  return {
    url: target.url,
    principals: target.principals,
    timing: short,
    apps: 6,
    devices: 10,
    reportDir,
    throughputSeconds: 1,
  };
}

/** What every run's report must show, whatever the machine's speed. */
async function assertWellFormed(
  result: LoadRunResult,
  cases: number,
  budgets: Record<BudgetId, number> = specBudgets,
): Promise<void> {
  assert.ok(validateReport(result.report), JSON.stringify(validateReport.errors));
  const json = JSON.parse(await readFile(result.files[0] as string, 'utf8')) as unknown;
  assert.ok(validateReport(json), 'the written JSON report is valid too');
  assert.equal(result.report.class, 'server');
  assert.equal(result.report.cases.length, cases);
  assert.match(await readFile(result.files[1] as string, 'utf8'), /<testsuites[\s>]/);
  assert.match(await readFile(result.files[2] as string, 'utf8'), /<html/i);
  for (const plot of result.plots) await access(plot);
  for (const c of result.report.cases) {
    assert.notEqual(c.status, 'error', `${c.id} ended in an error: ${c.reason ?? ''}`);
    assert.notEqual(c.status, 'skip', `${c.id} was skipped: ${c.reason ?? ''}`);
  }
  // The verdict follows the measurements: a budget case passes exactly when its p99 is in budget.
  for (const [caseId, prefix, budget] of [
    ['server.load.update-check-p99', 'update-check', budgets['BUD-010']],
    ['server.load.bundle-first-byte-p99', 'bundle', budgets['BUD-011']],
  ] as const) {
    const entry = result.report.cases.find((c) => c.id === caseId);
    if (!entry) continue;
    const p99 = result.figures[`${prefix}.p99Ms`] as number;
    const errors = result.figures[`${prefix}.errors`] as number;
    assert.equal(entry.status, p99 <= budget && errors === 0 ? 'pass' : 'fail', entry.reason);
  }
  assert.equal(result.exitCode, result.report.verdict.exitCode);
  // A short run never certifies, whatever it measured [CNF-001].
  assert.notEqual(result.report.verdict.status, 'certified');
  assert.match(String(result.report.target.details.deviations), /rates x0\.1/);
}

function suiteFor(store: 'embedded' | 'postgres') {
  const databaseUrl = process.env.TEST_DATABASE_URL;
  const skip = store === 'postgres' && !databaseUrl ? 'TEST_DATABASE_URL is not set' : false;
  describe(`a short load run against the reference server on the ${store} store`, { skip }, () => {
    let target: ReferenceTarget;
    let dir: string;
    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'miniapp-load-test-'));
      target = await startReferenceTarget({
        ...(store === 'postgres' && databaseUrl ? { databaseUrl } : {}),
        screenshots: false,
      });
    });
    after(async () => {
      await target?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('runs every scenario, compares with nginx, and writes reports valid against the schema [BUD-010] [BUD-011]', async () => {
      const result = await runLoad({
        ...shortRun(target, path.join(dir, 'full')),
        // nginx is measured once, on the embedded run, to keep the suite short.
        baseline: store === 'embedded',
      });
      await assertWellFormed(result, loadCases.length);
      for (const scenario of [
        'update-check',
        'bundle',
        'bundle-range',
        'catalog-search',
        'trust-fetch',
        'uploads',
      ])
        assert.equal(result.figures[`${scenario}.errors`], 0, `${scenario} answered errors`);
      if (store === 'embedded') {
        for (const figure of [
          'bundle.p50RatioToNginx',
          'trust-fetch.p50RatioToNginx',
          'bundle.throughput.ratioToNginx',
        ])
          assert.ok((result.figures[figure] as number) > 0, `${figure} is measured`);
        assert.equal(
          result.report.target.details['bundle.throughput.ratioToNginx'],
          result.figures['bundle.throughput.ratioToNginx'],
        );
      }
    });

    // The judgement does not depend on the store: shown once, on the embedded run.
    const judged = store === 'embedded' ? {} : { skip: 'shown on the embedded store' };
    it('fails the run with exit code 1 when a MUST budget is missed', judged, async () => {
      const result = await runLoad({
        ...shortRun(target, path.join(dir, 'tight')),
        only: ['server.load.bundle-first-byte-p99'],
        budgets: { 'BUD-011': 0.001 },
        baseline: false,
      });
      await assertWellFormed(result, 1, { ...specBudgets, 'BUD-011': 0.001 });
      const entry = result.report.cases[0];
      assert.equal(entry?.status, 'fail');
      assert.match(entry?.reason ?? '', /over the budget of 0\.001 ms/);
      assert.equal(result.exitCode, 1);
      assert.equal(result.report.verdict.status, 'notCertified');
      assert.deepEqual(result.report.verdict.blocking, ['server.load.bundle-first-byte-p99']);
      assert.equal(result.report.target.details.budgetsOverridden, 'BUD-011=0.001ms');
    });
  });
}

suiteFor('embedded');
suiteFor('postgres');
