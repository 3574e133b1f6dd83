import type { CaseMetadata } from './conformance-case.ts';
import {
  conformanceClasses,
  mustsOf,
  type ConformanceClass,
  type RequirementIndex,
} from './requirement-index.ts';
import { untestableEntry, type UntestableRequirement } from './untestable.ts';

/** The case metadata of the suite of one class, as the suite registry lists it. */
export interface SuiteCatalog {
  class: ConformanceClass;
  cases: readonly CaseMetadata[];
}

export interface ClassCoverage {
  class: ConformanceClass;
  /** A suite exists for the class, so its coverage is enforced. */
  suite: boolean;
  musts: number;
  covered: number;
  untestable: number;
  uncovered: string[];
  /** covered / (musts - untestable) in percent, one decimal. */
  percent: number;
}

/** Ids of the MUSTs of `cls` that a certify-lane case of that class cites. */
export function coveredIds(catalogs: readonly SuiteCatalog[], cls: ConformanceClass): Set<string> {
  const ids = new Set<string>();
  for (const catalog of catalogs.filter((s) => s.class === cls)) {
    for (const c of catalog.cases) {
      if (c.lane === 'certify' && c.class === cls) for (const id of c.requirements) ids.add(id);
    }
  }
  return ids;
}

export function classCoverage(
  index: RequirementIndex,
  catalogs: readonly SuiteCatalog[],
  untestable: readonly UntestableRequirement[],
): ClassCoverage[] {
  return conformanceClasses.map((cls) => {
    const musts = mustsOf(index, cls);
    const covered = coveredIds(catalogs, cls);
    let coveredCount = 0;
    let untestableCount = 0;
    const uncovered: string[] = [];
    for (const r of musts) {
      if (covered.has(r.id)) coveredCount += 1;
      else if (untestableEntry(untestable, r.id, cls, index)) untestableCount += 1;
      else uncovered.push(r.id);
    }
    const testable = musts.length - untestableCount;
    return {
      class: cls,
      suite: catalogs.some((s) => s.class === cls),
      musts: musts.length,
      covered: coveredCount,
      untestable: untestableCount,
      uncovered,
      percent: testable === 0 ? 100 : Math.round((coveredCount / testable) * 1000) / 10,
    };
  });
}
