import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { doNotEditTs, type Generator } from './generator.ts';
import { schemaBaseUri, schemaFileForUri } from './schema-files.ts';

interface RegistryFile {
  hostApiVersions: string[];
  methods: { name: string; since: string; permission: string | null; schema: string }[];
  events: { name: string; since: string }[];
}

const source = 'schemas/bridge/method-registry.json';

/**
 * schemas/generated/bridge/methods.ts: the `BridgeMethods` map from each method name to its params
 * and result types, plus the registry facts the bridge needs at run time (name, since, permission).
 * schemas/generated/bridge/method-schemas.ts: every schema document a params check needs, so that
 * browser code can validate without reading files [BRG-018].
 */
const generator: Generator = {
  name: 'bridge methods',
  order: 40,
  async run(root) {
    const bridgeDir = path.join(root, 'schemas/bridge');
    const registry = JSON.parse(
      await readFile(path.join(bridgeDir, 'method-registry.json'), 'utf8'),
    ) as RegistryFile;
    const methodRef = (file: string, def: 'params' | 'result') => ({
      $ref: `${schemaBaseUri}bridge/${file}#/$defs/${def}`,
    });
    const combined = {
      title: 'BridgeMethods',
      description: 'Params and result of every bridge method, by method name.',
      type: 'object',
      additionalProperties: false,
      required: registry.methods.map((m) => m.name),
      properties: Object.fromEntries(
        registry.methods.map((m) => [
          m.name,
          {
            type: 'object',
            additionalProperties: false,
            required: ['params', 'result'],
            properties: {
              params: methodRef(m.schema, 'params'),
              result: methodRef(m.schema, 'result'),
            },
          },
        ]),
      ),
    };
    const types = await compile(combined as JSONSchema, 'BridgeMethods', {
      cwd: bridgeDir,
      bannerComment: '',
      // Array length limits stay in the schemas; as tuple unions they would make the types unusable.
      ignoreMinAndMaxItems: true,
      additionalProperties: false,
      format: true,
      style: { singleQuote: true, printWidth: 100 },
      $refOptions: {
        resolve: {
          http: false,
          openminiapp: {
            order: 1,
            canRead: (ref: { url: string }) => schemaFileForUri(root, ref.url) !== null,
            read: (ref: { url: string }) => readFile(schemaFileForUri(root, ref.url) ?? '', 'utf8'),
          },
        },
      } as never,
    });
    const quote = (value: string | null) => (value === null ? 'null' : JSON.stringify(value));
    const methods = [
      doNotEditTs(source),
      types.trimEnd(),
      '',
      '/** A registered bridge method name. */',
      'export type BridgeMethodName = keyof BridgeMethods;',
      '',
      '/** The host API versions of this specification, oldest first. */',
      `export const hostApiVersions = ${JSON.stringify(registry.hostApiVersions)} as const;`,
      '',
      '/** Every registered method with the host API version that introduced it and the permission it needs. */',
      'export const bridgeMethodList: readonly {',
      '  readonly name: BridgeMethodName;',
      '  readonly since: string;',
      '  readonly permission: string | null;',
      '}[] = [',
      ...registry.methods.map(
        (m) =>
          `  { name: ${quote(m.name)}, since: ${quote(m.since)}, permission: ${quote(m.permission)} },`,
      ),
      '];',
      '',
      '/** Every registered event with the host API version that introduced it. */',
      'export const bridgeEventList: readonly { readonly name: string; readonly since: string }[] = [',
      ...registry.events.map((e) => `  { name: ${quote(e.name)}, since: ${quote(e.since)} },`),
      '];',
      '',
    ].join('\n');

    const documents = new Map<string, unknown>();
    const collect = async (file: string): Promise<void> => {
      const id =
        schemaBaseUri + path.relative(path.join(root, 'schemas'), file).split(path.sep).join('/');
      if (documents.has(id)) return;
      const doc = JSON.parse(await readFile(file, 'utf8')) as unknown;
      documents.set(id, doc);
      for (const ref of JSON.stringify(doc).matchAll(/"\$ref":"([^"#]+)/g)) {
        await collect(path.resolve(path.dirname(file), ref[1] ?? ''));
      }
    };
    for (const m of registry.methods) await collect(path.join(bridgeDir, m.schema));
    const schemas = [
      doNotEditTs(`${source} and the method schemas it names`),
      '/** Every JSON Schema document that the params and result schemas of the bridge methods use, by $id. */',
      `export const bridgeSchemaDocuments: Readonly<Record<string, object>> = ${JSON.stringify(Object.fromEntries([...documents].sort(([a], [b]) => a.localeCompare(b))), null, 2)};`,
      '',
      '/** The $id of the schema file of each method, whose $defs.params and $defs.result describe it. */',
      'export const bridgeMethodSchemaIds: Readonly<Record<string, string>> = {',
      ...registry.methods.map(
        (m) => `  ${quote(m.name)}: ${quote(schemaBaseUri + 'bridge/' + m.schema)},`,
      ),
      '};',
      '',
    ].join('\n');
    return [
      { path: 'schemas/generated/bridge/methods.ts', content: methods },
      { path: 'schemas/generated/bridge/method-schemas.ts', content: schemas },
    ];
  },
};
export default generator;
