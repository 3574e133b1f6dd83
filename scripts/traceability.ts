/**
 * npm run check:traceability: every MUST of a class whose conformance suite is registered has a
 * case or a recorded reason why it cannot be certified from outside; prints coverage per class.
 */
import { readUntestable, requirementIndex } from '../conformance/framework/index.ts';
import { suites } from '../conformance/suite-registry.ts';
import { coverageLine, traceability } from '../conformance/traceability/traceability.ts';

const result = traceability(
  requirementIndex(),
  suites.map((s) => ({ class: s.class, cases: s.cases })),
  readUntestable(),
);
for (const line of result.coverage.map(coverageLine)) console.log(`traceability: ${line}`);
for (const problem of result.problems) console.error(`traceability: ${problem}`);
if (result.problems.length > 0) {
  console.error(`\n${result.problems.length} traceability problem(s).`);
  process.exitCode = 1;
}
