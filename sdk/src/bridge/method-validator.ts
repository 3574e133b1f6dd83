import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import {
  bridgeMethodSchemaIds,
  bridgeSchemaDocuments,
} from '#schemas/generated/bridge/method-schemas.ts';

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module namespace.
const addFormats = addFormatsModule.default;

export type SchemaCheck = { ok: true } | { ok: false; pointer: string; message: string };

/** Checks params and results against the method schemas of schemas/bridge/methods/ [BRG-018] [BRG-020]. */
export interface MethodValidator {
  params(method: string, value: unknown): SchemaCheck;
  result(method: string, value: unknown): SchemaCheck;
}

/**
 * A validator built from the generated copy of the method schemas, so that it also runs in a
 * browser (the mock bundle) without reading files. Validators compile lazily, per method.
 */
export function createMethodValidator(): MethodValidator {
  const ajv = new Ajv2020({ allErrors: false, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  for (const doc of Object.values(bridgeSchemaDocuments)) ajv.addSchema(doc);
  const compiled = new Map<string, ValidateFunction>();
  const check = (method: string, part: 'params' | 'result', value: unknown): SchemaCheck => {
    const id = Object.hasOwn(bridgeMethodSchemaIds, method)
      ? bridgeMethodSchemaIds[method]
      : undefined;
    if (id === undefined) return { ok: false, pointer: '', message: `${method} is not registered` };
    const key = `${id}#/$defs/${part}`;
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.getSchema(key);
      if (!validate) return { ok: false, pointer: '', message: `no schema ${key}` };
      compiled.set(key, validate);
    }
    if (validate(value)) return { ok: true };
    const error = validate.errors?.[0];
    const extra =
      error?.keyword === 'additionalProperties'
        ? ` (${String((error.params as { additionalProperty?: unknown }).additionalProperty)})`
        : '';
    return {
      ok: false,
      pointer: error?.instancePath ?? '',
      message: `${part} of ${method} at "${error?.instancePath ?? ''}" ${error?.message ?? 'is invalid'}${extra}`,
    };
  };
  return {
    params: (method, value) => check(method, 'params', value),
    result: (method, value) => check(method, 'result', value),
  };
}
