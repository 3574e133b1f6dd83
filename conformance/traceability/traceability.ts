import {
  bindsSuite,
  checkCatalog,
  classCoverage,
  coveredIds,
  type ClassCoverage,
  type ConformanceClass,
  type RequirementIndex,
  type SuiteCatalog,
} from '../framework/index.ts';
import type { HarnessTest } from './harness-citations.ts';

export interface Traceability {
  /** Each problem fails `npm run check`. */
  problems: string[];
  coverage: ClassCoverage[];
}

/**
 * Sections of spec/conformance.md whose `toolkit` lines bind the part of miniapp-certify that
 * drives one class (its credentials reader, its conformance distribution server): their harness
 * tests live with that class's suite, so they are enforced once that suite is registered.
 */
const sectionSuites: Record<string, ConformanceClass> = {
  'Server adapter': 'server',
  'Server load': 'server',
  'Host adapter': 'host',
  Bindings: 'host',
  Sessions: 'host',
  Commands: 'host',
  Outcomes: 'host',
  'Adapter errors': 'host',
  'Host screens': 'host',
  'Probe mini-app': 'host',
  'Conformance distribution server': 'host',
};

const table = "spec/conformance.md's table of requirements not certifiable from outside";

/**
 * Ties cases to the specification. For every class whose suite is registered, each MUST has a
 * certify-lane case or a row in the table of spec/conformance.md (`notCertifiable` in
 * requirements.json); for the `toolkit` class, a line of spec/conformance.md binds miniapp-certify
 * itself and needs instead a harness test that cites its id in its title. Every case cites existing
 * requirements of its class and level, and no row of the table names a MUST that a case certifies.
 */
export function traceability(
  index: RequirementIndex,
  catalogs: readonly SuiteCatalog[],
  harness: ReadonlyMap<string, readonly HarnessTest[]>,
): Traceability {
  const problems = checkCatalog(
    catalogs.flatMap((c) => c.cases),
    index,
  ).map((p) => `case ${p.caseId}: ${p.message}`);
  const coverage = classCoverage(index, catalogs);
  const registered = new Set(catalogs.map((c) => c.class));
  for (const c of coverage.filter((x) => x.suite)) {
    for (const id of c.uncovered) {
      problems.push(
        `${id} is a ${c.class} MUST without a certify-lane case and without a row in ${table}`,
      );
    }
  }
  if (registered.has('toolkit')) {
    const covered = coveredIds(catalogs, 'toolkit');
    for (const r of index.requirements) {
      if (r.level !== 'MUST' || !bindsSuite(r) || covered.has(r.id) || r.notCertifiable) continue;
      const owner = sectionSuites[r.section];
      if (owner && !registered.has(owner)) continue;
      if ((harness.get(r.id) ?? []).length === 0) {
        problems.push(
          `${r.id} binds miniapp-certify itself (spec/conformance.md, "${r.section}") but no harness test under conformance/ cites [${r.id}] in its title`,
        );
      }
    }
  }
  for (const r of index.requirements) {
    if (r.notCertifiable === null) continue;
    for (const cls of r.classes) {
      if (!registered.has(cls as ConformanceClass)) continue;
      const citing = catalogs
        .filter((s) => s.class === cls)
        .flatMap((s) => s.cases)
        .find((c) => c.lane === 'certify' && c.requirements.includes(r.id));
      if (citing) {
        problems.push(
          `${r.id} is listed in ${table}, but case ${citing.id} certifies it for ${cls}: remove the row or the citation`,
        );
      }
    }
  }
  return { problems, coverage };
}

/** One line per class: the figure the check prints and the reports repeat. */
export function coverageLine(c: ClassCoverage): string {
  const testable = c.musts - c.notCertifiable - c.bindsSuite;
  const state = c.suite ? 'enforced' : 'no suite yet, not enforced';
  const suite = c.bindsSuite ? `, ${c.bindsSuite} bind miniapp-certify (harness tests)` : '';
  return `${c.class}: ${c.covered}/${testable} testable MUSTs have a case (${c.percent}%), ${c.notCertifiable} of ${c.musts} not certifiable from outside${suite} [${state}]`;
}
