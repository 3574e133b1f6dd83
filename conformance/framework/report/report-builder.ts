import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConformanceReport } from '#schemas/generated/types/conformance/report.ts';
import { classCoverage, coveredIds, mustStanding, type SuiteCatalog } from '../coverage.ts';
import type { ExpectationSet } from '../expectations.ts';
import {
  repositoryRoot,
  type RequirementIndex,
  type SpecRequirement,
} from '../requirement-index.ts';
import type { CaseResult, RunResult } from '../runner.ts';
import type { ImplementationName, Suite, TargetDescription, TargetEnvironment } from '../suite.ts';
import { countResults, verdictOf } from '../verdict.ts';

export type { ConformanceReport };
export type RequirementStatus = ConformanceReport['requirements'][number]['status'];
export type ReportCase = ConformanceReport['cases'][number];

/** The suite's version: the version of the package that ships miniapp-certify. */
export const suiteVersion = (
  JSON.parse(readFileSync(path.join(repositoryRoot, 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

export interface ReportInput {
  suite: Suite<unknown>;
  target: TargetDescription;
  implementation: ImplementationName;
  environment?: TargetEnvironment;
  run: RunResult;
  expectations?: ExpectationSet;
  index: RequirementIndex;
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

/** The status of a requirement from the certify-lane cases of it that ran. */
function rollUp(results: readonly CaseResult[]): RequirementStatus {
  if (results.length === 0) return 'notRun';
  if (results.some((r) => r.status === 'fail' || r.status === 'error')) return 'fail';
  if (results.some((r) => r.status === 'expectedFailure')) return 'expectedFailure';
  if (results.some((r) => r.status === 'pass' || r.status === 'unexpectedPass')) return 'pass';
  return 'skip';
}

function caseEntry(r: CaseResult): ReportCase {
  return {
    id: r.metadata.id,
    description: r.metadata.description,
    requirements: [...r.metadata.requirements] as ReportCase['requirements'],
    level: r.metadata.level,
    lane: r.metadata.lane,
    observed: [...r.observed] as ReportCase['observed'],
    why: r.metadata.why,
    status: r.status,
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.evidence.length ? { evidence: r.evidence } : {}),
    ...(r.expectation ? { expectation: r.expectation } : {}),
    ...(r.measurement ? { measurement: r.measurement } : {}),
    ...(r.timedOut ? { timedOut: true } : {}),
    durationMs: r.durationMs,
  };
}

/** The machine that ran the suite. */
export function runnerEnvironment(): ConformanceReport['environment']['runner'] {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpu: cpus[0]?.model.trim() || 'unknown',
    cores: Math.max(1, cpus.length),
    memoryBytes: os.totalmem(),
    node: process.version,
  };
}

/** Builds the JSON report (schemas/conformance/report.schema.json) of a run [CNF-060]. */
export function buildReport(input: ReportInput): ConformanceReport {
  const { suite, run, index } = input;
  const cls = suite.class;
  const counts = countResults(run.cases);
  const covered = coveredIds(input.catalogs, cls);
  const certifyResults = run.cases.filter((c) => c.metadata.lane === 'certify');
  const suiteCases = suite.cases.filter((c) => c.lane === 'certify');
  const live = index.requirements.filter((r) => r.level !== null && r.classes.includes(cls));
  const requirements = live.map((r): ConformanceReport['requirements'][number] => {
    const citing = suiteCases.filter((c) => c.requirements.includes(r.id)).map((c) => c.id);
    const ran = certifyResults.filter((c) => c.metadata.requirements.includes(r.id));
    const standing = r.level === 'MUST' ? mustStanding(r, covered) : 'uncovered';
    const status: RequirementStatus =
      citing.length > 0
        ? rollUp(ran)
        : standing === 'notCertifiable' || standing === 'bindsSuite'
          ? standing
          : 'uncovered';
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
      ...(status === 'notCertifiable' && r.notCertifiable ? { reason: r.notCertifiable } : {}),
    };
  });
  const musts = requirements.filter((r) => r.level === 'MUST');
  const shoulds = requirements.filter((r) => r.level === 'SHOULD');
  const uncovered = musts.filter((r) => r.status === 'uncovered').map((r) => r.id);
  const verdict = verdictOf(run, uncovered);
  const documents = [...new Set(requirements.map((r) => r.document))].sort();
  const areas = documents.map((document) => {
    const own = musts.filter((r) => r.document === document);
    const with_ = (...statuses: RequirementStatus[]) =>
      own.filter((r) => statuses.includes(r.status)).length;
    return {
      document,
      musts: own.length,
      covered: own.filter((r) => covered.has(r.id)).length,
      notCertifiable: with_('notCertifiable', 'bindsSuite'),
      passed: with_('pass'),
      failed: with_('fail'),
      expectedFailures: with_('expectedFailure'),
      notRun: with_('notRun', 'skip'),
    };
  });
  const environment = input.environment ?? {};
  return {
    reportVersion: 1,
    suite: { name: 'miniapp-certify', version: suiteVersion },
    specVersion: index.specVersion,
    class: cls,
    implementation: { ...input.implementation },
    target: input.target,
    environment: {
      runner: runnerEnvironment(),
      ...(environment.deviceProfile ? { deviceProfile: environment.deviceProfile } : {}),
      ...(environment.serverLoad ? { serverLoad: environment.serverLoad } : {}),
    },
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
    durationMs: run.durationMs,
    selection: {
      lanes: [...run.selection.lanes],
      only: [...run.selection.only],
      optionalFeatures: [...(run.selection.optionalFeatures ?? [])],
      partial: run.partial,
      selected: run.selected,
      available: run.available,
      notDeclared: run.notDeclared,
    },
    expectations: input.expectations
      ? { file: input.expectations.file, entries: input.expectations.entries.length }
      : null,
    verdict,
    counts,
    coverage: {
      must: {
        total: musts.length,
        notCertifiable: musts.filter((r) => r.status === 'notCertifiable').length,
        bindsSuite: musts.filter((r) => r.status === 'bindsSuite').length,
        withCases: musts.filter((r) => r.cases.length > 0).length,
        passed: musts.filter((r) => r.status === 'pass').length,
        uncovered,
      },
      should: {
        total: shoulds.length,
        withCases: shoulds.filter((r) => r.cases.length > 0).length,
        passed: shoulds.filter((r) => r.status === 'pass').length,
      },
      classes: classCoverage(index, input.catalogs),
      areas,
    },
    notCertifiable: live
      .filter((r) => r.level === 'MUST' && r.notCertifiable !== null && !covered.has(r.id))
      .map((r) => ({ id: r.id, reason: r.notCertifiable as string })),
    cases: run.cases.map(caseEntry),
    requirements,
  };
}
