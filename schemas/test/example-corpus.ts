import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { schemaBaseUri, schemasRoot } from '#schemas';

/** One document of `schemas/<area>/examples/{pass,fail}/*.json` (see example-case.schema.json). */
export interface ExampleCase {
  description: string;
  schema: string;
  requirement?: string;
  data: unknown;
}

/** An example file located in the corpus. */
export interface ExampleFile {
  /** Folder below schemas/ that holds `examples/`; empty for schemas/examples itself. */
  area: string;
  verdict: 'pass' | 'fail';
  /** Path below schemas/, with forward slashes. */
  file: string;
}

function toPosix(rel: string): string {
  return rel.split(path.sep).join('/');
}

/** Every example file under schemas/, sorted by path. */
export function findExampleFiles(): ExampleFile[] {
  const found: ExampleFile[] = [];
  for (const rel of readdirSync(schemasRoot, { recursive: true, encoding: 'utf8' })) {
    const parts = rel.split(path.sep);
    if (parts.includes('node_modules') || !rel.endsWith('.json')) continue;
    const at = parts.indexOf('examples');
    const verdict = parts[at + 1];
    // Only files directly inside examples/pass or examples/fail belong to the corpus.
    if (at < 0 || parts.length !== at + 3 || (verdict !== 'pass' && verdict !== 'fail')) continue;
    found.push({ area: parts.slice(0, at).join('/'), verdict, file: toPosix(rel) });
  }
  return found.sort((a, b) => a.file.localeCompare(b.file));
}

/** Reads an example file; the caller validates it against example-case.schema.json. */
export function readExample(example: ExampleFile): ExampleCase {
  return JSON.parse(readFileSync(path.join(schemasRoot, example.file), 'utf8')) as ExampleCase;
}

/** Path below schemas/ of the schema file an example targets, without its fragment. */
export function exampleSchemaFile(example: ExampleFile, testCase: ExampleCase): string {
  const file = testCase.schema.split('#')[0] ?? testCase.schema;
  return path.posix.normalize(example.area ? `${example.area}/${file}` : file);
}

/** Absolute `$id` (with the fragment, if any) of the schema an example targets. */
export function exampleSchemaUri(example: ExampleFile, testCase: ExampleCase): string {
  const hash = testCase.schema.indexOf('#');
  const fragment = hash < 0 ? '' : testCase.schema.slice(hash);
  return schemaBaseUri + exampleSchemaFile(example, testCase) + fragment;
}

/** Every hand-written `*.schema.json` below schemas/ (generated output and examples excluded). */
export function handWrittenSchemaFiles(): string[] {
  return readdirSync(schemasRoot, { recursive: true, encoding: 'utf8' })
    .filter((rel) => {
      const parts = rel.split(path.sep);
      return (
        rel.endsWith('.schema.json') &&
        !parts.some((p) => p === 'generated' || p === 'examples' || p === 'node_modules')
      );
    })
    .map(toPosix)
    .sort();
}
