/**
 * The browser build's replacement for `#schemas` (whose registry reads schema files from disk).
 * Validators are compiled ahead of time by the build (Ajv standalone code, strict 2020-12 with
 * formats, the same options as schemas/src/schema-registry.ts), so the host page needs no
 * 'unsafe-eval' and pays no compile time at start. The sdk's second instance, whose signing schemas
 * accept members of a later minor version [SIG-077], is precompiled too.
 */
import { schemaValidators, type StandaloneValidator } from 'omp:schema-validators';
import { schemaPaths, schemaValidators as openSchemaValidators } from 'omp:open-schema-validators';

export {
  errorCodes,
  errorCodeList,
  type ErrorCode,
} from '#schemas/generated/errors/error-codes.ts';
export type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
export { errorCodeOf } from '#schemas/src/schema-trail.ts';

export const schemaBaseUri = 'https://openminiapp.dev/schemas/v1/';

/** The compiled validator of a schema, by its path below schemas/ (optionally with a #fragment). */
export function validatorFor(schemaPath: string): StandaloneValidator {
  const validate = Object.hasOwn(schemaValidators, schemaPath)
    ? schemaValidators[schemaPath]
    : undefined;
  if (!validate) throw new Error(`the host build compiled no validator for ${schemaPath}`);
  return validate;
}

/** The options of schemas/src/schema-registry.ts that the browser build can honour. */
export interface SchemaValidatorOptions {
  openMembers?: (schemaPath: string) => boolean;
}

/**
 * The precompiled counterpart of the registry's createSchemaValidator: only the instance the sdk's
 * payload decoder asks for (signing schemas with open members) exists, and asking for any other set
 * of open schemas fails at once instead of validating against the wrong schema.
 */
export function createSchemaValidator(options: SchemaValidatorOptions = {}): {
  getSchema(id: string): StandaloneValidator | undefined;
} {
  const open = options.openMembers;
  if (!open) throw new Error('the host build compiles no second strict instance');
  for (const schemaPath of schemaPaths) {
    if (open(schemaPath) !== Object.hasOwn(openSchemaValidators, schemaPath)) {
      throw new Error(`the host build did not compile ${schemaPath} with the requested members`);
    }
  }
  return {
    getSchema(id) {
      const schemaPath = id.startsWith(schemaBaseUri) ? id.slice(schemaBaseUri.length) : id;
      return Object.hasOwn(openSchemaValidators, schemaPath)
        ? openSchemaValidators[schemaPath]
        : undefined;
    },
  };
}
