/**
 * Runs every *.test.ts of the given folders with Node's built-in runner (Node 20 has no glob for --test).
 * Usage: tsx scripts/test.ts [folder or file ...] [-- extra node --test flags]
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const split = process.argv.indexOf('--');
const folders = (split >= 0 ? process.argv.slice(2, split) : process.argv.slice(2)).filter(Boolean);
const extra = split >= 0 ? process.argv.slice(split + 1) : [];
const roots =
  folders.length > 0
    ? folders
    : [
        'schemas',
        'sdk',
        'scripts',
        'examples',
        'reference-server',
        'reference-host',
        'conformance',
        'features',
        'load',
      ];

const files = roots
  .filter((target) => existsSync(path.join(root, target)))
  .flatMap((target) =>
    statSync(path.join(root, target)).isFile()
      ? [target]
      : readdirSync(path.join(root, target), { recursive: true, encoding: 'utf8' })
          .filter((f) => f.endsWith('.test.ts') && !f.split(path.sep).includes('node_modules'))
          .map((f) => path.join(target, f)),
  )
  .sort();

if (files.length === 0) {
  console.error(`no *.test.ts files under ${roots.join(', ')}`);
  process.exit(1);
}

// Server tests start from one migrated store, made once per set of migrations, instead of booting
// and migrating PGlite in every file (reference-server/test/store-snapshot.ts).
const env: NodeJS.ProcessEnv = { ...process.env };
if (files.some((f) => f.startsWith(`reference-server${path.sep}`))) {
  const started = Date.now();
  const { prepareStoreSnapshot, snapshotEnvironment } =
    await import('../reference-server/test/store-snapshot.ts');
  const folder = await prepareStoreSnapshot();
  Object.assign(env, snapshotEnvironment(folder));
  console.log(`# test store snapshot ${folder} (${Date.now() - started} ms)`);
}

// Node runs one test file at a time on a 2-core machine (available parallelism minus one); two at a
// time overlap the files that mostly wait (child servers, browsers, timeouts). A caller's own
// --test-concurrency wins (the PostgreSQL run needs 1: its files share one database).
const concurrency = extra.some((flag) => flag.startsWith('--test-concurrency'))
  ? []
  : [`--test-concurrency=${Math.max(2, availableParallelism() - 1)}`];

// *.serial.test.ts files measure time (certified budgets): they run after the others, one at a time,
// so that no other test file shares the machine while they measure.
const serial = files.filter((f) => f.endsWith('.serial.test.ts'));
const parallel = files.filter((f) => !f.endsWith('.serial.test.ts'));

function run(list: string[], flags: string[]): number {
  if (list.length === 0) return 0;
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', ...flags, ...extra, ...list],
    { cwd: root, stdio: 'inherit', env },
  );
  return result.status ?? 1;
}

const concurrent = run(parallel, concurrency);
const alone = run(
  serial,
  extra.some((flag) => flag.startsWith('--test-concurrency')) ? [] : ['--test-concurrency=1'],
);
process.exit(concurrent !== 0 ? concurrent : alone);
