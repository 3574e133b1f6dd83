import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { doNotEditJson, doNotEditTs, type GeneratedFile, type Generator } from './generator.ts';

export interface ErrorCodeEntry {
  code: string;
  area: string;
  requirement: string;
  summary: string;
  httpStatus?: number;
}

/** Reads schemas/errors/codes/*.json, the one closed registry of error codes. */
export async function readErrorRegistry(root: string): Promise<ErrorCodeEntry[]> {
  const dir = path.join(root, 'schemas/errors/codes');
  const entries: ErrorCodeEntry[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
    const part = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as {
      area: string;
      codes: Omit<ErrorCodeEntry, 'area'>[];
    };
    for (const c of part.codes) entries.push({ ...c, area: part.area });
  }
  return entries.sort((a, b) => a.code.localeCompare(b.code));
}

const tableStart = '<!-- BEGIN GENERATED: error-code table (npm run generate) -->';
const tableEnd = '<!-- END GENERATED: error-code table -->';

/** The generated enum schema, TypeScript registry and the spec's table all come from the same files. */
const generator: Generator = {
  name: 'error codes',
  order: 20,
  async run(root) {
    const entries = await readErrorRegistry(root);
    const source = 'schemas/errors/codes/*.json';
    const enumSchema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'https://openminiapp.dev/schemas/v1/generated/errors/error-code.schema.json',
      $comment: doNotEditJson(source),
      title: 'ErrorCode',
      description: 'The closed registry of error codes (spec/errors.md).',
      type: 'string',
      enum: entries.map((e) => e.code),
    };
    const ts = [
      doNotEditTs(source),
      '/** Every error code of the closed registry, with the requirement it enforces. */',
      'export const errorCodes = {',
      ...entries.map(
        (e) =>
          `  ${e.code}: { area: ${JSON.stringify(e.area)}, requirement: ${JSON.stringify(e.requirement)}, httpStatus: ${e.httpStatus ?? 'null'}, summary: ${JSON.stringify(e.summary)} },`,
      ),
      '} as const;',
      '',
      'export type ErrorCode = keyof typeof errorCodes;',
      '',
      'export const errorCodeList = Object.keys(errorCodes) as ErrorCode[];',
      '',
    ].join('\n');
    const specPath = path.join(root, 'spec/errors.md');
    const spec = await readFile(specPath, 'utf8');
    const start = spec.indexOf(tableStart);
    const end = spec.indexOf(tableEnd);
    const files: GeneratedFile[] = [
      {
        path: 'schemas/generated/errors/error-code.schema.json',
        content: `${JSON.stringify(enumSchema, null, 2)}\n`,
      },
      { path: 'schemas/generated/errors/error-codes.ts', content: ts },
    ];
    if (start >= 0 && end > start) {
      const rows = entries.map(
        (e) =>
          `| \`${e.code}\` | ${e.area} | [${e.requirement}] | ${e.httpStatus ?? ''} | ${e.summary} |`,
      );
      const table = [
        '',
        '| Code | Area | Requirement | HTTP | Meaning |',
        '| --- | --- | --- | --- | --- |',
        ...rows,
        '',
      ].join('\n');
      files.push({
        path: 'spec/errors.md',
        content: spec.slice(0, start + tableStart.length) + table + spec.slice(end),
      });
    }
    return files;
  },
};
export default generator;
