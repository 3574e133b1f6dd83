import type { Measurement } from './measurement.ts';
import type { ConformanceClass, Level } from './requirement-index.ts';

export type Lane = 'certify' | 'staging';

/** The data half of a case, validated by schemas/conformance/case.schema.json. */
export interface CaseMetadata {
  /** `<class>.<area>.<name>`, e.g. `package.container.zip64-record`. */
  id: string;
  /** One sentence saying what a conforming implementation does; unique across every suite. */
  description: string;
  /** Requirement ids the case proves; each binds `class` at `level`. */
  requirements: readonly string[];
  level: Level;
  class: ConformanceClass;
  /**
   * `certify` counts towards certification; `staging` (unsettled behaviour) runs only when asked
   * for and never counts [CNF-052].
   */
  lane: Lane;
  /** Why the case passes or fails: the observation it makes and the fault it exposes. */
  why: string;
  /** Overrides the suite's per-case timeout. */
  timeoutMs?: number;
}

/**
 * What a case function returns. A case of a time budget (one that cites an `@measure` requirement)
 * attaches its measurement, best through `budgetVerdict` of measurement.ts [CNF-061].
 */
export type CaseVerdict =
  | { status: 'pass'; note?: string; evidence?: string[]; measurement?: Measurement }
  | { status: 'fail'; reason: string; evidence?: string[]; measurement?: Measurement }
  | { status: 'skip'; reason: string };

/** What a case function receives. */
export interface CaseContext<Subject> {
  /** The implementation under test, as the suite opened it (a package, a server client, a host). */
  subject: Subject;
  /** Aborted when the case runs out of time; pass it to fetch() and other cancellable work. */
  signal: AbortSignal;
  /** Adds a line of evidence to the case's report entry, whatever its outcome. */
  note(line: string): void;
}

/** A case: metadata plus the function that observes the implementation and returns a verdict. */
export interface ConformanceCase<Subject> extends CaseMetadata {
  run(context: CaseContext<Subject>): CaseVerdict | Promise<CaseVerdict>;
}

/** The case passes; `note` says what it observed. */
export function pass(note?: string, evidence?: string[]): CaseVerdict {
  return { status: 'pass', ...(note ? { note } : {}), ...(evidence?.length ? { evidence } : {}) };
}

/** The case fails; `reason` is one line naming the fault (the report adds the requirement ids). */
export function fail(reason: string, evidence?: string[]): CaseVerdict {
  return { status: 'fail', reason, ...(evidence?.length ? { evidence } : {}) };
}

/** Passes when `faults` is empty; otherwise fails with the first as reason and all as evidence. */
export function fromFaults(faults: readonly string[], passNote?: string): CaseVerdict {
  if (faults.length === 0) return pass(passNote);
  const more = faults.length > 1 ? ` (and ${faults.length - 1} more)` : '';
  return fail(`${faults[0]}${more}`, faults.length > 1 ? [...faults] : []);
}

/**
 * The case does not apply to this target (a directory has no ZIP headers), or an earlier failure
 * makes it impossible to evaluate. A skip never counts as a pass; the reason says which it is.
 */
export function skip(reason: string): CaseVerdict {
  return { status: 'skip', reason };
}

/** Thrown by a case (or a helper it calls) to fail with a reason; any other error is a crash. */
export class CaseFailure extends Error {
  override name = 'CaseFailure';
  constructor(
    message: string,
    readonly evidence: string[] = [],
  ) {
    super(message);
  }
}

/** Fails the running case unless `condition` holds. */
export function check(condition: unknown, reason: string, evidence?: string[]): asserts condition {
  if (!condition) throw new CaseFailure(reason, evidence);
}

/** Identity function that gives a case literal its type (and keeps suites readable). */
export function defineCase<Subject>(
  definition: ConformanceCase<Subject>,
): ConformanceCase<Subject> {
  return definition;
}

/** The metadata of a case, without its function: what reports and the traceability check read. */
export function metadataOf(c: CaseMetadata): CaseMetadata {
  return {
    id: c.id,
    description: c.description,
    requirements: [...c.requirements],
    level: c.level,
    class: c.class,
    lane: c.lane,
    why: c.why,
    ...(c.timeoutMs === undefined ? {} : { timeoutMs: c.timeoutMs }),
  };
}
