import { schemaValidator, type ErrorObject } from '#schemas';

type SchemaNode = Record<string, unknown>;

/** A schema node and the `$id` of the document that holds it (the base of its relative `$ref`s). */
interface SchemaPlace {
  node: SchemaNode;
  documentId: string;
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

/** The node an absolute schema URI names: the document by its `$id`, then the fragment's pointer. */
export function resolveSchemaUri(uri: string): SchemaPlace | undefined {
  const hash = uri.indexOf('#');
  const documentId = hash < 0 ? uri : uri.slice(0, hash);
  const fragment = hash < 0 ? '' : uri.slice(hash + 1);
  const node = pointerGet(schemaValidator().getSchema(documentId)?.schema, fragment);
  return isNode(node) ? { node, documentId } : undefined;
}

/** Follows a chain of `$ref`s, collecting the `$comment` of every node met when `record` is set. */
function followRefs(
  start: SchemaPlace | undefined,
  comments: string[],
  record: boolean,
): SchemaPlace | undefined {
  let place = start;
  for (let hops = 0; place && hops < 10; hops++) {
    if (record && typeof place.node.$comment === 'string') comments.push(place.node.$comment);
    if (typeof place.node.$ref !== 'string') return place;
    place = resolveSchemaUri(new URL(place.node.$ref, place.documentId).href);
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
  /** Whether the node's own `$comment` lies on the way (false for a document root above the start). */
  ownCommentCounts: boolean;
}

/** Where Ajv's `schemaPath` points: the start node, its document, or a `$ref`erenced document. */
function schemaPathTarget(start: SchemaPlace, schemaPath: string): SchemaPathTarget | undefined {
  if (schemaPath.startsWith('#')) {
    const pointer = schemaPath.slice(1);
    // Ajv writes paths relative to the compiled (sub)schema ...
    if (pointerGet(start.node, pointer) !== undefined) {
      return { node: start.node, pointer, ownCommentCounts: true };
    }
    // ... or, once it inlined a same-document $ref, relative to the document.
    const doc = resolveSchemaUri(start.documentId);
    if (doc && pointerGet(doc.node, pointer) !== undefined) {
      return { node: doc.node, pointer, ownCommentCounts: doc.node === start.node };
    }
    return undefined;
  }
  // Past a $ref to another document, Ajv writes the reference as written, then the path inside it.
  const match = /^(.+?\.json)#?(\/.*)?$/.exec(schemaPath);
  if (!match?.[1]) return undefined;
  const target = resolveSchemaUri(new URL(match[1], start.documentId).href);
  return target && { node: target.node, pointer: match[2] ?? '', ownCommentCounts: true };
}

function schemaPathComments(start: SchemaPlace, schemaPath: string): string[] {
  const target = schemaPathTarget(start, schemaPath);
  if (!target) return [];
  const comments: string[] = [];
  const segments = target.pointer.split('/').slice(1);
  for (let n = segments.length - 1; n >= 1; n--) {
    const at = pointerGet(target.node, '/' + segments.slice(0, n).join('/'));
    if (isNode(at) && typeof at.$comment === 'string') comments.push(at.$comment);
  }
  // A keyword directly on the node (e.g. additionalProperties) is cited by the node's own $comment.
  if (
    segments.length === 1 &&
    target.ownCommentCounts &&
    typeof target.node.$comment === 'string'
  ) {
    comments.push(target.node.$comment);
  }
  return comments;
}

/**
 * The `$comment`s met on the way from a schema (an absolute `$id`, optionally with a JSON Pointer
 * fragment such as `#/$defs/params`) to the value an Ajv error reports, following `$ref`s across
 * documents. The start node's own comment counts only for keywords placed directly on it, so a
 * broad comment at the top of a schema does not vouch for every nested rule.
 */
export function commentsOnTheWay(schemaUri: string, error: ErrorObject): string[] {
  const start = resolveSchemaUri(schemaUri);
  if (!start) return [];
  const comments: string[] = [];
  let place = followRefs(start, comments, false);
  for (const segment of error.instancePath.split('/').slice(1).map(unescapeSegment)) {
    if (!place) break;
    const next = childSchema(place.node, segment);
    place = isNode(next)
      ? followRefs({ node: next, documentId: place.documentId }, comments, true)
      : undefined;
  }
  if (place && (error.keyword === 'required' || error.keyword === 'dependentRequired')) {
    const missing = (error.params as { missingProperty?: unknown }).missingProperty;
    const properties = isNode(place.node.properties) ? place.node.properties : undefined;
    const property = typeof missing === 'string' ? properties?.[missing] : undefined;
    if (isNode(property) && typeof property.$comment === 'string') comments.push(property.$comment);
  }
  comments.push(...schemaPathComments(start, error.schemaPath));
  return comments;
}
