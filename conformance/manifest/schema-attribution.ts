import { readFileSync } from 'node:fs';
import path from 'node:path';
import { schemasRoot, validatorFor, type ErrorObject } from '#schemas';

/** A manifest schema error, with the requirement whose `$comment` governs the failing value. */
export interface AttributedSchemaError {
  requirement: string;
  pointer: string;
  message: string;
}

type SchemaNode = Record<string, unknown>;

const manifestSchemaFile = path.join(schemasRoot, 'manifest', 'manifest.schema.json');
let manifestSchema: SchemaNode | undefined;

function schema(): SchemaNode {
  manifestSchema ??= JSON.parse(readFileSync(manifestSchemaFile, 'utf8')) as SchemaNode;
  return manifestSchema;
}

const idPattern = /\[([A-Z]{3}-\d{3})\]/g;

function commentIds(node: SchemaNode | undefined): string[] {
  const comment = node?.['$comment'];
  return typeof comment === 'string'
    ? [...comment.matchAll(idPattern)].map((m) => m[1] as string)
    : [];
}

function resolveLocal(node: SchemaNode): SchemaNode[] {
  const chain = [node];
  let current = node;
  for (let i = 0; i < 8; i += 1) {
    const ref = current['$ref'];
    if (typeof ref !== 'string' || !ref.startsWith('#/$defs/')) break;
    const next = (schema()['$defs'] as Record<string, SchemaNode>)[ref.slice('#/$defs/'.length)];
    if (!next) break;
    chain.push(next);
    current = next;
  }
  return chain;
}

/** The schema nodes an instance path passes through, root first, with local `$ref`s followed. */
function nodesOnTheWay(instancePath: string): SchemaNode[] {
  const tokens = instancePath
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let chain = resolveLocal(schema());
  const nodes = [...chain];
  for (const token of tokens) {
    const node = chain.at(-1) as SchemaNode;
    const properties = node['properties'] as Record<string, SchemaNode> | undefined;
    const patterns = node['patternProperties'] as Record<string, SchemaNode> | undefined;
    const next =
      properties?.[token] ??
      Object.entries(patterns ?? {}).find(([p]) => new RegExp(p, 'u').test(token))?.[1] ??
      (typeof node['additionalProperties'] === 'object'
        ? (node['additionalProperties'] as SchemaNode)
        : undefined) ??
      (node['items'] as SchemaNode | undefined);
    if (!next) break;
    chain = resolveLocal(next);
    nodes.push(...chain);
  }
  return nodes;
}

/** Picks one id from a comment that names several, by what the failing keyword checks. */
function disambiguate(ids: string[], error: ErrorObject): string[] {
  if (ids.length <= 1) return ids;
  const preferred = (id: string) => (ids.includes(id) ? [id] : []);
  switch (error.keyword) {
    case 'additionalProperties':
      return preferred('MAN-005').length ? preferred('MAN-005') : ids;
    case 'propertyNames':
      return preferred('MAN-021').length ? preferred('MAN-021') : ids;
    case 'uniqueItems':
      return preferred('MAN-015').length ? preferred('MAN-015') : ids;
    case 'required':
      if (ids.includes('MAN-004')) return ['MAN-004'];
      break;
    case 'type':
      if (error.instancePath === '') return preferred('MAN-002');
      break;
  }
  const specific = ids.filter((id) => id !== 'MAN-005' && id !== 'MAN-002');
  return specific.length ? [specific[0] as string] : ids;
}

/**
 * Validates the manifest against schemas/manifest/manifest.schema.json (the contract) and gives
 * each error to the requirement cited by the deepest `$comment` on the way to the failing value
 * that one of `caseIds` covers.
 */
export function attributeSchemaErrors(
  manifest: unknown,
  caseIds: ReadonlySet<string>,
): AttributedSchemaError[] {
  const validate = validatorFor('manifest/manifest.schema.json');
  if (validate(manifest)) return [];
  const errors = (validate.errors ?? []).filter(
    // `if`/`anyOf` wrappers repeat what their branches report.
    (e) => e.keyword !== 'if' && e.keyword !== 'anyOf' && e.keyword !== 'oneOf',
  );
  const attributed: AttributedSchemaError[] = [];
  for (const error of errors) {
    const nodes = nodesOnTheWay(error.instancePath);
    let ids: string[] = [];
    for (const node of [...nodes].reverse()) {
      const cited = commentIds(node).filter((id) => caseIds.has(id));
      if (cited.length > 0) {
        ids = disambiguate(cited, error);
        break;
      }
    }
    const where = error.instancePath || '/';
    const name = (error.params as { propertyName?: string; additionalProperty?: string }) ?? {};
    const detail = name.additionalProperty ?? name.propertyName;
    const message = `schema: ${where} ${error.message ?? error.keyword}${detail ? ` (${JSON.stringify(detail)})` : ''}`;
    for (const requirement of ids.length ? ids : ['MAN-002']) {
      attributed.push({ requirement, pointer: where, message });
    }
  }
  return attributed;
}
