import {
  checkCatalog,
  classCoverage,
  coveredIds,
  type ClassCoverage,
  type ConformanceClass,
  type RequirementIndex,
  type SuiteCatalog,
  type UntestableRequirement,
} from '../framework/index.ts';

export interface Traceability {
  /** Each problem fails `npm run check`. */
  problems: string[];
  coverage: ClassCoverage[];
}

/**
 * Ties cases to the specification: every MUST of a class whose suite is registered has a
 * certify-lane case or a recorded reason why it cannot be certified from outside; every case
 * cites existing requirements of its class and level; every untestable entry is live and needed.
 */
export function traceability(
  index: RequirementIndex,
  catalogs: readonly SuiteCatalog[],
  untestable: readonly UntestableRequirement[],
): Traceability {
  const problems = checkCatalog(
    catalogs.flatMap((c) => c.cases),
    index,
  ).map((p) => `case ${p.caseId}: ${p.message}`);
  const coverage = classCoverage(index, catalogs, untestable);
  for (const c of coverage.filter((x) => x.suite)) {
    for (const id of c.uncovered) {
      problems.push(
        `${id} is a ${c.class} MUST without a certify-lane case and without an entry in conformance/untestable.json`,
      );
    }
  }
  const seen = new Set<string>();
  for (const entry of untestable) {
    const requirement = index.byId.get(entry.id);
    if (seen.has(entry.id)) problems.push(`untestable ${entry.id}: listed twice`);
    seen.add(entry.id);
    if (!requirement) {
      problems.push(`untestable ${entry.id}: no spec document defines it`);
      continue;
    }
    if (requirement.level !== 'MUST') {
      problems.push(
        `untestable ${entry.id}: only MUSTs need a reason, this is ${requirement.level ?? 'withdrawn'}`,
      );
      continue;
    }
    const classes = (entry.classes ?? requirement.classes).filter(
      (c): c is ConformanceClass => c === 'package' || c === 'server' || c === 'host',
    );
    for (const cls of entry.classes ?? []) {
      if (!requirement.classes.includes(cls)) {
        problems.push(`untestable ${entry.id}: it does not bind ${cls}`);
      }
    }
    for (const cls of classes) {
      const citing = catalogs
        .filter((s) => s.class === cls)
        .flatMap((s) => s.cases)
        .filter((c) => c.lane === 'certify' && c.requirements.includes(entry.id));
      if (citing.length > 0 && coveredIds(catalogs, cls).has(entry.id)) {
        problems.push(
          `untestable ${entry.id}: case ${citing[0]?.id ?? ''} certifies it for ${cls}; remove the entry or narrow its classes`,
        );
      }
    }
  }
  return { problems, coverage };
}

/** One line per class: the figure the check prints and the reports repeat. */
export function coverageLine(c: ClassCoverage): string {
  const testable = c.musts - c.untestable;
  const state = c.suite ? 'enforced' : 'no suite yet, not enforced';
  return `${c.class}: ${c.covered}/${testable} testable MUSTs have a case (${c.percent}%), ${c.untestable} of ${c.musts} not certifiable from outside [${state}]`;
}
