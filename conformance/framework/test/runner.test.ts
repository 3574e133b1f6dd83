import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  countResults,
  expectationSet,
  runSuite,
  summaryLine,
  verdictOf,
  type RunResult,
  type Selection,
} from '../index.ts';
import { sampleSuite, type SampleSubject } from './sample-suite.ts';

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

const outcome = (result: RunResult, id: string) =>
  result.cases.find((c) => c.metadata.id === id)?.outcome;

describe('runner', () => {
  it('calls a run incomplete when the target says why it cannot certify, even if every case passes', async () => {
    const result = await runSuite({
      suite: sampleSuite,
      subject: {},
      selection: everything,
      incomplete: 'five of fifty budget samples',
    });
    const verdict = verdictOf(result);
    assert.equal(result.partial, true);
    assert.equal(verdict.status, 'incomplete');
    assert.equal(verdict.certified, false);
    assert.equal(verdict.exitCode, 0);
    assert.match(verdict.summary, /five of fifty budget samples/);
  });

  it('certifies (exit 0) when every certify-lane MUST case passes', async () => {
    const result = await run({});
    const verdict = verdictOf(result);
    assert.equal(verdict.status, 'certified');
    assert.equal(verdict.exitCode, 0);
    assert.equal(summaryLine(countResults(result.cases)), '4 passed, 0 failed');
  });

  it('refuses certification (exit 1) when one MUST case fails, and names it', async () => {
    const result = await run({ 'package.container.zip64': 'fail' });
    const verdict = verdictOf(result);
    assert.equal(verdict.status, 'not-certified');
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

  it('runs the staging lane but never counts it, even when it fails', async () => {
    const result = await run({
      'package.container.single-disk': 'fail',
      'package.manifest.icon-size': 'fail',
    });
    const counts = countResults(result.cases);
    assert.equal(outcome(result, 'package.container.single-disk'), 'fail');
    assert.equal(counts.failed, 0);
    assert.deepEqual(counts.staging, { total: 2, passed: 0, failed: 2, skipped: 0 });
    assert.equal(verdictOf(result).status, 'certified');
  });

  it('fails a case that throws CaseFailure with its message and evidence', async () => {
    const result = await run({ 'package.manifest.present': 'throw-failure' });
    const c = result.cases.find((r) => r.metadata.id === 'package.manifest.present');
    assert.equal(c?.outcome, 'fail');
    assert.equal(c?.crashed, false);
    assert.deepEqual(c?.evidence, ['behaviour throw-failure', 'evidence line']);
  });

  it('fails a case that crashes, marks it crashed, and keeps running the others', async () => {
    const result = await run({ 'package.manifest.present': 'crash' });
    const c = result.cases.find((r) => r.metadata.id === 'package.manifest.present');
    assert.equal(c?.outcome, 'fail');
    assert.equal(c?.crashed, true);
    assert.match(c?.reason ?? '', /could not complete/);
    assert.equal(result.cases.length, 6);
  });

  it('fails a case that outlives its timeout and goes on with the next', async () => {
    const started = Date.now();
    const result = await run({ 'package.manifest.json-object': 'hang' });
    const c = result.cases.find((r) => r.metadata.id === 'package.manifest.json-object');
    assert.equal(c?.outcome, 'fail');
    assert.equal(c?.timedOut, true);
    assert.ok(Date.now() - started < 5000);
  });

  it('reports a skipped MUST case apart; a skip neither passes nor blocks', async () => {
    const result = await run({ 'package.manifest.json-object': 'skip' });
    const counts = countResults(result.cases);
    assert.equal(counts.skipped, 1);
    assert.equal(counts.passed, 3);
    assert.equal(summaryLine(counts), '3 passed, 0 failed, 1 skipped');
  });

  it('turns a listed failure into an expected failure: exit 3, still not certified', async () => {
    const result = await run(
      { 'package.container.zip64': 'fail' },
      {
        expectations: {
          expectedFailures: [{ case: 'package.container.*', reason: 'ZIP64 writer in our packer' }],
        },
      },
    );
    const counts = countResults(result.cases);
    assert.equal(outcome(result, 'package.container.zip64'), 'xfail');
    assert.equal(counts.failed, 0);
    assert.equal(counts.expectedFailures, 1);
    const verdict = verdictOf(result);
    assert.equal(verdict.status, 'not-certified');
    assert.equal(verdict.exitCode, 3);
    assert.equal(summaryLine(counts), '3 passed, 0 failed, 1 expected failure, 1 unexpected pass');
  });

  it('reports a listed case that passes as an unexpected pass', async () => {
    const result = await run(
      {},
      {
        expectations: {
          expectedFailures: [{ case: 'package.manifest.present', reason: 'known bug #12' }],
        },
      },
    );
    assert.equal(outcome(result, 'package.manifest.present'), 'xpass');
    assert.equal(countResults(result.cases).unexpectedPasses, 1);
    assert.equal(verdictOf(result).exitCode, 0);
  });

  it('an unexpected failure outweighs expected ones: exit 1', async () => {
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

  it('selects cases by lane and by id pattern, and calls a partial run incomplete', async () => {
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
      sampleSuite.cases.map((c) => c.id),
    );
  });
});
