import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { repositoryRoot } from '../../framework/index.ts';

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module namespace.
const addFormats = addFormatsModule.default;

/**
 * The suite's own reading of schemas/distribution/openapi.yaml. It shares no loader with the reference
 * server, so that a route or header that a shared loader dropped could not slip past both.
 */

type Json = Record<string, unknown>;

export interface HeaderRule {
  name: string;
  required: boolean;
  validate: ValidateFunction | null;
  /** The header schema is an integer. */
  integer: boolean;
}

export interface ResponseRule {
  status: string;
  headers: HeaderRule[];
  /** Media type to body validator (null for binary bodies). */
  content: Map<string, ValidateFunction | null>;
}

export interface ContractOperation {
  operationId: string;
  method: string;
  template: string;
  pattern: RegExp;
  /** [] public; otherwise alternatives of scheme to roles. */
  security: Record<string, string[]>[];
  isPublic: boolean;
  requestMediaTypes: string[];
  responses: Map<string, ResponseRule>;
  /** Path and query parameters by name, for building requests. */
  parameters: { name: string; in: string; required: boolean }[];
}

const schemasRoot = path.join(repositoryRoot, 'schemas');
const baseUri = 'https://openminiapp.dev/schemas/v1/';
const componentsId = `${baseUri}distribution/certify-openapi-components.json`;
const documentUri = `${baseUri}distribution/openapi.yaml`;

function absoluteRefs<T>(value: T): T {
  if (Array.isArray(value)) return value.map(absoluteRefs) as T;
  if (value && typeof value === 'object') {
    const out: Json = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') {
        out[key] = inner.startsWith('#/components/schemas/')
          ? `${componentsId}#/$defs/${inner.slice('#/components/schemas/'.length)}`
          : inner.startsWith('#')
            ? inner
            : new URL(inner, documentUri).href;
      } else out[key] = absoluteRefs(inner);
    }
    return out as T;
  }
  return value;
}

function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: false,
    allowUnionTypes: true,
    // rolloutPercent has multipleOf 0.01 [API-077]: 12.34 is a multiple of it, though not in binary floating point.
    multipleOfPrecision: 9,
  });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  for (const file of readdirSync(schemasRoot, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.schema.json') || file.split(path.sep).includes('examples')) continue;
    ajv.addSchema(JSON.parse(readFileSync(path.join(schemasRoot, file), 'utf8')) as Json);
  }
  return ajv;
}

export interface Contract {
  operations: ContractOperation[];
  /** The operation a request names, by method and path (HEAD falls back to no operation). */
  match(method: string, pathname: string): ContractOperation | undefined;
  byId(operationId: string): ContractOperation;
  /** The problem-document validator (schemas/distribution/problem.schema.json). */
  problem: ValidateFunction;
  /** A validator for any project schema by its path below schemas/. */
  schema(relativePath: string): ValidateFunction;
  ajv: Ajv2020;
}

let loaded: Contract | undefined;

export function loadContract(): Contract {
  if (loaded) return loaded;
  const document = parse(
    readFileSync(path.join(schemasRoot, 'distribution/openapi.yaml'), 'utf8'),
  ) as Json;
  const components = (document.components ?? {}) as Record<string, Record<string, Json>>;
  const ajv = newAjv();
  ajv.addSchema({ $id: componentsId, $defs: absoluteRefs(components.schemas ?? {}) });
  const deref = (node: Json, kind: string): Json => {
    const ref = node.$ref;
    if (typeof ref !== 'string') return node;
    const name = ref.replace(`#/components/${kind}/`, '');
    const target = components[kind]?.[name];
    if (!target) throw new Error(`openapi: unresolved ${ref}`);
    return deref(target, kind);
  };
  const compile = (schema: unknown): ValidateFunction => ajv.compile(absoluteRefs(schema as Json));
  const operations: ContractOperation[] = [];
  for (const [template, item] of Object.entries((document.paths ?? {}) as Record<string, Json>)) {
    const shared = ((item.parameters ?? []) as Json[]).map((p) => deref(p, 'parameters'));
    for (const method of ['get', 'head', 'post', 'put', 'patch', 'delete']) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const own = ((op.parameters ?? []) as Json[]).map((p) => deref(p, 'parameters'));
      const responses = new Map<string, ResponseRule>();
      for (const [status, raw] of Object.entries((op.responses ?? {}) as Record<string, Json>)) {
        const response = deref(raw, 'responses');
        const headers: HeaderRule[] = Object.entries(
          (response.headers ?? {}) as Record<string, Json>,
        ).map(([name, h]) => {
          const header = deref(h, 'headers');
          const schema = (header.schema ?? null) as Json | null;
          return {
            name: name.toLowerCase(),
            required: header.required === true,
            validate: schema ? compile(schema) : null,
            integer: schema?.type === 'integer',
          };
        });
        const content = new Map<string, ValidateFunction | null>();
        for (const [type, media] of Object.entries(
          (response.content ?? {}) as Record<string, Json>,
        )) {
          const schema = (media.schema ?? {}) as Json;
          const binary = !type.includes('json');
          content.set(type, binary ? null : compile(schema));
        }
        responses.set(status, { status, headers, content });
      }
      const escaped = template
        .split(/(\{[^}]+\})/)
        .map((part) =>
          part.startsWith('{') ? '([^/]+)' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'),
        )
        .join('');
      const security = (op.security ?? document.security ?? []) as Record<string, string[]>[];
      operations.push({
        operationId: String(op.operationId),
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${escaped}$`),
        security,
        isPublic: security.length === 0,
        requestMediaTypes: Object.keys(
          ((op.requestBody as Json | undefined)?.content ?? {}) as Json,
        ),
        responses,
        parameters: [...shared, ...own].map((p) => ({
          name: String(p.name),
          in: String(p.in),
          required: p.required === true,
        })),
      });
    }
  }
  // A literal segment beats a template: /v1/trust/index.json is not /v1/trust/{version}.root.json.
  const specificity = (o: ContractOperation) => -o.template.replace(/\{[^}]+\}/g, '').length;
  const ordered = [...operations].sort((a, b) => specificity(a) - specificity(b));
  loaded = {
    operations,
    ajv,
    match: (method, pathname) =>
      ordered.find((o) => o.method === method.toUpperCase() && o.pattern.test(pathname)),
    byId(operationId) {
      const op = operations.find((o) => o.operationId === operationId);
      if (!op) throw new Error(`no operation ${operationId} in the contract`);
      return op;
    },
    problem: ajv.getSchema(`${baseUri}distribution/problem.schema.json`) as ValidateFunction,
    schema(relativePath) {
      const validate = ajv.getSchema(baseUri + relativePath);
      if (!validate) throw new Error(`no schema ${relativePath}`);
      return validate;
    },
  };
  return loaded;
}

/** Ajv errors as short lines: `/pointer message`. */
export function schemaErrors(validate: ValidateFunction): string[] {
  return (validate.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
}
