import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { schemaBaseUri, schemasRoot, schemaValidator, type ValidateFunction } from '#schemas';

/** A JSON-like node of the parsed OpenAPI document. */
export type Node = Record<string, unknown>;

export const openapiPath = path.join(schemasRoot, 'distribution/openapi.yaml');
export const repoRoot = path.resolve(schemasRoot, '..');

/** The distribution API document, parsed from YAML. */
export function loadOpenApi(): Node {
  return parse(readFileSync(openapiPath, 'utf8')) as Node;
}

export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows a local `#/components/...` reference of the document. */
export function resolveLocal(doc: Node, node: unknown): unknown {
  let current = node;
  for (let hops = 0; isNode(current) && typeof current.$ref === 'string' && hops < 10; hops++) {
    const ref = current.$ref;
    if (!ref.startsWith('#/')) return current;
    current = ref
      .slice(2)
      .split('/')
      .reduce<unknown>(
        (at, seg) => (isNode(at) ? at[seg.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined),
        doc,
      );
  }
  return current;
}

export const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export interface Operation {
  method: string;
  path: string;
  operation: Node;
}

export function listOperations(doc: Node): Operation[] {
  const paths = isNode(doc.paths) ? doc.paths : {};
  return Object.entries(paths).flatMap(([route, item]) =>
    httpMethods
      .filter((m) => isNode(item) && isNode(item[m]))
      .map((method) => ({ method, path: route, operation: (item as Node)[method] as Node })),
  );
}

const documentId = `${schemaBaseUri}distribution/openapi.yaml`;

/** Rewrites `#/components/schemas/X` into a reference to the components registered as `$defs`. */
function rewriteRefs(node: unknown, componentsPrefix: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, componentsPrefix));
  if (!isNode(node)) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')
        ? componentsPrefix + value.slice('#/components/schemas/'.length)
        : rewriteRefs(value, componentsPrefix),
    ]),
  );
}

let registered = false;
let counter = 0;

/**
 * Compiles a schema object of the OpenAPI document with the project's Ajv 2020 (strict), the authority.
 * Relative file references resolve against schemas/distribution/, like the document itself.
 */
export function compileOpenApiSchema(doc: Node, schema: unknown): ValidateFunction {
  const ajv = schemaValidator();
  if (!registered) {
    const components = isNode(doc.components) ? doc.components : {};
    ajv.addSchema({ $id: documentId, $defs: rewriteRefs(components.schemas ?? {}, '#/$defs/') });
    registered = true;
  }
  counter += 1;
  const body = rewriteRefs(schema, 'openapi.yaml#/$defs/');
  return ajv.compile({
    $id: `${schemaBaseUri}distribution/openapi-inline-${counter}.json`,
    ...(isNode(body) ? body : {}),
  });
}

export interface Example {
  /** Where the example is, as a JSON Pointer into the document. */
  pointer: string;
  schema: unknown;
  value: unknown;
}

/** Every `example` and `examples` beside a `schema` (media types, parameters, headers) in the document. */
export function collectExamples(doc: Node): Example[] {
  const found: Example[] = [];
  const walk = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => walk(n, `${pointer}/${i}`));
      return;
    }
    if (!isNode(node)) return;
    if ('schema' in node) {
      if ('example' in node)
        found.push({ pointer: `${pointer}/example`, schema: node.schema, value: node.example });
      if (isNode(node.examples)) {
        for (const [name, ex] of Object.entries(node.examples)) {
          const resolved = resolveLocal(doc, ex);
          if (isNode(resolved) && 'value' in resolved) {
            found.push({
              pointer: `${pointer}/examples/${name}`,
              schema: node.schema,
              value: resolved.value,
            });
          }
        }
      }
    }
    for (const [key, value] of Object.entries(node)) {
      walk(value, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    }
  };
  walk(doc, '');
  return found;
}
