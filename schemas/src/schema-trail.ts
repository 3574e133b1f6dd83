import { errorCodes, type ErrorCode } from '../generated/errors/error-codes.ts';
import { schemaValidator, type ErrorObject } from './schema-registry.ts';

type SchemaNode = Record<string, unknown>;

/** A schema node and the `$id` of the document that holds it (the base of its relative `$ref`s). */
export interface SchemaPlace {
  node: SchemaNode;
  documentId: string;
}

/** Where a node of a trail was met, which decides whether its annotations count for an error. */
type StepKind = 'instance' | 'required' | 'schemaPath' | 'own';

interface TrailStep {
  node: SchemaNode;
  kind: StepKind;
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unescapeSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Resolves an RFC 6901 pointer; fragments may also be percent-encoded (RFC 3986). */
function pointerGet(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    let segment = raw;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      // A literal '%' that is not an escape: use the segment as written.
    }
    node =
      isNode(node) || Array.isArray(node)
        ? (node as SchemaNode)[unescapeSegment(segment)]
        : undefined;
  }
  return node;
}

/** Documents that are not schema files, such as the OpenAPI document's components, by `$id`. */
const extraDocuments = new Map<string, SchemaNode>();

/** Makes a document known to trails (the contract registers its components schema). */
export function addTrailDocument(id: string, document: Record<string, unknown>): void {
  extraDocuments.set(id, document);
}

/** The node an absolute schema URI names: the document by its `$id`, then the fragment's pointer. */
export function resolveSchemaUri(uri: string): SchemaPlace | undefined {
  const hash = uri.indexOf('#');
  const documentId = hash < 0 ? uri : uri.slice(0, hash);
  const fragment = hash < 0 ? '' : uri.slice(hash + 1);
  const document =
    extraDocuments.get(documentId) ?? schemaValidator().getSchema(documentId)?.schema;
  const node = pointerGet(document, fragment);
  return isNode(node) ? { node, documentId } : undefined;
}

/**
 * Follows a chain of `$ref`s, recording every node met when `record` is set, and every node a `$ref`
 * lands on in `bases` (Ajv writes a schema path relative to the last one it compiled).
 */
function followRefs(
  start: SchemaPlace | undefined,
  steps: TrailStep[],
  record: boolean,
  bases: SchemaPlace[] = [],
): SchemaPlace | undefined {
  let place = start;
  for (let hops = 0; place && hops < 10; hops++) {
    if (record) steps.push({ node: place.node, kind: 'instance' });
    if (typeof place.node.$ref !== 'string') return place;
    place = resolveSchemaUri(new URL(place.node.$ref, place.documentId).href);
    if (place) bases.push(place);
  }
  return place;
}

/** The subschema that validates one member or item of the instance a node describes. */
function childSchema(node: SchemaNode, segment: string): unknown {
  const properties = isNode(node.properties) ? node.properties : undefined;
  const prefixItems = Array.isArray(node.prefixItems) ? (node.prefixItems as unknown[]) : [];
  return (
    (properties && Object.hasOwn(properties, segment) ? properties[segment] : undefined) ??
    prefixItems[Number(segment)] ??
    node.items ??
    node.additionalProperties
  );
}

interface SchemaPathTarget {
  node: SchemaNode;
  pointer: string;
  /** Whether the node's own annotations lie on the way (false for a document root above the start). */
  ownCounts: boolean;
}

/**
 * Where Ajv's `schemaPath` points: a node a `$ref` on the way landed on (innermost first), the start
 * node, its document, or a `$ref`erenced document.
 */
function schemaPathTarget(
  start: SchemaPlace,
  schemaPath: string,
  bases: readonly SchemaPlace[] = [],
): SchemaPathTarget | undefined {
  if (schemaPath.startsWith('#')) {
    const pointer = schemaPath.slice(1);
    // Ajv writes paths relative to the (sub)schema it compiled: the target of the last $ref ...
    for (const base of [...bases].reverse()) {
      if (pointer !== '' && pointerGet(base.node, pointer) !== undefined) {
        return { node: base.node, pointer, ownCounts: true };
      }
    }
    // ... or the start itself ...
    if (pointerGet(start.node, pointer) !== undefined) {
      return { node: start.node, pointer, ownCounts: true };
    }
    // ... or, once it inlined a same-document $ref, relative to the document.
    const doc = resolveSchemaUri(start.documentId);
    if (doc && pointerGet(doc.node, pointer) !== undefined) {
      return { node: doc.node, pointer, ownCounts: doc.node === start.node };
    }
    return undefined;
  }
  // Past a $ref to another document, Ajv writes the reference as written, then the path inside it.
  const match = /^(.+?\.json)#?(\/.*)?$/.exec(schemaPath);
  if (!match?.[1]) return undefined;
  const target = resolveSchemaUri(new URL(match[1], start.documentId).href);
  return target && { node: target.node, pointer: match[2] ?? '', ownCounts: true };
}

/** The nodes that enclose the failing keyword in its document, innermost first. */
function schemaPathSteps(
  start: SchemaPlace,
  schemaPath: string,
  bases: readonly SchemaPlace[],
): TrailStep[] {
  const target = schemaPathTarget(start, schemaPath, bases);
  if (!target) return [];
  const steps: TrailStep[] = [];
  const segments = target.pointer.split('/').slice(1);
  for (let n = segments.length - 1; n >= 1; n--) {
    const at = pointerGet(target.node, '/' + segments.slice(0, n).join('/'));
    if (isNode(at)) steps.push({ node: at, kind: 'schemaPath' });
  }
  // A keyword directly on the node (e.g. additionalProperties) is annotated on the node itself.
  if (segments.length === 1 && target.ownCounts) steps.push({ node: target.node, kind: 'own' });
  return steps;
}

/** The node that holds the failing keyword, when the schema path names one. */
function keywordNode(
  start: SchemaPlace,
  schemaPath: string,
  bases: readonly SchemaPlace[],
): SchemaNode | undefined {
  const target = schemaPathTarget(start, schemaPath, bases);
  if (!target) return undefined;
  const segments = target.pointer.split('/').slice(1);
  if (segments.length <= 1) return target.ownCounts ? target.node : undefined;
  const at = pointerGet(target.node, '/' + segments.slice(0, -1).join('/'));
  return isNode(at) ? at : undefined;
}

function startPlace(start: string | SchemaPlace): SchemaPlace | undefined {
  return typeof start === 'string' ? resolveSchemaUri(start) : start;
}

/**
 * The schema nodes met on the way from a schema (an absolute `$id`, optionally with a JSON Pointer
 * fragment, or a node and its document) to the value an Ajv error reports, following `$ref`s
 * across documents: first the nodes along the instance path (outermost first), then, for a missing
 * member, that member's schema, then the nodes that enclose the failing keyword (innermost first).
 * The start node itself counts only for keywords placed directly on it, so a broad annotation at
 * the top of a schema does not vouch for every nested rule.
 */
function trail(
  start: SchemaPlace,
  error: ErrorObject,
): { steps: TrailStep[]; bases: SchemaPlace[]; at?: SchemaPlace } {
  const steps: TrailStep[] = [];
  const bases: SchemaPlace[] = [];
  let place = followRefs(start, steps, false, bases);
  for (const segment of error.instancePath.split('/').slice(1).map(unescapeSegment)) {
    if (!place) break;
    const next = childSchema(place.node, segment);
    place = isNode(next)
      ? followRefs({ node: next, documentId: place.documentId }, steps, true, bases)
      : undefined;
  }
  if (place && (error.keyword === 'required' || error.keyword === 'dependentRequired')) {
    const missing = (error.params as { missingProperty?: unknown }).missingProperty;
    const properties = isNode(place.node.properties) ? place.node.properties : undefined;
    const property = typeof missing === 'string' ? properties?.[missing] : undefined;
    if (isNode(property)) steps.push({ node: property, kind: 'required' });
  }
  steps.push(...schemaPathSteps(start, error.schemaPath, bases));
  return { steps, bases, ...(place ? { at: place } : {}) };
}

/** The `$comment`s on the way to the value an error reports, as the examples harness reads them. */
export function commentsOnTheWay(start: string | SchemaPlace, error: ErrorObject): string[] {
  const place = startPlace(start);
  if (!place) return [];
  return trail(place, error)
    .steps.map((step) => step.node.$comment)
    .filter((comment): comment is string => typeof comment === 'string');
}

/** The schema keyword that names a registry code (checked against the registry by `npm run generate`). */
export const errorCodeKeyword = 'x-error-code';

/**
 * An `x-error-code` is a code, which applies to every keyword failing at or below its node, or an
 * object from keyword to code, whose entries apply to keywords placed directly on its node and whose
 * `*` entry applies like a plain code.
 */
function annotationOf(node: SchemaNode, keyword?: string): ErrorCode | undefined {
  const value = node[errorCodeKeyword];
  const code =
    typeof value === 'string'
      ? keyword === undefined
        ? value
        : undefined
      : isNode(value)
        ? keyword === undefined
          ? value['*']
          : value[keyword]
        : undefined;
  return typeof code === 'string' && Object.hasOwn(errorCodes, code)
    ? (code as ErrorCode)
    : undefined;
}

/**
 * The registry code for one schema failure [ERR-002]: the `x-error-code` for the failing keyword on
 * the node that holds it, else the innermost plain `x-error-code` on the way to the failing value,
 * else `fallback`. An error inside a `propertyNames` subschema counts as a failure of that keyword on
 * the object whose member name failed. `accept` skips codes the caller cannot use (a server keeps
 * only codes with an HTTP status).
 */
export function errorCodeOf(
  start: string | SchemaPlace,
  error: ErrorObject,
  fallback: ErrorCode,
  accept: (code: ErrorCode) => boolean = () => true,
): ErrorCode {
  const place = startPlace(start);
  if (!place) return fallback;
  const { steps, bases, at } = trail(place, error);
  const usable = (code: ErrorCode | undefined): code is ErrorCode =>
    code !== undefined && accept(code);
  const named =
    error.propertyName !== undefined && at
      ? annotationOf(at.node, 'propertyNames')
      : (() => {
          const holder = keywordNode(place, error.schemaPath, bases);
          return holder ? annotationOf(holder, error.keyword) : undefined;
        })();
  if (usable(named)) return named;
  const inner = steps.filter((step) => step.kind !== 'required');
  // Innermost first: the keyword's enclosing nodes, then the instance path from the value outwards.
  const ordered = [
    ...inner.filter((step) => step.kind === 'schemaPath' || step.kind === 'own'),
    ...inner.filter((step) => step.kind === 'instance').reverse(),
  ];
  for (const step of ordered) {
    const code = annotationOf(step.node);
    if (usable(code)) return code;
  }
  const root = followRefs(place, [], false);
  const rootCode = root ? annotationOf(root.node) : undefined;
  return usable(rootCode) ? rootCode : fallback;
}
