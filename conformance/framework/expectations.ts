import { readFile } from 'node:fs/promises';
import { validatorFor } from '#schemas';
import type { ConformanceExpectations } from '#schemas/generated/types/conformance/expectations.ts';
import { casePattern } from './case-pattern.ts';
import type { ConformanceClass, RequirementIndex } from './requirement-index.ts';
import type { ImplementationName } from './suite.ts';
import { UsageError } from './usage-error.ts';

/** One expected failure, compiled. */
export interface Expectation {
  pattern: string;
  matcher: RegExp;
  reason: string;
  tracking?: string;
}

/** An implementer's expectations file, read and checked against its schema. */
export interface ExpectationSet {
  file: string;
  implementation?: ImplementationName;
  class?: ConformanceClass;
  /** Ids of the MAY lines the implementation declares; their cases run. */
  optionalFeatures: readonly string[];
  entries: readonly Expectation[];
}

/** Compiles expectations given as data (the file format of expectations.schema.json) [CNF-050]. */
export function expectationSet(file: string, data: unknown): ExpectationSet {
  const validate = validatorFor('conformance/expectations.schema.json');
  if (!validate(data)) {
    const first = validate.errors?.[0];
    throw new UsageError(
      `${file}: not a valid expectations file: ${first?.instancePath || '/'} ${first?.message ?? ''}; ` +
        'see schemas/conformance/expectations.schema.json',
    );
  }
  const parsed = data as ConformanceExpectations;
  return {
    file,
    ...(parsed.implementation ? { implementation: { ...parsed.implementation } } : {}),
    ...(parsed.class ? { class: parsed.class } : {}),
    optionalFeatures: [...(parsed.optionalFeatures ?? [])],
    entries: (parsed.expectedFailures ?? []).map((e) => ({
      pattern: e.case,
      matcher: casePattern(e.case),
      reason: e.reason,
      ...(e.tracking ? { tracking: e.tracking } : {}),
    })),
  };
}

/** Reads an expectations file; a missing, unreadable or invalid file is a usage error. */
export async function readExpectations(file: string): Promise<ExpectationSet> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the expectations file ${file}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not JSON: ${(error as Error).message}`);
  }
  return expectationSet(file, data);
}

/** The first expectation that names the case, if any. */
export function expectationFor(set: ExpectationSet | undefined, caseId: string) {
  return set?.entries.find((e) => e.matcher.test(caseId));
}

/** Patterns of the file that name no case of the suite: stale or misspelt lines. */
export function unmatchedExpectations(set: ExpectationSet, caseIds: readonly string[]): string[] {
  return set.entries.filter((e) => !caseIds.some((id) => e.matcher.test(id))).map((e) => e.pattern);
}

/**
 * Checks a valid expectations file against the suite it is used with, before anything runs: the
 * class it names, every pattern naming at least one case the suite has [CNF-050], and every
 * optional feature being a MAY line that binds the class. Throws UsageError otherwise (exit 2).
 */
export function checkExpectations(
  set: ExpectationSet,
  cls: ConformanceClass,
  caseIds: readonly string[],
  index: RequirementIndex,
): void {
  if (set.class !== undefined && set.class !== cls) {
    throw new UsageError(
      `${set.file} is an expectations file of the ${set.class} class, not ${cls}`,
    );
  }
  const unmatched = unmatchedExpectations(set, caseIds);
  if (unmatched.length > 0) {
    throw new UsageError(
      `${set.file} names cases the ${cls} suite does not have: ${unmatched.join(', ')}; ` +
        'fix or remove these lines (a renamed case keeps no expectation)',
    );
  }
  for (const id of set.optionalFeatures) {
    const r = index.byId.get(id);
    if (r?.level !== 'MAY' || !r.classes.includes(cls)) {
      throw new UsageError(
        `${set.file}: optional feature ${id} is not a MAY line of the ${cls} class; ` +
          'optionalFeatures lists the ids of the MAY lines the implementation implements',
      );
    }
  }
}
