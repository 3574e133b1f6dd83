import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import type { Generator } from './generator.ts';
import { readErrorRegistry } from './20-error-codes.ts';
import { listSchemaFiles } from './schema-files.ts';

/** Keywords an object-form x-error-code may name: those a schema node can fail on, and `*`. */
const failingKeywords = new Set([
  '*',
  'type',
  'const',
  'enum',
  'required',
  'dependentRequired',
  'additionalProperties',
  'unevaluatedProperties',
  'propertyNames',
  'minProperties',
  'maxProperties',
  'minItems',
  'maxItems',
  'uniqueItems',
  'contains',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'not',
  'oneOf',
  'anyOf',
  'if',
]);

/** One x-error-code that does not name a registered code (or a known keyword). */
export interface AnnotationProblem {
  file: string;
  pointer: string;
  message: string;
}

/**
 * Finds every `x-error-code` in a document and checks it: a registered code, or an object from
 * failing keywords (or `*`) to registered codes [ERR-002].
 */
export function checkErrorAnnotations(
  file: string,
  document: unknown,
  codes: ReadonlySet<string>,
): AnnotationProblem[] {
  const problems: AnnotationProblem[] = [];
  const visit = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${pointer}/${i}`));
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      const at = `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (key !== 'x-error-code') {
        visit(value, at);
        continue;
      }
      const entries: [string, unknown][] =
        typeof value === 'string'
          ? [['*', value]]
          : typeof value === 'object' && value !== null && !Array.isArray(value)
            ? Object.entries(value)
            : [['*', value]];
      for (const [keyword, code] of entries) {
        if (!failingKeywords.has(keyword))
          problems.push({
            file,
            pointer: at,
            message: `"${keyword}" is not a keyword a schema fails on`,
          });
        if (typeof code !== 'string' || !codes.has(code))
          problems.push({
            file,
            pointer: at,
            message: `${JSON.stringify(code)} is not a code of schemas/errors/codes/*.json`,
          });
      }
    }
  };
  visit(document, '');
  return problems;
}

/** Checks every x-error-code of the schemas and the OpenAPI document; writes no file. */
const generator: Generator = {
  name: 'error-code annotations',
  order: 25,
  async run(root) {
    const codes = new Set((await readErrorRegistry(root)).map((entry) => entry.code));
    const files = [...(await listSchemaFiles(root)), 'schemas/distribution/openapi.yaml'];
    const problems: AnnotationProblem[] = [];
    for (const file of files) {
      const text = await readFile(path.join(root, file), 'utf8');
      const document: unknown = file.endsWith('.yaml') ? parse(text) : JSON.parse(text);
      problems.push(...checkErrorAnnotations(file, document, codes));
    }
    if (problems.length > 0) {
      throw new Error(
        `x-error-code problems:\n${problems.map((p) => `  ${p.file}#${p.pointer}: ${p.message}`).join('\n')}`,
      );
    }
    return [];
  },
};

export default generator;
