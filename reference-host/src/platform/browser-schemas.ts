/**
 * The browser build's replacement for `#schemas` (whose registry reads schema files from disk).
 * Validators are compiled ahead of time by the build (Ajv standalone code, strict 2020-12 with
 * formats, the same options as schemas/src/schema-registry.ts), so the host page needs no
 * 'unsafe-eval' and pays no compile time at start.
 */
import { schemaValidators, type StandaloneValidator } from 'omp:schema-validators';

export {
  errorCodes,
  errorCodeList,
  type ErrorCode,
} from '#schemas/generated/errors/error-codes.ts';
export type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';

export const schemaBaseUri = 'https://openminiapp.dev/schemas/v1/';

/** The compiled validator of a schema, by its path below schemas/ (optionally with a #fragment). */
export function validatorFor(schemaPath: string): StandaloneValidator {
  const validate = Object.hasOwn(schemaValidators, schemaPath)
    ? schemaValidators[schemaPath]
    : undefined;
  if (!validate) throw new Error(`the host build compiled no validator for ${schemaPath}`);
  return validate;
}
