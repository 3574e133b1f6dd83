import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  isNode,
  listOperations,
  loadOpenApi,
  repoRoot,
  resolveLocal,
  type Node,
} from './openapi-document.ts';

const doc = loadOpenApi();
const operations = listOperations(doc);
const components = isNode(doc.components) ? doc.components : {};
const schemes = isNode(components.securitySchemes) ? components.securitySchemes : {};
const declaredTags = new Set(
  (Array.isArray(doc.tags) ? doc.tags : []).map((t) => (isNode(t) ? String(t.name) : '')),
);
const portalRoles = new Set(['partner', 'reviewer', 'admin']);

function responsesOf(operation: Node): [string, Node][] {
  const responses = isNode(operation.responses) ? operation.responses : {};
  return Object.entries(responses).map(([status, r]) => {
    const resolved = resolveLocal(doc, r);
    return [status, isNode(resolved) ? resolved : {}];
  });
}

function isProblemResponse(response: Node): boolean {
  const content = isNode(response.content) ? response.content : {};
  const problem = content['application/problem+json'];
  return (
    Object.keys(content).length === 1 &&
    isNode(problem) &&
    isNode(problem.schema) &&
    problem.schema.$ref === 'problem.schema.json'
  );
}

describe('operations of the distribution API', () => {
  it('are many enough to cover the spec', () => {
    assert.ok(operations.length >= 45, `only ${operations.length} operations`);
  });

  it('have unique operationIds', () => {
    const ids = operations.map((o) => o.operation.operationId);
    assert.ok(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id)));
    assert.equal(new Set(ids).size, ids.length);
  });

  for (const { method, path: route, operation } of operations) {
    const name = `${method.toUpperCase()} ${route}`;

    it(`${name} has declared tags and a summary`, () => {
      assert.ok(Array.isArray(operation.tags) && operation.tags.length > 0);
      for (const tag of operation.tags)
        assert.ok(declaredTags.has(String(tag)), `undeclared tag ${tag}`);
      assert.equal(typeof operation.summary, 'string');
    });

    it(`${name} states its security explicitly, with known schemes and roles [API-001] [API-002]`, () => {
      assert.ok(
        Array.isArray(operation.security),
        'security must be explicit; use [] for public routes',
      );
      for (const requirement of operation.security) {
        assert.ok(isNode(requirement));
        for (const [scheme, roles] of Object.entries(requirement)) {
          assert.ok(scheme in schemes, `unknown scheme ${scheme}`);
          assert.ok(Array.isArray(roles));
          if (scheme === 'portal') {
            assert.ok(
              roles.length > 0 && roles.every((r) => portalRoles.has(String(r))),
              'portal needs a role',
            );
          }
        }
      }
    });

    it(`${name} answers failures with problem+json [API-009]`, () => {
      const failures = responsesOf(operation).filter(([status]) => /^[45]/.test(status));
      assert.ok(
        failures.some(([status]) => status.startsWith('4')),
        'no 4xx response',
      );
      for (const [status, response] of failures) {
        // A HEAD response carries no content (RFC 9110), so its failures have none to type.
        if (method === 'head') {
          assert.equal(response.content, undefined, `${status} of HEAD must have no content`);
          continue;
        }
        assert.ok(isProblemResponse(response), `${status} is not application/problem+json`);
      }
    });

    if (Array.isArray(operation.security) && operation.security.length > 0) {
      it(`${name} documents 401 for a missing credential [API-001]`, () => {
        assert.ok(responsesOf(operation).some(([status]) => status === '401'));
      });
    }
  }

  it('includes every route that spec/distribution.md names', () => {
    const spec = readFileSync(path.join(repoRoot, 'spec/distribution.md'), 'utf8');
    const named = [...spec.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`?\s]*)`/g)];
    assert.ok(named.length >= 15, `only ${named.length} routes named in the spec`);
    const documented = new Set(operations.map((o) => `${o.method.toUpperCase()} ${o.path}`));
    for (const [, method, route] of named) {
      assert.ok(
        documented.has(`${method} ${route}`),
        `${method} ${route} is missing from openapi.yaml`,
      );
    }
  });

  it('serves bundles as immutable, range-capable, content-addressed bytes [API-042] [API-043] [API-044]', () => {
    const bundle = operations.find((o) => o.operation.operationId === 'getBundle');
    assert.ok(bundle);
    const responses = new Map(responsesOf(bundle.operation));
    for (const status of ['200', '206', '304', '404', '416'])
      assert.ok(responses.has(status), `no ${status}`);
    const ok = responses.get('200') ?? {};
    assert.ok(isNode(ok.content) && 'application/miniapp-pkg+zip' in ok.content);
    const cache = resolveLocal(doc, isNode(ok.headers) ? ok.headers['Cache-Control'] : undefined);
    assert.ok(isNode(cache) && isNode(cache.schema));
    assert.equal(cache.schema.const, 'public, max-age=31536000, immutable');
  });
});
