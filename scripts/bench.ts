/**
 * `npm run bench`: runs every `<area>/bench/*.bench.ts`, each pairing a subject with a baseline that is
 * measured in the same run, alternately, so machine noise hits both. Reports medians and the ratio.
 * Usage: tsx scripts/bench.ts [filter] [--samples N] [--json out.json]
 */
import { readdirSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  runComparison,
  formatTable,
  type BenchmarkModule,
  type ComparisonResult,
} from './bench-harness.ts';

const root = path.resolve(import.meta.dirname, '..');
const { values, positionals } = parseArgs({
  options: { samples: { type: 'string' }, json: { type: 'string' } },
  allowPositionals: true,
});
const filter = positionals[0];
const samples = values.samples ? Number(values.samples) : undefined;

const files = ['sdk', 'reference-server', 'reference-host']
  .map((area) => path.join(root, area, 'bench'))
  .filter((dir) => existsSync(dir))
  .flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.bench.ts'))
      .map((f) => path.join(dir, f)),
  )
  .sort();

const results: ComparisonResult[] = [];
for (const file of files) {
  const module = (await import(file)) as BenchmarkModule;
  for (const comparison of await module.comparisons()) {
    if (filter && !comparison.name.includes(filter)) continue;
    process.stderr.write(`bench: ${comparison.name} ...\n`);
    results.push(await runComparison(comparison, samples));
  }
  await module.teardown?.();
}
console.log(formatTable(results));
if (values.json)
  writeFileSync(
    values.json,
    `${JSON.stringify({ node: process.version, date: new Date().toISOString(), results }, null, 2)}\n`,
  );
