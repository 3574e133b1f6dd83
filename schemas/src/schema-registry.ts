import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module namespace.
const addFormats = addFormatsModule.default;

export const schemasRoot = path.resolve(import.meta.dirname, '..');
export const schemaBaseUri = 'https://openminiapp.dev/schemas/v1/';

function listSchemaFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.schema.json') && !f.split(path.sep).includes('examples'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Ajv options that callers may change; strictness and the 2020-12 dialect are fixed. */
export interface SchemaValidatorOptions {
  /** Coerce strings to the declared types (for URL parameters and query strings). */
  coerceTypes?: boolean;
  /** Extra annotation keywords to accept, e.g. OpenAPI's `example`. */
  keywords?: readonly string[];
  /** Put the failing schema object in each error (`parentSchema`), to read its `$comment`. */
  verbose?: boolean;
  /**
   * Schemas (by path below schemas/) whose objects accept members they do not define: every
   * `additionalProperties: false` in them is dropped. For payloads of a later minor version [SIG-077].
   */
  openMembers?: (schemaPath: string) => boolean;
}

/** The schema with every `additionalProperties: false` removed, at any depth (also used by the host build). */
export function withOpenMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withOpenMembers);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, member]) => !(key === 'additionalProperties' && member === false))
      .map(([key, member]) => [key, withOpenMembers(member)]),
  );
}

/** A new Ajv 2020-12 instance holding every schema of the project, addressed by $id. */
export function createSchemaValidator(options: SchemaValidatorOptions = {}): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    coerceTypes: options.coerceTypes ?? false,
    verbose: options.verbose ?? false,
    // multipleOf: 0.01 (rolloutPercent, API-077) must accept 0.07 although 0.07 / 0.01 is not an
    // exact integer in binary floating point.
    multipleOfPrecision: 9,
  });
  addFormats(ajv);
  // [ERR-002] x-error-code names the registry code of a failing rule; errorCodeOf reads it.
  ajv.addKeyword({
    keyword: 'x-error-code',
    metaSchema: {
      anyOf: [{ type: 'string' }, { type: 'object', additionalProperties: { type: 'string' } }],
    },
  });
  for (const keyword of options.keywords ?? []) ajv.addKeyword(keyword);
  for (const file of listSchemaFiles(schemasRoot)) {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as { $id?: string };
    const relative = path.relative(schemasRoot, file).split(path.sep).join('/');
    const expected = schemaBaseUri + relative;
    if (schema.$id !== expected) throw new Error(`${file}: $id must be ${expected}`);
    ajv.addSchema(options.openMembers?.(relative) ? (withOpenMembers(schema) as object) : schema);
  }
  return ajv;
}

let shared: Ajv2020 | undefined;

/** The shared, non-coercing validator of every schema of the project. */
export function schemaValidator(): Ajv2020 {
  shared ??= createSchemaValidator();
  return shared;
}

/** The compiled validator of a schema, by its path below schemas/ (e.g. "manifest/manifest.schema.json"). */
export function validatorFor(schemaPath: string): ValidateFunction {
  const id = schemaBaseUri + schemaPath;
  const validate = schemaValidator().getSchema(id);
  if (!validate) throw new Error(`no schema with $id ${id}`);
  return validate;
}

export type { ErrorObject, ValidateFunction };
