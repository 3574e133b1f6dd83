import { validatorFor } from '#schemas';
import { metadataOf, type CaseMetadata } from './conformance-case.ts';
import type { RequirementIndex } from './requirement-index.ts';

/** A defect in the metadata of a case: the suite refuses to run until it is fixed. */
export interface CatalogProblem {
  caseId: string;
  message: string;
}

/**
 * Checks the metadata of every case of every suite: valid against case.schema.json, ids and
 * descriptions unique, ids prefixed by their class, and each cited requirement defined, not
 * withdrawn, binding the case's class at the case's level.
 */
export function checkCatalog(
  cases: readonly CaseMetadata[],
  index: RequirementIndex,
): CatalogProblem[] {
  const validate = validatorFor('conformance/case.schema.json');
  const problems: CatalogProblem[] = [];
  const ids = new Map<string, number>();
  const descriptions = new Map<string, string>();
  for (const c of cases) {
    const data = metadataOf(c);
    if (!validate(data)) {
      for (const e of validate.errors ?? []) {
        problems.push({ caseId: c.id, message: `metadata ${e.instancePath || '/'} ${e.message}` });
      }
    }
    ids.set(c.id, (ids.get(c.id) ?? 0) + 1);
    const key = c.description.trim().toLowerCase();
    const first = descriptions.get(key);
    if (first !== undefined) {
      problems.push({ caseId: c.id, message: `repeats the description of ${first}` });
    } else {
      descriptions.set(key, c.id);
    }
    if (!c.id.startsWith(`${c.class}.`)) {
      problems.push({ caseId: c.id, message: `the id must start with its class "${c.class}."` });
    }
    for (const id of c.requirements) {
      const requirement = index.byId.get(id);
      if (!requirement) {
        problems.push({ caseId: c.id, message: `cites ${id}, which no spec document defines` });
        continue;
      }
      if (requirement.level === null) {
        problems.push({ caseId: c.id, message: `cites ${id}, which is withdrawn` });
        continue;
      }
      if (!requirement.classes.includes(c.class)) {
        problems.push({
          caseId: c.id,
          message: `cites ${id}, which binds ${requirement.classes.join(', ')}, not ${c.class}`,
        });
      }
      if (requirement.level !== c.level) {
        problems.push({
          caseId: c.id,
          message: `is a ${c.level} case but cites ${id}, a ${requirement.level} requirement`,
        });
      }
    }
  }
  for (const [id, n] of ids) {
    if (n > 1) problems.push({ caseId: id, message: `the id is used by ${n} cases` });
  }
  return problems;
}
