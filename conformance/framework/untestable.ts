import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validatorFor } from '#schemas';
import type { UntestableRequirements } from '#schemas/generated/types/conformance/untestable.ts';
import {
  repositoryRoot,
  type ConformanceClass,
  type RequirementIndex,
} from './requirement-index.ts';

/** A MUST that no case can observe from outside an implementation of some class, and why. */
export interface UntestableRequirement {
  id: string;
  /** The classes it cannot be certified for; every class it binds when absent. */
  classes?: ConformanceClass[];
  reason: string;
}

export const untestableFile = path.join(repositoryRoot, 'conformance', 'untestable.json');

/**
 * The requirements recorded as not certifiable from outside (conformance/untestable.json, checked
 * against schemas/conformance/untestable.schema.json).
 */
export function readUntestable(file = untestableFile): UntestableRequirement[] {
  const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const validate = validatorFor('conformance/untestable.schema.json');
  if (!validate(data)) {
    throw new Error(`${file} is invalid: ${JSON.stringify(validate.errors)}`);
  }
  return (data as UntestableRequirements).map((e) => ({
    id: e.id,
    ...(e.classes ? { classes: e.classes } : {}),
    reason: e.reason,
  }));
}

/** The entry that records `id` as untestable for `cls`, if any. */
export function untestableEntry(
  entries: readonly UntestableRequirement[],
  id: string,
  cls: ConformanceClass,
  index: RequirementIndex,
): UntestableRequirement | undefined {
  return entries.find(
    (e) => e.id === id && (e.classes ?? index.byId.get(id)?.classes ?? []).includes(cls),
  );
}
