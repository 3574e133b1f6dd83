import { readFile } from 'node:fs/promises';
import { validatorFor } from '#schemas';
import type { ConformanceExpectations } from '#schemas/generated/types/conformance/expectations.ts';
import { casePattern } from './case-pattern.ts';
import { UsageError } from './usage-error.ts';

/** One expected failure, compiled. */
export interface Expectation {
  pattern: string;
  matcher: RegExp;
  reason: string;
  tracking?: string;
}

/** An implementer's expectations file, read and checked. */
export interface ExpectationSet {
  file: string;
  implementation?: string;
  entries: readonly Expectation[];
}

/** Compiles expectations given as data (the file format of expectations.schema.json). */
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
    ...(parsed.implementation ? { implementation: parsed.implementation } : {}),
    entries: parsed.expectedFailures.map((e) => ({
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
