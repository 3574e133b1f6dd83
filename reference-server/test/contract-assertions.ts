import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createContractValidator, distributionContract } from '#schemas';

const ajv = createContractValidator();

/**
 * Asserts that a response is one the contract allows for the operation: a documented status, its media
 * type, and a body valid against its schema (problem documents for every 4xx/5xx [API-009]).
 */
export function assertContract(operationId: string, response: LightMyRequestResponse): void {
  const operation = distributionContract().operation(operationId);
  const status = String(response.statusCode);
  const documented =
    operation.responses[status] ??
    operation.responses[`${status[0]}XX`] ??
    operation.responses.default;
  assert.ok(
    documented,
    `${operationId} answered ${status}, which the contract does not document (${Object.keys(operation.responses).join(', ')})`,
  );
  // Every header the contract documents for a success is sent (Cache-Control, Vary, ETag...) [API-017] [API-020].
  if (response.statusCode < 300) {
    for (const header of documented.headers) {
      assert.ok(
        response.headers[header.toLowerCase()] !== undefined,
        `${operationId} ${status} lacks the documented header ${header}`,
      );
    }
  }
  const contentType = String(response.headers['content-type'] ?? '').split(';')[0] ?? '';
  if (response.statusCode >= 400)
    assert.equal(
      contentType,
      'application/problem+json',
      `${operationId} ${status} must be a problem document`,
    );
  const mediaTypes = Object.keys(documented.content);
  if (mediaTypes.length === 0 || operation.method === 'HEAD' || response.statusCode === 304) return;
  assert.ok(
    mediaTypes.includes(contentType),
    `${operationId} ${status} answered ${contentType}, documented: ${mediaTypes.join(', ')}`,
  );
  if (!contentType.endsWith('json')) return;
  const validate = ajv.compile(documented.content[contentType] ?? {});
  const body: unknown = JSON.parse(response.body);
  assert.ok(
    validate(body),
    `${operationId} ${status} body breaks the contract: ${JSON.stringify(validate.errors, null, 1)}\n${response.body.slice(0, 500)}`,
  );
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
