import type { CaseMetadata } from './conformance-case.ts';
import {
  bindsSuite,
  conformanceClasses,
  mustsOf,
  type ConformanceClass,
  type RequirementIndex,
} from './requirement-index.ts';

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
  /** MUSTs that a certify-lane case of the class cites. */
  covered: number;
  /** MUSTs listed in spec/conformance.md as not certifiable from outside (and without a case). */
  notCertifiable: number;
  /** `toolkit` MUSTs of spec/conformance.md: they bind miniapp-certify and its harness tests prove them. */
  bindsSuite: number;
  /** MUSTs with none of the above. */
  uncovered: string[];
  /** covered / (musts - notCertifiable - bindsSuite) in percent, one decimal. */
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

/**
 * How a MUST of a class stands before any run: covered by a case, not certifiable from outside
 * (the table of spec/conformance.md, read through requirements.json's `notCertifiable`), binding
 * the suite itself, or uncovered.
 */
export type MustStanding = 'covered' | 'notCertifiable' | 'bindsSuite' | 'uncovered';

export function mustStanding(
  r: {
    id: string;
    document: string;
    section: string;
    classes: string[];
    notCertifiable: string | null;
  },
  covered: ReadonlySet<string>,
): MustStanding {
  if (covered.has(r.id)) return 'covered';
  if (r.notCertifiable !== null) return 'notCertifiable';
  if (bindsSuite(r)) return 'bindsSuite';
  return 'uncovered';
}

export function classCoverage(
  index: RequirementIndex,
  catalogs: readonly SuiteCatalog[],
): ClassCoverage[] {
  return conformanceClasses.map((cls) => {
    const musts = mustsOf(index, cls);
    const covered = coveredIds(catalogs, cls);
    const tally = { covered: 0, notCertifiable: 0, bindsSuite: 0 };
    const uncovered: string[] = [];
    for (const r of musts) {
      const standing = mustStanding(r, covered);
      if (standing === 'uncovered') uncovered.push(r.id);
      else tally[standing] += 1;
    }
    const testable = musts.length - tally.notCertifiable - tally.bindsSuite;
    return {
      class: cls,
      suite: catalogs.some((s) => s.class === cls),
      musts: musts.length,
      ...tally,
      uncovered,
      percent: testable === 0 ? 100 : Math.round((tally.covered / testable) * 1000) / 10,
    };
  });
}
