import fc from 'fast-check';
import { CaseFailure } from '../../framework/index.ts';

/**
 * Runs a fast-check property against the live server with a bounded number of runs and the run's seed,
 * and turns a counterexample into a case failure whose evidence replays it.
 */
export async function checkProperty<Ts extends [unknown, ...unknown[]]>(
  property: fc.IAsyncPropertyWithHooks<Ts>,
  options: { seed: number; numRuns: number },
): Promise<void> {
  const result = await fc.check(property, { ...options, endOnFailure: true });
  if (!result.failed) return;
  const error = result.errorInstance;
  const reason = error instanceof Error ? error.message : String(error);
  const evidence = [
    `replay with --seed ${options.seed} (fast-check path ${String(result.counterexamplePath)})`,
    `counterexample: ${JSON.stringify(result.counterexample).slice(0, 2000)}`,
    ...(error instanceof CaseFailure ? error.evidence : []),
  ];
  throw new CaseFailure(reason, evidence);
}
