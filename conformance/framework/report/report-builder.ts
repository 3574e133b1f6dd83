import type { ConformanceReport } from '#schemas/generated/types/conformance/report.ts';
import { classCoverage, coveredIds, type SuiteCatalog } from '../coverage.ts';
import { unmatchedExpectations, type ExpectationSet } from '../expectations.ts';
import type { RequirementIndex, SpecRequirement } from '../requirement-index.ts';
import type { CaseResult, RunResult } from '../runner.ts';
import type { Suite, TargetDescription } from '../suite.ts';
import { untestableEntry, type UntestableRequirement } from '../untestable.ts';
import { countResults, verdictOf } from '../verdict.ts';

export type { ConformanceReport };
export type RequirementStatus = ConformanceReport['requirements'][number]['status'];

export const toolVersion = '0.1.0';

export interface ReportInput {
  suite: Suite<unknown>;
  target: TargetDescription;
  run: RunResult;
  expectations?: ExpectationSet;
  index: RequirementIndex;
  untestable: readonly UntestableRequirement[];
  /** The case metadata of every registered suite, for the coverage matrix. */
  catalogs: readonly SuiteCatalog[];
  /**
   * Link to a requirement's line: `{doc}`, `{line}` and `{id}` are replaced,
   * e.g. `../spec/{doc}#L{line}` or `https://example.org/spec/blob/main/spec/{doc}#L{line}`.
   */
  specLink: string;
}

/** Fills a spec-link template for one requirement. */
export function specHref(template: string, r: Pick<SpecRequirement, 'document' | 'line' | 'id'>) {
  return template
    .replaceAll('{doc}', r.document)
    .replaceAll('{line}', String(r.line))
    .replaceAll('{id}', r.id);
}

function rollUp(results: readonly CaseResult[]): RequirementStatus {
  if (results.length === 0) return 'not-run';
  if (results.some((r) => r.outcome === 'fail')) return 'fail';
  if (results.some((r) => r.outcome === 'xfail')) return 'xfail';
  if (results.some((r) => r.outcome === 'pass' || r.outcome === 'xpass')) return 'pass';
  return 'skip';
}

function caseEntry(r: CaseResult): ConformanceReport['cases'][number] {
  return {
    id: r.metadata.id,
    description: r.metadata.description,
    requirements: [...r.metadata.requirements],
    level: r.metadata.level,
    lane: r.metadata.lane,
    why: r.metadata.why,
    outcome: r.outcome,
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.evidence.length ? { evidence: r.evidence } : {}),
    ...(r.expectation ? { expectation: r.expectation } : {}),
    ...(r.timedOut ? { timedOut: true } : {}),
    ...(r.crashed ? { crashed: true } : {}),
    durationMs: r.durationMs,
  };
}

/** Builds the JSON report (schemas/conformance/report.schema.json) of a run. */
export function buildReport(input: ReportInput): ConformanceReport {
  const { suite, run, index } = input;
  const cls = suite.class;
  const counts = countResults(run.cases);
  const verdict = verdictOf(run);
  const certifyResults = run.cases.filter((c) => c.metadata.lane === 'certify');
  const suiteCases = suite.cases.filter((c) => c.lane === 'certify');
  const requirements = index.requirements
    .filter((r) => r.level !== null && r.classes.includes(cls))
    .map((r): ConformanceReport['requirements'][number] => {
      const citing = suiteCases.filter((c) => c.requirements.includes(r.id)).map((c) => c.id);
      const ran = certifyResults.filter((c) => c.metadata.requirements.includes(r.id));
      const untestable = untestableEntry(input.untestable, r.id, cls, index);
      const status: RequirementStatus =
        citing.length > 0 ? rollUp(ran) : untestable ? 'untestable' : 'uncovered';
      return {
        id: r.id,
        level: r.level ?? 'MUST',
        document: r.document,
        section: r.section,
        line: r.line,
        href: specHref(input.specLink, r),
        text: r.text,
        status,
        cases: citing,
        ...(untestable && citing.length === 0 ? { untestableReason: untestable.reason } : {}),
      };
    });
  const covered = coveredIds(input.catalogs, cls);
  const documents = [...new Set(requirements.map((r) => r.document))].sort();
  const areas = documents.map((document) => {
    const musts = requirements.filter((r) => r.document === document && r.level === 'MUST');
    const with_ = (...statuses: RequirementStatus[]) =>
      musts.filter((r) => statuses.includes(r.status)).length;
    return {
      document,
      musts: musts.length,
      covered: musts.filter((r) => covered.has(r.id)).length,
      untestable: with_('untestable'),
      passed: with_('pass'),
      failed: with_('fail'),
      expectedFailures: with_('xfail'),
      notRun: with_('not-run', 'skip'),
    };
  });
  return {
    reportVersion: 1,
    tool: { name: 'miniapp-certify', version: toolVersion },
    specVersion: index.specVersion,
    class: cls,
    target: input.target,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
    durationMs: run.durationMs,
    selection: {
      lanes: [...run.selection.lanes],
      only: [...run.selection.only],
      partial: run.partial,
      selected: run.selected,
      available: run.available,
    },
    expectations: input.expectations
      ? {
          file: input.expectations.file,
          ...(input.expectations.implementation
            ? { implementation: input.expectations.implementation }
            : {}),
          entries: input.expectations.entries.length,
          unmatched: unmatchedExpectations(
            input.expectations,
            suite.cases.map((c) => c.id),
          ),
        }
      : null,
    verdict,
    counts,
    cases: run.cases.map(caseEntry),
    requirements,
    coverage: {
      classes: classCoverage(index, input.catalogs, input.untestable),
      areas,
    },
  };
}
