import type { CaseResult, RunResult } from './runner.ts';

export interface Counts {
  total: number;
  /** pass and xpass. */
  passed: number;
  /** fail (not expected). */
  failed: number;
  expectedFailures: number;
  unexpectedPasses: number;
  skipped: number;
  staging: { total: number; passed: number; failed: number; skipped: number };
}

export type VerdictStatus = 'certified' | 'not-certified' | 'incomplete';

/** Exit codes of a run; 2 (wrong usage) and 4 (the run itself could not proceed) come from the CLI. */
export const RunExitCode = {
  /** No certify-lane MUST case failed. */
  ok: 0,
  /** A certify-lane MUST case failed and the expectations file did not list it. */
  failed: 1,
  usage: 2,
  /** Every certify-lane MUST failure was listed as expected: still not certified. */
  expectedFailuresOnly: 3,
  internal: 4,
} as const;

export interface Verdict {
  status: VerdictStatus;
  certified: boolean;
  exitCode: 0 | 1 | 3;
  summary: string;
  /** Certify-lane MUST cases that failed, expected or not. */
  blocking: string[];
}

export function countResults(cases: readonly CaseResult[]): Counts {
  const certify = cases.filter((c) => c.metadata.lane === 'certify');
  const staging = cases.filter((c) => c.metadata.lane === 'staging');
  const count = (list: CaseResult[], ...outcomes: string[]) =>
    list.filter((c) => outcomes.includes(c.outcome)).length;
  return {
    total: certify.length,
    passed: count(certify, 'pass', 'xpass'),
    failed: count(certify, 'fail'),
    expectedFailures: count(certify, 'xfail'),
    unexpectedPasses: count(certify, 'xpass'),
    skipped: count(certify, 'skip'),
    staging: {
      total: staging.length,
      passed: count(staging, 'pass', 'xpass'),
      failed: count(staging, 'fail', 'xfail'),
      skipped: count(staging, 'skip'),
    },
  };
}

/** Certified only when every certify-lane MUST case of the class ran and none failed. */
export function verdictOf(run: RunResult): Verdict {
  const musts = run.cases.filter(
    (c) => c.metadata.lane === 'certify' && c.metadata.level === 'MUST',
  );
  const failed = musts.filter((c) => c.outcome === 'fail');
  const expected = musts.filter((c) => c.outcome === 'xfail');
  const blocking = [...failed, ...expected].map((c) => c.metadata.id);
  const exitCode =
    failed.length > 0
      ? RunExitCode.failed
      : expected.length > 0
        ? RunExitCode.expectedFailuresOnly
        : RunExitCode.ok;
  if (blocking.length > 0) {
    const parts = [
      failed.length > 0 ? `${failed.length} MUST case${failed.length === 1 ? '' : 's'} failed` : '',
      expected.length > 0 ? `${expected.length} failed as expected` : '',
    ].filter(Boolean);
    return {
      status: 'not-certified',
      certified: false,
      exitCode,
      summary: `Not certified: ${parts.join(', ')}.`,
      blocking,
    };
  }
  if (run.partial) {
    return {
      status: 'incomplete',
      certified: false,
      exitCode,
      summary: run.incompleteReason
        ? `No MUST case failed, but the run cannot certify: ${run.incompleteReason}.`
        : `No MUST case failed, but the selection ran ${musts.length} of the suite's MUST cases: a partial run cannot certify.`,
      blocking,
    };
  }
  const skipped = musts.filter((c) => c.outcome === 'skip').length;
  const passed = musts.length - skipped;
  return {
    status: 'certified',
    certified: true,
    exitCode,
    summary: `Certified: all ${passed} applicable MUST cases passed${skipped ? ` (${skipped} did not apply to this target)` : ''}.`,
    blocking,
  };
}

/** The last line of every run: `N passed, N failed`, then the other counts when they are not zero. */
export function summaryLine(counts: Counts): string {
  const extra = [
    counts.expectedFailures
      ? `${counts.expectedFailures} expected failure${counts.expectedFailures === 1 ? '' : 's'}`
      : '',
    counts.unexpectedPasses
      ? `${counts.unexpectedPasses} unexpected pass${counts.unexpectedPasses === 1 ? '' : 'es'}`
      : '',
    counts.skipped ? `${counts.skipped} skipped` : '',
  ].filter(Boolean);
  return `${counts.passed} passed, ${counts.failed} failed${extra.length ? `, ${extra.join(', ')}` : ''}`;
}
