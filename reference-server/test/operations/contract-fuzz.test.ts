import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { distributionContract, errorCodes, type ContractOperation } from '#schemas';
import { issueCredential } from '../../src/accounts/credential-issuer.ts';
import { fastifyPath } from '../../src/http/contract-routes.ts';
import { assertContract, bearer } from '../contract-assertions.ts';
import { startTestServer } from '../test-server.ts';
import { describeRequest, hostileRequest, type Credential } from './hostile-request.ts';

/** Runs per operation; FUZZ_RUNS raises it for a longer local campaign. */
const runs = Number(process.env.FUZZ_RUNS) || 30;

const server = await startTestServer();
after(() => server.close());

const partner = await server.partner();
const reviewer = await server.reviewer();
const admin = await server.admin();
const device = await server.hostDevice();
const user = await server.hostUser();
const apiKey = await issueCredential(server.services.db, {
  kind: 'api_key',
  partnerId: partner.partnerId,
  accountId: partner.accountId,
});
const expired = await issueCredential(server.services.db, {
  kind: 'session',
  accountId: partner.accountId,
  partnerId: partner.partnerId,
  expiresAt: new Date(Date.now() - 60_000),
});
const revoked = await issueCredential(server.services.db, {
  kind: 'session',
  accountId: admin.accountId,
  ttlSeconds: 3600,
});
await server.services.db.query('update credentials set revoked_at = now() where id = $1', [
  revoked.id,
]);

const valid: Record<string, string> = {
  'portal:partner': partner.token,
  'portal:reviewer': reviewer.token,
  'portal:admin': admin.token,
  partnerKey: apiKey.token,
  hostDevice: device.token,
  hostUser: user.token,
};
const credentials: Credential[] = [
  ...Object.entries(valid).map(([label, secret]) => ({ label, secret })),
  { label: 'expired', secret: expired.token },
  { label: 'revoked', secret: revoked.token },
];

/** The operations this build serves; other route groups add theirs over time, and all are covered. */
const served = distributionContract().operations.filter((operation) =>
  server.app.hasRoute({ method: operation.method, url: fastifyPath(operation.path) }),
);

/** A credential that satisfies the operation's first security alternative, or null for public routes. */
function allowedSecret(operation: ContractOperation): string | null {
  const alternative = operation.security[0];
  if (!alternative || Object.keys(alternative).length === 0) return null;
  const [scheme, roles] = Object.entries(alternative)[0] ?? ['', []];
  return valid[scheme === 'portal' ? `portal:${roles[0] ?? 'partner'}` : scheme] ?? null;
}

/** Fills every path parameter with a harmless value that still reaches the operation's route. */
function samplePath(operation: ContractOperation): string {
  return operation.path.replace(/\{[A-Za-z0-9_]+\}/g, 'com.example.fuzz');
}

const leaks: [string, RegExp][] = [
  ['a stack frame', /\n\s+at \S.*(:\d+:\d+\)?|<anonymous>)/],
  ['a source file path', /\.(ts|js|mjs|cjs):\d+/],
  ['a dependency path', /node_modules/],
  ['the repository path', new RegExp(escapeRegExp(path.resolve(import.meta.dirname, '../../..')))],
  ['the data directory', new RegExp(escapeRegExp(server.dataDir))],
];

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * What every answer to a hostile request must satisfy: no 5xx [API-090]; a problem document with a
 * registry code for every 4xx [API-009] [API-010] [API-011]; no stack, server path or credential
 * [API-014]; and, when the request reached the operation's own route, the operation's contract.
 */
function assertWellFormed(
  operation: ContractOperation,
  request: string,
  response: LightMyRequestResponse,
  routed: boolean,
): void {
  const where = `${operation.operationId}: ${request} -> ${response.statusCode}`;
  assert.ok(response.statusCode < 500, `${where} must not be a server error\n${response.body}`);
  for (const secret of Object.values(valid).concat(expired.token, revoked.token)) {
    assert.ok(!response.body.includes(secret), `${where} echoes a credential`);
    for (const [name, value] of Object.entries(response.headers)) {
      assert.ok(!String(value).includes(secret), `${where} echoes a credential in ${name}`);
    }
  }
  for (const [what, pattern] of leaks) {
    assert.doesNotMatch(response.body, pattern, `${where} reveals ${what}`);
  }
  if (response.statusCode >= 400) {
    const contentType = String(response.headers['content-type'] ?? '').split(';')[0];
    assert.equal(contentType, 'application/problem+json', `${where} must be a problem document`);
    if (operation.method !== 'HEAD') {
      const problem = JSON.parse(response.body) as Record<string, unknown>;
      assert.ok(
        typeof problem.code === 'string' && problem.code in errorCodes,
        `${where} carries an unregistered code ${String(problem.code)}`,
      );
      assert.equal(problem.status, response.statusCode, `${where} status member`);
      assert.equal(problem.type, `https://openminiapp.dev/errors/${String(problem.code)}`, where);
    }
  }
  if (routed) assertContract(operation.operationId, response);
}

describe('contract fuzzing of every served operation', () => {
  it('finds the operations of every route group registered', () => {
    // Guards the fuzzing below against passing vacuously on an empty route table.
    for (const id of ['getHealth', 'getReadiness', 'getMetrics']) {
      assert.ok(
        served.some((operation) => operation.operationId === id),
        `${id} is not served`,
      );
    }
  });

  for (const operation of served) {
    it(`${operation.operationId} (${operation.method} ${operation.path}) answers hostile requests with contract problems, never a 5xx [API-009] [API-014] [API-015] [API-090]`, async () => {
      await fc.assert(
        fc.asyncProperty(hostileRequest(operation, credentials), async ({ inject, routed }) => {
          const response = await server.app.inject(inject);
          assertWellFormed(operation, describeRequest(inject), response, routed);
        }),
        { numRuns: runs },
      );
    });
  }

  const authenticated = served.filter((operation) => allowedSecret(operation) !== null);

  it('never accepts a credential sent in a query parameter [API-006]', async () => {
    for (const operation of authenticated) {
      const secret = allowedSecret(operation) ?? '';
      for (const name of ['access_token', 'token', 'authorization']) {
        const response = await server.app.inject({
          method: operation.method,
          url: `${samplePath(operation)}?${name}=${encodeURIComponent(secret)}`,
        });
        assert.equal(response.statusCode, 401, `${operation.operationId} with ?${name}=`);
        assert.equal(response.json().code, 'API_UNAUTHENTICATED');
        assertContract(operation.operationId, response);
      }
    }
  });

  it('refuses expired and revoked credentials on every authenticated operation [API-007]', async () => {
    for (const operation of authenticated) {
      for (const secret of [expired.token, revoked.token]) {
        const response = await server.app.inject({
          method: operation.method,
          url: samplePath(operation),
          headers: bearer(secret),
        });
        assert.equal(response.statusCode, 401, operation.operationId);
        assert.equal(response.json().code, 'API_UNAUTHENTICATED');
        assert.match(String(response.headers['www-authenticate']), /^Bearer /);
        assertContract(operation.operationId, response);
      }
    }
  });

  it('refuses a valid credential of a role the operation does not list [API-002]', async () => {
    for (const operation of authenticated) {
      for (const [label, secret] of Object.entries(valid)) {
        const [scheme, role] = label.split(':');
        const allowed = operation.security.some((alternative) =>
          Object.entries(alternative).some(
            ([s, roles]) => s === scheme && (roles.length === 0 || roles.includes(role ?? '')),
          ),
        );
        if (allowed) continue;
        const response = await server.app.inject({
          method: operation.method,
          url: samplePath(operation),
          headers: bearer(secret),
        });
        assert.equal(response.statusCode, 403, `${operation.operationId} as ${label}`);
        assert.equal(response.json().code, 'API_FORBIDDEN');
        assertContract(operation.operationId, response);
      }
    }
  });
});
