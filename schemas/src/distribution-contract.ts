import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { createSchemaValidator, schemaBaseUri, schemasRoot } from './schema-registry.ts';
import { addTrailDocument } from './schema-trail.ts';

type Json = Record<string, unknown>;

/** The $id under which the OpenAPI document's component schemas are registered with Ajv. */
export const componentsSchemaId = `${schemaBaseUri}distribution/openapi-components.schema.json`;
const componentRef = /^#\/components\/schemas\//;

export interface OperationParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: Json;
}

/** One operation of schemas/distribution/openapi.yaml, with its references resolved for Ajv. */
export interface ContractOperation {
  operationId: string;
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The OpenAPI path template, e.g. /v1/apps/{appId}/update. */
  path: string;
  tags: string[];
  /** Alternatives: each maps a security scheme to the roles (scopes) it needs; [] means public. */
  security: Record<string, string[]>[];
  parameters: OperationParameter[];
  /** Request body schemas by media type. */
  requestBody: { required: boolean; content: Record<string, Json> } | null;
  /** Response body schemas by status (or "default") and media type. */
  responses: Record<string, { headers: string[]; content: Record<string, Json> }>;
}

const documentUri = `${schemaBaseUri}distribution/openapi.yaml`;

/**
 * Makes every `$ref` absolute — components to the registered components schema, files to their $id —
 * so an operation's schema can be compiled on its own, without an $id of its own.
 */
function rewriteRefs<T>(value: T): T {
  if (Array.isArray(value)) return value.map(rewriteRefs) as T;
  if (value && typeof value === 'object') {
    const out: Json = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') {
        out[key] = componentRef.test(inner)
          ? inner.replace(componentRef, `${componentsSchemaId}#/$defs/`)
          : inner.startsWith('#')
            ? inner
            : new URL(inner, documentUri).href;
      } else {
        out[key] = rewriteRefs(inner);
      }
    }
    return out as T;
  }
  return value;
}

export interface DistributionContract {
  document: Json;
  operations: ContractOperation[];
  operation(operationId: string): ContractOperation;
  /** Registers the component schemas with an Ajv instance (idempotent). */
  register(ajv: Ajv2020): void;
}

const methods = ['get', 'head', 'post', 'put', 'patch', 'delete'] as const;
let loaded: DistributionContract | undefined;

/** Loads and resolves the OpenAPI 3.1 document of the distribution API (spec/distribution.md). */
export function distributionContract(): DistributionContract {
  if (loaded) return loaded;
  const document = parse(
    readFileSync(path.join(schemasRoot, 'distribution/openapi.yaml'), 'utf8'),
  ) as Json;
  const components = (document.components ?? {}) as Json;
  const parameters = (components.parameters ?? {}) as Record<string, Json>;
  const resolveParameter = (p: Json): OperationParameter => {
    const ref = typeof p.$ref === 'string' ? p.$ref.replace('#/components/parameters/', '') : null;
    const param = ref ? parameters[ref] : p;
    if (!param) throw new Error(`unresolved parameter ${String(p.$ref)}`);
    return {
      name: String(param.name),
      in: param.in as OperationParameter['in'],
      required: param.required === true,
      schema: rewriteRefs((param.schema ?? {}) as Json),
    };
  };
  const operations: ContractOperation[] = [];
  for (const [template, item] of Object.entries((document.paths ?? {}) as Record<string, Json>)) {
    const shared = ((item.parameters ?? []) as Json[]).map(resolveParameter);
    for (const method of methods) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const own = ((op.parameters ?? []) as Json[]).map(resolveParameter);
      const merged = [
        ...shared.filter((s) => !own.some((o) => o.name === s.name && o.in === s.in)),
        ...own,
      ];
      const body = op.requestBody as Json | undefined;
      const responses: ContractOperation['responses'] = {};
      for (const [status, response] of Object.entries(
        (op.responses ?? {}) as Record<string, Json>,
      )) {
        const resolved =
          typeof response.$ref === 'string'
            ? ((components.responses as Record<string, Json>)[
                response.$ref.replace('#/components/responses/', '')
              ] ?? {})
            : response;
        responses[status] = {
          headers: Object.keys((resolved.headers ?? {}) as Json),
          content: Object.fromEntries(
            Object.entries((resolved.content ?? {}) as Record<string, Json>).map(
              ([type, media]) => [type, rewriteRefs((media.schema ?? {}) as Json)],
            ),
          ),
        };
      }
      operations.push({
        operationId: String(op.operationId),
        method: method.toUpperCase() as ContractOperation['method'],
        path: template,
        tags: (op.tags ?? []) as string[],
        security: (op.security ?? document.security ?? []) as Record<string, string[]>[],
        parameters: merged,
        requestBody: body
          ? {
              required: body.required === true,
              content: Object.fromEntries(
                Object.entries((body.content ?? {}) as Record<string, Json>).map(
                  ([type, media]) => [type, rewriteRefs((media.schema ?? {}) as Json)],
                ),
              ),
            }
          : null,
        responses,
      });
    }
  }
  const componentsSchema = {
    $id: componentsSchemaId,
    $defs: rewriteRefs((components.schemas ?? {}) as Json),
  };
  // errorCodeOf follows $refs into the components like into any schema file.
  addTrailDocument(componentsSchemaId, componentsSchema);
  const registered = new WeakSet<Ajv2020>();
  loaded = {
    document,
    operations,
    operation(operationId) {
      const found = operations.find((o) => o.operationId === operationId);
      if (!found) throw new Error(`no operation ${operationId} in the distribution contract`);
      return found;
    },
    register(ajv) {
      if (registered.has(ajv)) return;
      ajv.addSchema(componentsSchema);
      registered.add(ajv);
    },
  };
  return loaded;
}

/** An Ajv instance with every project schema and the contract's components, accepting OpenAPI annotations. */
export function createContractValidator(
  options: { coerceTypes?: boolean; verbose?: boolean } = {},
): Ajv2020 {
  const ajv = createSchemaValidator({
    ...options,
    keywords: ['example', 'discriminator', 'xml', 'externalDocs'],
  });
  distributionContract().register(ajv);
  return ajv;
}
