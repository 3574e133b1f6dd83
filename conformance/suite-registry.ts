import type { Suite } from './framework/index.ts';
import { hostSuite } from './suites/host-suite.ts';
import { packageSuite } from './suites/package-suite.ts';
import { serverSuite } from './server/server-suite.ts';

/**
 * Every conformance suite, one per class. Registering a suite here makes `miniapp-certify <class>`
 * run it and makes `npm run check` enforce that every MUST of its class has a case (or a recorded
 * reason why it cannot be certified from outside).
 */
export const suites: readonly Suite<unknown>[] = [
  packageSuite as Suite<unknown>,
  serverSuite as Suite<unknown>,
  hostSuite as Suite<unknown>,
];

/** The suite of a class, if one is registered. */
export function suiteFor(cls: string): Suite<unknown> | undefined {
  return suites.find((s) => s.class === cls);
}
