import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadContract } from '../contract/openapi-contract.ts';
import { TrafficLedger } from '../contract/traffic-ledger.ts';
import type { Exchange } from '../subject/http-exchange.ts';

const contract = loadContract();

function exchange(
  method: string,
  target: string,
  status: number,
  headers: Record<string, string>,
  body: unknown,
  secrets: string[] = [],
): Exchange {
  const path = new URL(target, 'http://x').pathname;
  return {
    seq: 1,
    caseId: undefined,
    method,
    target,
    requestHeaders: {},
    requestBodyLength: 0,
    secrets,
    status,
    headers: new Headers({ 'x-content-type-options': 'nosniff', ...headers }),
    body:
      body === undefined
        ? new Uint8Array()
        : new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)),
    durationMs: 1,
    operation: contract.match(method, path),
    findings: [],
  };
}

const problem = (status: number, code: string) => ({
  type: `https://openminiapp.dev/errors/${code}`,
  title: 'x',
  status,
  code,
});
const rules = (e: Exchange) => new TrafficLedger(contract).check(e).map((f) => f.rule);

describe('the traffic ledger judges each response against the contract and the problem rules', () => {
  test('every operation of the OpenAPI document is matched by its own path', () => {
    for (const op of contract.operations) {
      const path = op.template.replace(/\{[^}]+\}/g, 'x1');
      assert.equal(contract.match(op.method, path)?.operationId, op.operationId, op.template);
    }
    assert.equal(contract.match('GET', '/v1/trust/index.json')?.operationId, 'getSignedIndex');
  });
  test('a conforming problem passes and each broken member is named', () => {
    const ok = exchange(
      'GET',
      '/v1/partner',
      401,
      { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer' },
      problem(401, 'API_UNAUTHENTICATED'),
    );
    assert.deepEqual(rules(ok), []);
    assert.ok(
      rules(
        exchange(
          'GET',
          '/v1/partner',
          401,
          { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
          problem(401, 'API_UNAUTHENTICATED'),
        ),
      ).includes('problem-media-type'),
    );
    assert.ok(
      rules(
        exchange(
          'GET',
          '/v1/partner',
          401,
          { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer' },
          problem(400, 'API_UNAUTHENTICATED'),
        ),
      ).includes('problem-fields'),
    );
    assert.ok(
      rules(
        exchange(
          'GET',
          '/v1/partner',
          401,
          { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer' },
          { ...problem(401, 'API_UNAUTHENTICATED'), type: 'about:blank' },
        ),
      ).includes('problem-type'),
    );
    assert.ok(
      rules(
        exchange(
          'GET',
          '/v1/partner',
          401,
          { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer' },
          { ...problem(401, 'API_UNAUTHENTICATED'), detail: 'bad token mas_secret-value-1234' },
          ['mas_secret-value-1234'],
        ),
      ).includes('problem-leak'),
    );
    assert.ok(
      rules(
        exchange(
          'GET',
          '/v1/partner',
          401,
          { 'content-type': 'application/problem+json' },
          problem(401, 'API_UNAUTHENTICATED'),
        ),
      ).includes('contract'),
    );
  });
  test('undeclared statuses, missing headers and bodies outside the schema are contract findings', () => {
    assert.ok(
      rules(
        exchange(
          'GET',
          '/healthz',
          500,
          { 'content-type': 'application/problem+json' },
          problem(500, 'API_INTERNAL'),
        ),
      ).includes('server-error'),
    );
    assert.ok(
      rules(
        exchange('GET', '/healthz', 200, { 'content-type': 'application/json' }, { status: 'ok' }),
      ).includes('contract'),
    );
    assert.deepEqual(
      rules(
        exchange(
          'GET',
          '/healthz',
          200,
          { 'content-type': 'application/json', 'cache-control': 'no-store' },
          { status: 'ok' },
        ),
      ),
      [],
    );
    assert.ok(
      rules(
        exchange(
          'GET',
          '/healthz',
          200,
          { 'content-type': 'application/json', 'cache-control': 'no-store' },
          { status: 'fine' },
        ),
      ).includes('contract'),
    );
    assert.ok(
      rules(exchange('GET', '/v1/trust/index.json', 304, { etag: '"a"' }, 'body')).includes(
        'contract',
      ),
    );
  });
  test('a response without X-Content-Type-Options: nosniff is a nosniff finding, whatever its status', () => {
    for (const [status, value] of [
      [200, undefined],
      [404, 'sniff'],
      [304, ''],
    ] as const) {
      const e = exchange('GET', '/healthz', status, {}, undefined);
      if (value === undefined) e.headers.delete('x-content-type-options');
      else e.headers.set('x-content-type-options', value);
      assert.ok(rules(e).includes('nosniff'), `${status} ${String(value)}`);
    }
    assert.ok(!rules(exchange('GET', '/healthz', 200, {}, { status: 'ok' })).includes('nosniff'));
  });
});
