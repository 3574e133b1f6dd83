import { performance } from 'node:perf_hooks';
import {
  CaseFailure,
  metadataOf,
  type CaseMetadata,
  type CaseVerdict,
  type ConformanceCase,
  type Lane,
} from './conformance-case.ts';
import { casePattern, matchesAny } from './case-pattern.ts';
import { expectationFor, type Expectation, type ExpectationSet } from './expectations.ts';
import type { Measurement } from './measurement.ts';
import { requirementIndex, type RequirementIndex } from './requirement-index.ts';
import type { Suite } from './suite.ts';

/**
 * The status of a case in a run (spec/conformance.md, "Reports"): `pass`, `fail` and `skip` as the
 * case said; `error` when the case could not reach a verdict (it crashed or ran out of time);
 * `expectedFailure` and `unexpectedPass` when the expectations file lists the case [CNF-051].
 */
export type CaseStatus = 'pass' | 'fail' | 'error' | 'skip' | 'expectedFailure' | 'unexpectedPass';

export interface CaseResult {
  metadata: CaseMetadata;
  /** The observations of the requirements the case cites (requirements.json `observed`). */
  observed: string[];
  status: CaseStatus;
  reason?: string;
  evidence: string[];
  expectation?: { reason: string; tracking?: string };
  /** The measurement of a case of a time budget [CNF-061]. */
  measurement?: Measurement;
  timedOut: boolean;
  crashed: boolean;
  durationMs: number;
}

export interface Selection {
  lanes: readonly Lane[];
  /** Case-id patterns (see case-pattern.ts); empty selects every case of the lanes. */
  only: readonly string[];
  /**
   * Ids of the MAY lines the implementation declares (the expectations file's optionalFeatures):
   * a MAY case runs only when it cites one of them, so an optional feature left out is not a failure.
   */
  optionalFeatures?: readonly string[];
}

export interface RunOptions<Subject> {
  suite: Suite<Subject>;
  subject: Subject;
  selection: Selection;
  expectations?: ExpectationSet;
  /** Default per-case timeout; a case's own timeoutMs still wins. */
  timeoutMs?: number;
  concurrency?: number;
  /** The run cannot certify for this reason, whatever the cases say (see OpenedTarget.incomplete). */
  incomplete?: string;
  /** Where each case's observations come from; the specification of this repository by default. */
  index?: RequirementIndex;
  /** Called as each case finishes, in the order they finish; `done` counts finished cases. */
  onCaseFinished?(result: CaseResult, done: number, total: number): void;
}

export interface RunResult {
  /** Results of the selected cases, in the suite's order. */
  cases: CaseResult[];
  selection: Selection;
  /** Selected cases and cases the suite has. */
  selected: number;
  available: number;
  /** MAY cases left out because the implementation did not declare their feature. */
  notDeclared: number;
  /** Some certify-lane MUST case was left out by the selection, or the target said why it cannot certify. */
  partial: boolean;
  /** The target's reason the run cannot certify, when it gave one. */
  incompleteReason?: string;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
}

/** Whether a MAY case's feature is declared; cases of other levels always run. */
export function declared(c: CaseMetadata, optionalFeatures: readonly string[] = []): boolean {
  return c.level !== 'MAY' || c.requirements.some((id) => optionalFeatures.includes(id));
}

/**
 * The cases a selection picks, in suite order: those of the chosen lanes (the staging lane only when
 * asked for [CNF-052]) matching a pattern, without the MAY cases of undeclared features.
 */
export function selectCases<Subject>(
  cases: readonly ConformanceCase<Subject>[],
  selection: Selection,
): ConformanceCase<Subject>[] {
  const patterns = selection.only.map(casePattern);
  return cases.filter(
    (c) =>
      selection.lanes.includes(c.lane) &&
      (patterns.length === 0 || matchesAny(c.id, patterns)) &&
      declared(c, selection.optionalFeatures),
  );
}

interface Settled {
  verdict: CaseVerdict;
  timedOut: boolean;
  crashed: boolean;
}

async function settle<Subject>(
  c: ConformanceCase<Subject>,
  subject: Subject,
  timeoutMs: number,
  notes: string[],
): Promise<Settled> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Settled>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`timed out after ${timeoutMs} ms`));
      resolve({
        verdict: { status: 'fail', reason: `timed out after ${timeoutMs} ms` },
        timedOut: true,
        crashed: false,
      });
    }, timeoutMs);
  });
  const attempt = (async (): Promise<Settled> => {
    try {
      const verdict = await c.run({
        subject,
        signal: controller.signal,
        note: (line) => void notes.push(line),
      });
      return { verdict, timedOut: false, crashed: false };
    } catch (error) {
      if (error instanceof CaseFailure) {
        return {
          verdict: { status: 'fail', reason: error.message, evidence: error.evidence },
          timedOut: false,
          crashed: false,
        };
      }
      // A crash of the case is a failure: a MUST that could not be shown to hold does not pass.
      const message = error instanceof Error ? error.message : String(error);
      return {
        verdict: { status: 'fail', reason: `the case could not complete: ${message}` },
        timedOut: false,
        crashed: true,
      };
    }
  })();
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function statusOf(settled: Settled, expectation: Expectation | undefined): CaseStatus {
  const own: CaseStatus = settled.timedOut || settled.crashed ? 'error' : settled.verdict.status;
  if (!expectation || own === 'skip') return own;
  return own === 'pass' ? 'unexpectedPass' : 'expectedFailure';
}

/**
 * A case of a time budget must state what it measured [CNF-061]: a pass or fail without a
 * measurement is the suite's own defect, reported as an error rather than a silent verdict.
 */
function withMeasurementRule(settled: Settled, observed: readonly string[]): Settled {
  const v = settled.verdict;
  if (!observed.includes('measure') || v.status === 'skip' || v.measurement) return settled;
  return {
    verdict: {
      status: 'fail',
      reason:
        'a case of a time budget returned no measurement (samples, percentile, value, budget)',
    },
    timedOut: false,
    crashed: true,
  };
}

function observationsOf(c: CaseMetadata, index: RequirementIndex): string[] {
  const seen = new Set<string>();
  for (const id of c.requirements) for (const o of index.byId.get(id)?.observed ?? []) seen.add(o);
  return [...seen];
}

async function runOne<Subject>(
  c: ConformanceCase<Subject>,
  options: RunOptions<Subject>,
): Promise<CaseResult> {
  const notes: string[] = [];
  const timeoutMs = c.timeoutMs ?? options.timeoutMs ?? options.suite.defaultTimeoutMs;
  const observed = observationsOf(c, options.index ?? requirementIndex());
  const started = performance.now();
  const settled = withMeasurementRule(await settle(c, options.subject, timeoutMs, notes), observed);
  const { verdict, timedOut, crashed } = settled;
  const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
  const expectation = expectationFor(options.expectations, c.id);
  const reason = verdict.status === 'pass' ? verdict.note : verdict.reason;
  const evidence = [...notes, ...(verdict.status === 'skip' ? [] : (verdict.evidence ?? []))];
  const measurement = verdict.status === 'skip' ? undefined : verdict.measurement;
  return {
    metadata: metadataOf(c),
    observed,
    status: statusOf(settled, expectation),
    ...(reason ? { reason } : {}),
    evidence,
    ...(measurement ? { measurement } : {}),
    ...(expectation
      ? {
          expectation: {
            reason: expectation.reason,
            ...(expectation.tracking ? { tracking: expectation.tracking } : {}),
          },
        }
      : {}),
    timedOut,
    crashed,
    durationMs,
  };
}

/** Runs the selected cases of a suite against an opened implementation. */
export async function runSuite<Subject>(options: RunOptions<Subject>): Promise<RunResult> {
  const { suite, selection } = options;
  const selected = selectCases(suite.cases, selection);
  const chosen = new Set(selected);
  const partial =
    options.incomplete !== undefined ||
    suite.cases.some((c) => c.lane === 'certify' && c.level === 'MUST' && !chosen.has(c));
  const notDeclared = suite.cases.filter(
    (c) => selection.lanes.includes(c.lane) && !declared(c, selection.optionalFeatures),
  ).length;
  const startedAt = new Date();
  const started = performance.now();
  const results: CaseResult[] = new Array<CaseResult>(selected.length);
  const concurrency = Math.max(1, options.concurrency ?? suite.concurrency ?? 1);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < selected.length) {
      const index = next++;
      const c = selected[index] as ConformanceCase<Subject>;
      const result = await runOne(c, options);
      results[index] = result;
      done += 1;
      options.onCaseFinished?.(result, done, selected.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, selected.length) }, worker));
  return {
    cases: results,
    selection,
    selected: selected.length,
    available: suite.cases.length,
    notDeclared,
    partial,
    ...(options.incomplete ? { incompleteReason: options.incomplete } : {}),
    startedAt,
    finishedAt: new Date(),
    durationMs: Math.round(performance.now() - started),
  };
}
