/**
 * npm run check:traceability: every MUST of a class whose conformance suite is registered has a
 * case or a row in spec/conformance.md's table of requirements not certifiable from outside (or,
 * for the lines that bind miniapp-certify itself, a harness test citing it); prints coverage per class.
 */
import path from 'node:path';
import { repositoryRoot, requirementIndex } from '../conformance/framework/index.ts';
import { suites } from '../conformance/suite-registry.ts';
import { harnessCitations } from '../conformance/traceability/harness-citations.ts';
import { coverageLine, traceability } from '../conformance/traceability/traceability.ts';

const result = traceability(
  requirementIndex(),
  suites.map((s) => ({ class: s.class, cases: s.cases })),
  harnessCitations(path.join(repositoryRoot, 'conformance')),
);
for (const line of result.coverage.map(coverageLine)) console.log(`traceability: ${line}`);
for (const problem of result.problems) console.error(`traceability: ${problem}`);
if (result.problems.length > 0) {
  console.error(`\n${result.problems.length} traceability problem(s).`);
  process.exitCode = 1;
}
