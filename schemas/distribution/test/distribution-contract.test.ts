import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createContractValidator, distributionContract } from '#schemas';

describe('distribution contract loader', () => {
  const contract = distributionContract();

  it('lists every operation of the OpenAPI document once, by operationId', () => {
    const ids = contract.operations.map((o) => o.operationId);
    assert.ok(ids.length >= 40);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(contract.operation('checkUpdates').method, 'POST');
    assert.throws(() => contract.operation('noSuchOperation'));
  });

  it('resolves shared parameters and keeps their schemas', () => {
    const op = contract.operation('getVersion');
    const names = op.parameters.filter((p) => p.in === 'path').map((p) => p.name);
    assert.deepEqual(names.sort(), ['appId', 'versionCode']);
    assert.ok(op.parameters.every((p) => p.in !== 'path' || p.required));
  });

  it('compiles every request and response schema under strict Ajv 2020', () => {
    const ajv = createContractValidator();
    let compiled = 0;
    for (const op of contract.operations) {
      for (const schema of Object.values(op.requestBody?.content ?? {})) {
        ajv.compile(schema);
        compiled++;
      }
      for (const response of Object.values(op.responses)) {
        for (const schema of Object.values(response.content)) {
          ajv.compile(schema);
          compiled++;
        }
      }
    }
    assert.ok(compiled > 100);
  });

  it('validates a problem document through a component reference and rejects a broken one', () => {
    const ajv = createContractValidator();
    const schema =
      contract.operation('getHealth').responses['429']?.content['application/problem+json'];
    assert.ok(schema);
    const validate = ajv.compile(schema);
    const problem = {
      type: 'https://openminiapp.dev/errors/API_RATE_LIMITED',
      title: 'Too many requests',
      status: 429,
      code: 'API_RATE_LIMITED',
    };
    assert.equal(validate(problem), true, JSON.stringify(validate.errors));
    assert.equal(validate({ ...problem, code: 'NOT_A_CODE' }), false);
  });
});
