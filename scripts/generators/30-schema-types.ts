import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { doNotEditTs, type Generator } from './generator.ts';
import { listSchemaFiles, schemaFileForUri } from './schema-files.ts';

/** TypeScript types for every JSON Schema, under schemas/generated/types/ mirroring schemas/. */
const generator: Generator = {
  name: 'schema types',
  order: 30,
  async run(root) {
    const files = await listSchemaFiles(root);
    const out = [];
    for (const file of files) {
      const schema = JSON.parse(await readFile(path.join(root, file), 'utf8')) as JSONSchema;
      const ts = await compile(schema, path.basename(file, '.schema.json'), {
        cwd: path.dirname(path.join(root, file)),
        bannerComment: doNotEditTs(file).trimEnd(),
        additionalProperties: false,
        unreachableDefinitions: true,
        format: true,
        style: { singleQuote: true, printWidth: 100 },
        $refOptions: {
          resolve: {
            http: false,
            openminiapp: {
              order: 1,
              canRead: (ref: { url: string }) => schemaFileForUri(root, ref.url) !== null,
              read: (ref: { url: string }) =>
                readFile(schemaFileForUri(root, ref.url) ?? '', 'utf8'),
            },
          },
        } as never,
      });
      const rel = path.relative('schemas', file).replace(/\.schema\.json$/, '.ts');
      out.push({ path: path.join('schemas/generated/types', rel), content: ts });
    }
    return out;
  },
};
export default generator;
