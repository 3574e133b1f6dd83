/**
 * Runs every *.test.ts of the given folders with Node's built-in runner (Node 20 has no glob for --test).
 * Usage: tsx scripts/test.ts [folder or file ...] [-- extra node --test flags]
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const split = process.argv.indexOf('--');
const folders = (split >= 0 ? process.argv.slice(2, split) : process.argv.slice(2)).filter(Boolean);
const extra = split >= 0 ? process.argv.slice(split + 1) : [];
const roots =
  folders.length > 0
    ? folders
    : ['schemas', 'sdk', 'scripts', 'examples', 'reference-server', 'conformance', 'load'];

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
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...extra, ...files],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
