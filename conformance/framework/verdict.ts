import type { CaseResult, CaseStatus, RunResult } from './runner.ts';

/** Certify-lane counts of a run; the staging lane is counted apart and never decides anything. */
export interface Counts {
  total: number;
  /** pass and unexpectedPass. */
  passed: number;
  /** fail, not listed in the expectations file. */
  failed: number;
  /** error (a crash or a timeout), not listed. */
  errors: number;
  expectedFailures: number;
  unexpectedPasses: number;
  skipped: number;
  staging: { total: number; passed: number; failed: number; skipped: number };
}

export type VerdictStatus = 'certified' | 'notCertified' | 'incomplete';

/** Exit codes of a run; 2 (wrong usage) and 4 (the run itself could not proceed) come from the CLI. */
export const RunExitCode = {
  /** No certify-lane MUST case failed, and the expectations file matched the run. */
  ok: 0,
  /**
   * The run differs from what the expectations file says: a certify-lane MUST case failed or ended
   * in an error without being listed, or a listed case passed [CNF-051].
   */
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
  /** Certify-lane MUST cases that failed, ended in an error or failed as expected. */
  blocking: string[];
  /** Why a run that failed nothing still cannot certify. */
  incompleteReason?: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function countResults(cases: readonly CaseResult[]): Counts {
  const certify = cases.filter((c) => c.metadata.lane === 'certify');
  const staging = cases.filter((c) => c.metadata.lane === 'staging');
  const count = (list: CaseResult[], ...statuses: CaseStatus[]) =>
    list.filter((c) => statuses.includes(c.status)).length;
  return {
    total: certify.length,
    passed: count(certify, 'pass', 'unexpectedPass'),
    failed: count(certify, 'fail'),
    errors: count(certify, 'error'),
    expectedFailures: count(certify, 'expectedFailure'),
    unexpectedPasses: count(certify, 'unexpectedPass'),
    skipped: count(certify, 'skip'),
    staging: {
      total: staging.length,
      passed: count(staging, 'pass', 'unexpectedPass'),
      failed: count(staging, 'fail', 'error', 'expectedFailure'),
      skipped: count(staging, 'skip'),
    },
  };
}

/**
 * The verdict of CNF-001: certified only when every certify-lane case of every MUST of the class ran
 * and passed (a case that does not apply to the target may be skipped), no MUST is left without a
 * case, and no case ended in an error; an expected failure counts as a failure. `uncovered` lists
 * the class's MUSTs that have neither a case nor a row in the table of requirements not certifiable
 * from outside (and do not bind the suite itself).
 *
 * Exit code: 1 when a MUST failed or ended in an error unlisted, or when any listed certify-lane case
 * passed [CNF-051]; otherwise 3 when MUSTs failed as expected; otherwise 0.
 */
export function verdictOf(run: RunResult, uncovered: readonly string[] = []): Verdict {
  const certify = run.cases.filter((c) => c.metadata.lane === 'certify');
  const musts = certify.filter((c) => c.metadata.level === 'MUST');
  const failed = musts.filter((c) => c.status === 'fail' || c.status === 'error');
  const expected = musts.filter((c) => c.status === 'expectedFailure');
  const unexpectedPasses = certify.filter((c) => c.status === 'unexpectedPass');
  const blocking = [...failed, ...expected].map((c) => c.metadata.id);
  const exitCode =
    failed.length > 0 || unexpectedPasses.length > 0
      ? RunExitCode.failed
      : expected.length > 0
        ? RunExitCode.expectedFailuresOnly
        : RunExitCode.ok;
  const stale =
    unexpectedPasses.length > 0
      ? ` ${plural(unexpectedPasses.length, 'case')} listed as expected failures passed: remove ${unexpectedPasses.length === 1 ? 'it' : 'them'} from the expectations file.`
      : '';
  if (blocking.length > 0) {
    const errors = failed.filter((c) => c.status === 'error').length;
    const parts = [
      failed.length - errors > 0 ? `${plural(failed.length - errors, 'MUST case')} failed` : '',
      errors > 0 ? `${plural(errors, 'MUST case')} ended in an error` : '',
      expected.length > 0 ? `${expected.length} failed as expected` : '',
    ].filter(Boolean);
    return {
      status: 'notCertified',
      certified: false,
      exitCode,
      summary: `Not certified: ${parts.join(', ')}.${stale}`,
      blocking,
    };
  }
  const incompleteReason = run.incompleteReason
    ? run.incompleteReason
    : run.partial
      ? `the selection ran ${plural(musts.length, 'MUST case')} of the suite's certify lane, not all`
      : uncovered.length > 0
        ? `${plural(uncovered.length, 'MUST')} of the class ${uncovered.length === 1 ? 'has' : 'have'} no case (${uncovered.slice(0, 8).join(', ')}${uncovered.length > 8 ? `, and ${uncovered.length - 8} more` : ''})`
        : undefined;
  if (incompleteReason) {
    return {
      status: 'incomplete',
      certified: false,
      exitCode,
      summary: `No MUST case failed, but the run cannot certify: ${incompleteReason}.${stale}`,
      blocking,
      incompleteReason,
    };
  }
  const skipped = musts.filter((c) => c.status === 'skip').length;
  const passed = musts.length - skipped;
  return {
    status: 'certified',
    certified: true,
    exitCode,
    summary: `Certified: all ${passed} applicable MUST cases passed${skipped ? ` (${skipped} did not apply to this target)` : ''}.${stale}`,
    blocking,
  };
}

/** The last line of every run: `N passed, N failed`, then the other counts when they are not zero. */
export function summaryLine(counts: Counts): string {
  const extra = [
    counts.errors ? plural(counts.errors, 'error') : '',
    counts.expectedFailures ? plural(counts.expectedFailures, 'expected failure') : '',
    counts.unexpectedPasses
      ? plural(counts.unexpectedPasses, 'unexpected pass', 'unexpected passes')
      : '',
    counts.skipped ? `${counts.skipped} skipped` : '',
  ].filter(Boolean);
  return `${counts.passed} passed, ${counts.failed} failed${extra.length ? `, ${extra.join(', ')}` : ''}`;
}
