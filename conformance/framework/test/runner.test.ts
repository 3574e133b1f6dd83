import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  countResults,
  expectationSet,
  nearestRank,
  runSuite,
  summaryLine,
  verdictOf,
  type RunResult,
  type Selection,
} from '../index.ts';
import { sampleSuite, timedSuite, type SampleSubject } from './sample-suite.ts';

const everything: Selection = { lanes: ['certify', 'staging'], only: [] };

function run(
  subject: SampleSubject,
  options: { selection?: Selection; expectations?: unknown } = {},
) {
  return runSuite({
    suite: sampleSuite,
    subject,
    selection: options.selection ?? everything,
    ...(options.expectations
      ? { expectations: expectationSet('expectations.json', options.expectations) }
      : {}),
  });
}

const statusOf = (result: RunResult, id: string) =>
  result.cases.find((c) => c.metadata.id === id)?.status;

describe('runner and verdict', () => {
  it('certifies (exit 0) when every certify-lane MUST case passes [CNF-001]', async () => {
    const result = await run({});
    const verdict = verdictOf(result);
    assert.equal(verdict.status, 'certified');
    assert.equal(verdict.exitCode, 0);
    assert.equal(summaryLine(countResults(result.cases)), '4 passed, 0 failed');
  });

  it('refuses certification (exit 1) when one MUST case fails, and names it [CNF-001]', async () => {
    const result = await run({ 'package.container.zip64': 'fail' });
    const verdict = verdictOf(result);
    assert.equal(verdict.status, 'notCertified');
    assert.equal(verdict.exitCode, 1);
    assert.deepEqual(verdict.blocking, ['package.container.zip64']);
    const failed = result.cases.find((c) => c.metadata.id === 'package.container.zip64');
    assert.equal(failed?.reason, 'package.container.zip64 observed a fault');
    assert.deepEqual(failed?.evidence, ['behaviour fail', 'at /somewhere']);
  });

  it('counts a failed SHOULD case as a failure that does not block certification', async () => {
    const result = await run({ 'package.container.extension': 'fail' });
    assert.equal(verdictOf(result).exitCode, 0);
    assert.equal(countResults(result.cases).failed, 1);
  });

  it('runs the staging lane only when the selection names it [CNF-052]', async () => {
    const certifyOnly = await run({}, { selection: { lanes: ['certify'], only: [] } });
    assert.ok(certifyOnly.cases.every((c) => c.metadata.lane === 'certify'));
    assert.equal(statusOf(certifyOnly, 'package.container.single-disk'), undefined);
    assert.equal(certifyOnly.partial, false, 'leaving staging out does not make a run partial');
    assert.equal(verdictOf(certifyOnly).status, 'certified');
  });

  it('never counts the staging lane toward the verdict or the exit code, even when it fails [CNF-052]', async () => {
    const result = await run({
      'package.container.single-disk': 'fail',
      'package.manifest.icon-size': 'crash',
    });
    const counts = countResults(result.cases);
    assert.equal(statusOf(result, 'package.container.single-disk'), 'fail');
    assert.equal(counts.failed, 0);
    assert.equal(counts.errors, 0);
    assert.deepEqual(counts.staging, { total: 2, passed: 0, failed: 2, skipped: 0 });
    assert.equal(verdictOf(result).status, 'certified');
    assert.equal(verdictOf(result).exitCode, 0);
  });

  it('fails a case that throws CaseFailure with its message and evidence', async () => {
    const result = await run({ 'package.manifest.present': 'throw-failure' });
    const c = result.cases.find((r) => r.metadata.id === 'package.manifest.present');
    assert.equal(c?.status, 'fail');
    assert.equal(c?.crashed, false);
    assert.deepEqual(c?.evidence, ['behaviour throw-failure', 'evidence line']);
  });

  it('ends a case that crashes in an error, which blocks certification, and runs the others [CNF-001]', async () => {
    const result = await run({ 'package.manifest.present': 'crash' });
    const c = result.cases.find((r) => r.metadata.id === 'package.manifest.present');
    assert.equal(c?.status, 'error');
    assert.equal(c?.crashed, true);
    assert.match(c?.reason ?? '', /could not complete/);
    assert.equal(result.cases.length, 6);
    const verdict = verdictOf(result);
    assert.equal(verdict.status, 'notCertified');
    assert.equal(verdict.exitCode, 1);
    assert.match(verdict.summary, /1 MUST case ended in an error/);
    assert.equal(countResults(result.cases).errors, 1);
  });

  it('ends a case that outlives its timeout in an error and goes on with the next [CNF-001]', async () => {
    const started = Date.now();
    const result = await run({ 'package.manifest.json-object': 'hang' });
    const c = result.cases.find((r) => r.metadata.id === 'package.manifest.json-object');
    assert.equal(c?.status, 'error');
    assert.equal(c?.timedOut, true);
    assert.ok(Date.now() - started < 5000);
    assert.equal(verdictOf(result).status, 'notCertified');
  });

  it('reports a skipped MUST case apart; a skip neither passes nor blocks', async () => {
    const result = await run({ 'package.manifest.json-object': 'skip' });
    const counts = countResults(result.cases);
    assert.equal(counts.skipped, 1);
    assert.equal(counts.passed, 3);
    assert.equal(summaryLine(counts), '3 passed, 0 failed, 1 skipped');
    assert.match(verdictOf(result).summary, /1 did not apply/);
  });

  it('turns a listed failure into an expected failure: exit 3, still not certified [CNF-001] [CNF-051]', async () => {
    const result = await run(
      { 'package.container.zip64': 'fail', 'package.container.extension': 'fail' },
      {
        expectations: {
          expectedFailures: [{ case: 'package.container.*', reason: 'ZIP64 writer in our packer' }],
        },
      },
    );
    const counts = countResults(result.cases);
    assert.equal(statusOf(result, 'package.container.zip64'), 'expectedFailure');
    assert.equal(counts.failed, 0);
    assert.equal(counts.expectedFailures, 2);
    const verdict = verdictOf(result);
    assert.equal(verdict.status, 'notCertified');
    assert.equal(verdict.exitCode, 3);
    assert.equal(summaryLine(counts), '2 passed, 0 failed, 2 expected failures');
  });

  it('lists a case that ended in an error as an expected failure when the file names it [CNF-051]', async () => {
    const result = await run(
      { 'package.manifest.present': 'hang' },
      {
        expectations: {
          expectedFailures: [{ case: 'package.manifest.present', reason: 'hangs on ZIP64; bug 7' }],
        },
      },
    );
    assert.equal(statusOf(result, 'package.manifest.present'), 'expectedFailure');
    assert.equal(verdictOf(result).exitCode, 3);
  });

  it('reports a listed case that passes as an unexpected pass and ends the run with exit 1 [CNF-051]', async () => {
    const result = await run(
      {},
      {
        expectations: {
          expectedFailures: [{ case: 'package.manifest.present', reason: 'known bug #12' }],
        },
      },
    );
    assert.equal(statusOf(result, 'package.manifest.present'), 'unexpectedPass');
    assert.equal(countResults(result.cases).unexpectedPasses, 1);
    const verdict = verdictOf(result);
    assert.equal(verdict.status, 'certified', 'the case passed, so CNF-001 holds');
    assert.equal(verdict.exitCode, 1, 'but the expectations file is out of date');
    assert.match(verdict.summary, /listed as expected failures passed/);
  });

  it('ends with exit 1 for an unexpected pass of a SHOULD case too, but not of a staging case [CNF-051] [CNF-052]', async () => {
    const should = await run(
      {},
      {
        expectations: {
          expectedFailures: [{ case: 'package.container.extension', reason: 'we write .zip' }],
        },
      },
    );
    assert.equal(verdictOf(should).exitCode, 1);
    const staging = await run(
      {},
      {
        expectations: {
          expectedFailures: [{ case: 'package.manifest.icon-size', reason: 'icons are 96 px' }],
        },
      },
    );
    assert.equal(statusOf(staging, 'package.manifest.icon-size'), 'unexpectedPass');
    assert.equal(verdictOf(staging).exitCode, 0);
  });

  it('lets an unexpected failure outweigh expected ones: exit 1 [CNF-051]', async () => {
    const result = await run(
      { 'package.container.zip64': 'fail', 'package.manifest.present': 'fail' },
      {
        expectations: {
          expectedFailures: [{ case: 'package.container.zip64', reason: 'known, fix in 2.1' }],
        },
      },
    );
    assert.equal(verdictOf(result).exitCode, 1);
  });

  it('selects cases by lane and by id pattern, and calls a partial run incomplete [CNF-001]', async () => {
    const result = await run(
      {},
      { selection: { lanes: ['certify'], only: ['package.manifest.*'] } },
    );
    assert.deepEqual(
      result.cases.map((c) => c.metadata.id),
      ['package.manifest.present', 'package.manifest.json-object'],
    );
    assert.equal(result.partial, true);
    assert.equal(verdictOf(result).status, 'incomplete');
    assert.equal(verdictOf(result).exitCode, 0);
  });

  it('calls a run incomplete when a MUST of the class has no case [CNF-001]', async () => {
    const result = await run({});
    const verdict = verdictOf(result, ['MAN-005']);
    assert.equal(verdict.status, 'incomplete');
    assert.match(verdict.summary, /1 MUST of the class has no case \(MAN-005\)/);
  });

  it('calls a run incomplete when the target says why it cannot certify', async () => {
    const result = await runSuite({
      suite: sampleSuite,
      subject: {},
      selection: everything,
      incomplete: 'only 10 samples per budget were taken',
    });
    assert.equal(verdictOf(result).status, 'incomplete');
    assert.match(verdictOf(result).summary, /only 10 samples/);
  });

  it('runs the cases of a MAY line only when the expectations file declares the feature [CNF-001]', async () => {
    const undeclared = await run({ 'package.content.unnamed-files': 'fail' });
    assert.equal(statusOf(undeclared, 'package.content.unnamed-files'), undefined);
    assert.equal(undeclared.notDeclared, 1);
    const declared = await run(
      { 'package.content.unnamed-files': 'fail' },
      { selection: { ...everything, optionalFeatures: ['PKG-060'] } },
    );
    assert.equal(statusOf(declared, 'package.content.unnamed-files'), 'fail');
    assert.equal(declared.notDeclared, 0);
    assert.equal(verdictOf(declared).status, 'certified', 'a MAY case never decides the verdict');
  });

  it('records each case with the observations of the requirements it cites [CNF-060]', async () => {
    const result = await run({});
    const c = result.cases.find((r) => r.metadata.id === 'package.container.zip64');
    assert.deepEqual(c?.observed, ['package']);
  });

  it('keeps the measurement of a case of a time budget, passing or failing [CNF-061]', async () => {
    const within = await runSuite({
      suite: timedSuite,
      subject: { 'host.budgets.cold-start': 'within-budget' },
      selection: everything,
    });
    const pass = within.cases[0];
    assert.equal(pass?.status, 'pass');
    assert.deepEqual(pass?.observed, ['measure']);
    assert.deepEqual(pass?.measurement, {
      samples: 50,
      percentile: 90,
      value: 880,
      budget: 1500,
      unit: 'ms',
    });
    const over = await runSuite({
      suite: timedSuite,
      subject: { 'host.budgets.cold-start': 'over-budget' },
      selection: everything,
    });
    assert.equal(over.cases[0]?.status, 'fail');
    assert.equal(over.cases[0]?.measurement?.value, 1880);
    assert.match(over.cases[0]?.reason ?? '', /p90 1880 ms over 50 samples, budget 1500 ms/);
  });

  it('ends a case of a time budget that states no measurement in an error [CNF-061]', async () => {
    const result = await runSuite({
      suite: timedSuite,
      subject: { 'host.budgets.cold-start': 'unmeasured' },
      selection: everything,
    });
    assert.equal(result.cases[0]?.status, 'error');
    assert.match(result.cases[0]?.reason ?? '', /returned no measurement/);
  });

  it('takes the nearest-rank percentile of spec/budgets.md', () => {
    assert.equal(nearestRank([15, 20, 35, 40, 50], 30), 20);
    assert.equal(nearestRank([15, 20, 35, 40, 50], 100), 50);
    assert.equal(nearestRank([3, 1, 2], 50), 2);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 100 }),
        (samples, p) => {
          const value = nearestRank(samples, p);
          const atMost = samples.filter((s) => s <= value).length;
          const below = samples.filter((s) => s < value).length;
          // The value is a sample, at least p % of the samples do not exceed it, and it is the smallest such.
          assert.ok(samples.includes(value));
          assert.ok(atMost * 100 >= p * samples.length);
          assert.ok(below * 100 < p * samples.length);
        },
      ),
    );
    assert.throws(() => nearestRank([], 90), RangeError);
    assert.throws(() => nearestRank([1], 0), RangeError);
  });

  it('reports progress once per case with a counter up to the total', async () => {
    const seen: string[] = [];
    await runSuite({
      suite: sampleSuite,
      subject: {},
      selection: everything,
      concurrency: 3,
      onCaseFinished: (_result, done, total) => void seen.push(`${done}/${total}`),
    });
    assert.deepEqual(seen, ['1/6', '2/6', '3/6', '4/6', '5/6', '6/6']);
  });

  it('keeps the suite order in the results when cases run concurrently', async () => {
    const result = await runSuite({
      suite: sampleSuite,
      subject: {},
      selection: everything,
      concurrency: 4,
    });
    assert.deepEqual(
      result.cases.map((c) => c.metadata.id),
      sampleSuite.cases.filter((c) => c.level !== 'MAY').map((c) => c.id),
    );
  });
});
