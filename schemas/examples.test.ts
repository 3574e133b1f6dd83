import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  schemaValidator,
  schemasRoot,
  schemaBaseUri,
  validatorFor,
  type ErrorObject,
} from '#schemas';

interface ExampleCase {
  description: string;
  schema: string;
  requirement?: string;
  data: unknown;
}

type SchemaNode = Record<string, unknown>;

function findExampleFiles(): { area: string; verdict: 'pass' | 'fail'; file: string }[] {
  const found: { area: string; verdict: 'pass' | 'fail'; file: string }[] = [];
  for (const rel of readdirSync(schemasRoot, { recursive: true, encoding: 'utf8' })) {
    const parts = rel.split(path.sep);
    const at = parts.indexOf('examples');
    const verdict = parts[at + 1];
    if (at < 1 || !rel.endsWith('.json') || (verdict !== 'pass' && verdict !== 'fail')) continue;
    found.push({ area: parts.slice(0, at).join('/'), verdict, file: rel });
  }
  return found.sort((a, b) => a.file.localeCompare(b.file));
}

function resolveRef(ref: string, baseId: string): { node: SchemaNode; baseId: string } | null {
  const url = new URL(ref, baseId);
  const docId = url.href.split('#')[0] ?? '';
  const doc = schemaValidator().getSchema(docId)?.schema as SchemaNode | undefined;
  if (!doc) return null;
  return { node: pointerGet(doc, url.hash.slice(1)) as SchemaNode, baseId: docId };
}

function pointerGet(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const seg of pointer.split('/').slice(1)) {
    node = (node as SchemaNode | undefined)?.[
      decodeURIComponent(seg).replace(/~1/g, '/').replace(/~0/g, '~')
    ];
  }
  return node;
}

/** $comments met on the way from the root schema to the failing value, following $ref. */
function commentsOnTheWay(rootId: string, error: ErrorObject): string[] {
  const comments: string[] = [];
  const rootDoc = schemaValidator().getSchema(rootId)?.schema as SchemaNode;
  const visit = (
    node: SchemaNode | undefined,
    baseId: string,
    depth: number,
  ): SchemaNode | undefined => {
    let current = node;
    let base = baseId;
    for (let hops = 0; current && hops < 10; hops++) {
      if (depth > 0 && typeof current.$comment === 'string') comments.push(current.$comment);
      if (typeof current.$ref !== 'string') break;
      const next = resolveRef(current.$ref, base);
      if (!next) break;
      current = next.node;
      base = next.baseId;
    }
    return current;
  };
  let node = visit(rootDoc, rootId, 0);
  const segments = error.instancePath.split('/').slice(1);
  for (const [i, seg] of segments.entries()) {
    if (!node) break;
    const props = node.properties as Record<string, SchemaNode> | undefined;
    const next =
      props?.[seg] ??
      (Array.isArray(node.prefixItems)
        ? (node.prefixItems as SchemaNode[])[Number(seg)]
        : undefined) ??
      (node.items as SchemaNode | undefined) ??
      (node.additionalProperties as SchemaNode | undefined);
    node = visit(typeof next === 'object' ? next : undefined, rootId, i + 1);
  }
  if (error.keyword === 'required' || error.keyword === 'dependentRequired') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    const prop = (node?.properties as Record<string, SchemaNode> | undefined)?.[missing];
    if (prop && typeof prop.$comment === 'string') comments.push(prop.$comment);
  }
  if (error.schemaPath.startsWith('#')) {
    const segs = error.schemaPath.slice(2).split('/');
    for (let n = segs.length - 1; n >= 1; n--) {
      const at = pointerGet(rootDoc, '/' + segs.slice(0, n).join('/')) as SchemaNode | undefined;
      if (at && typeof at.$comment === 'string') comments.push(at.$comment);
    }
    // A keyword on the root object itself (e.g. additionalProperties) is cited by the root's $comment.
    if (segs.length === 1 && typeof rootDoc.$comment === 'string') comments.push(rootDoc.$comment);
  }
  return comments;
}

const caseValidator = validatorFor('example-case.schema.json');

describe('schema examples', () => {
  const files = findExampleFiles();
  it('exist for the schemas', () => {
    assert.ok(files.length > 0, 'no schemas/<area>/examples/{pass,fail}/*.json found');
  });
  for (const { area, verdict, file } of files) {
    const testCase = JSON.parse(readFileSync(path.join(schemasRoot, file), 'utf8')) as ExampleCase;
    it(`${file}: ${testCase.description}`, () => {
      assert.ok(caseValidator(testCase), JSON.stringify(caseValidator.errors));
      const schemaId = schemaBaseUri + `${area}/${testCase.schema}`;
      const validate = schemaValidator().getSchema(schemaId);
      assert.ok(validate, `unknown schema ${schemaId}`);
      const valid = validate(testCase.data);
      if (verdict === 'pass') {
        assert.equal(testCase.requirement, undefined, 'pass cases cite no requirement');
        assert.ok(valid, `expected valid, got ${JSON.stringify(validate.errors, null, 1)}`);
        return;
      }
      assert.ok(testCase.requirement, 'a fail case must state the requirement id it breaks');
      assert.equal(valid, false, 'expected the schema to reject the data');
      const cited = (validate.errors ?? []).some((e) =>
        commentsOnTheWay(schemaId.split('#')[0] ?? schemaId, e).some((c) =>
          c.includes(`[${testCase.requirement}]`),
        ),
      );
      assert.ok(
        cited,
        `rejected, but no $comment on the way to the failing value cites [${testCase.requirement}]: ${JSON.stringify(validate.errors, null, 1)}`,
      );
    });
  }
});
