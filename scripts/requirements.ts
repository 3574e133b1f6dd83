/**
 * Checks the spec's requirement ids: notation, uniqueness, and that every id cited anywhere in the
 * repository (code, schemas, examples, features, conformance cases) is defined by a spec document.
 */
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  parseSpec,
  requirementIdPattern,
  documentPrefixes,
  type SpecProblem,
} from './spec-document.ts';

const root = path.resolve(import.meta.dirname, '..');
const prefixes = new Set(Object.values(documentPrefixes));

async function main(): Promise<number> {
  const { requirements, problems } = await parseSpec(path.join(root, 'spec'));
  const defined = new Set(requirements.map((r) => r.id));
  const dangling: SpecProblem[] = [];
  const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(
      (f) =>
        f &&
        /\.(ts|js|mjs|json|ya?ml|md|feature|html)$/.test(f) &&
        !f.startsWith('spec/generated/') &&
        f !== 'package-lock.json',
    );
  for (const file of tracked) {
    let text: string;
    try {
      text = await readFile(path.join(root, file), 'utf8');
    } catch {
      continue; // deleted in the working tree
    }
    text.split('\n').forEach((line, index) => {
      for (const match of line.matchAll(requirementIdPattern)) {
        const [id, prefix] = match;
        if (prefix && prefixes.has(prefix) && !defined.has(id)) {
          dangling.push({
            file,
            line: index + 1,
            message: `${id} is cited but no spec document defines it`,
          });
        }
      }
    });
  }
  const all = [...problems.map((p) => ({ ...p, file: `spec/${p.file}` })), ...dangling];
  for (const p of all) console.error(`${p.file}:${p.line}: ${p.message}`);
  if (all.length > 0) {
    console.error(`\n${all.length} requirement-id problem(s).`);
    return 1;
  }
  console.log(`requirements: ${requirements.length} ids defined, every citation resolves.`);
  return 0;
}

process.exitCode = await main();
