import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A harness test title that cites requirement ids, and where it is. */
export interface HarnessTest {
  file: string;
  title: string;
}

/** `it('...')`, `test("...")`, `describe(`...`)`: the first argument when it is a string. */
const titled = /\b(?:it|test|describe)\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;
const cited = /\[([A-Z]{3}-\d{3})\]/g;

function testFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...testFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.test.ts')) found.push(full);
  }
  return found;
}

/** The requirement ids cited, as `[ABC-012]`, in the titles of the tests of one source text. */
export function citationsIn(source: string): Map<string, string[]> {
  const byId = new Map<string, string[]>();
  for (const match of source.matchAll(titled)) {
    const title = match[2] ?? '';
    for (const id of title.matchAll(cited)) {
      const key = id[1] as string;
      byId.set(key, [...(byId.get(key) ?? []), title]);
    }
  }
  return byId;
}

/**
 * Requirement ids that the harness tests of the conformance suite (every `*.test.ts` below
 * `folder`) cite in a test or describe title, with the tests that cite them. The traceability
 * check counts them for the lines that bind miniapp-certify itself.
 */
export function harnessCitations(folder: string): Map<string, HarnessTest[]> {
  const byId = new Map<string, HarnessTest[]>();
  for (const file of testFiles(folder)) {
    const relative = path.relative(folder, file).split(path.sep).join('/');
    for (const [id, titles] of citationsIn(readFileSync(file, 'utf8'))) {
      const tests = titles.map((title) => ({ file: relative, title }));
      byId.set(id, [...(byId.get(id) ?? []), ...tests]);
    }
  }
  return byId;
}
