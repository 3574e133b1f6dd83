import { requirementIndex, type ConformanceCase } from '../../framework/index.ts';
import type { ServerSubject } from '../subject/server-subject.ts';

/** The cases whose every cited requirement is a live server MUST of the specification in this checkout. */
export function definedCases(
  cases: ConformanceCase<ServerSubject>[],
): ConformanceCase<ServerSubject>[] {
  const index = requirementIndex();
  return cases.filter((c) =>
    c.requirements.every(
      (id) =>
        index.byId.get(id)?.level === 'MUST' && index.byId.get(id)?.classes.includes('server'),
    ),
  );
}
