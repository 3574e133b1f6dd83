import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validatorFor } from '#schemas';

const validate = validatorFor('example-case.schema.json');

const failCase = {
  description: 'payment.pay with a float amount.',
  schema: 'methods/payment.pay.schema.json#/$defs/params',
  requirement: 'BRG-018',
  data: { orderId: 'A-1', amount: 9.9, currency: 'EUR' },
};

describe('example-case schema', () => {
  it('accepts a fail case that names a schema fragment and a requirement id', () => {
    assert.equal(validate(failCase), true, JSON.stringify(validate.errors));
  });

  it('rejects a case whose schema is not a *.schema.json file', () => {
    for (const schema of ['method-registry.json', 'manifest.schema.json.bak', '']) {
      assert.equal(validate({ ...failCase, schema }), false, schema);
    }
  });

  it('rejects requirement ids that do not follow the PFX-NNN notation', () => {
    for (const requirement of ['BRG-18', 'brg-018', 'BRG-0180', '[BRG-018]', 'BRG018']) {
      assert.equal(validate({ ...failCase, requirement }), false, requirement);
    }
  });

  it('rejects a case without data, so an empty example cannot pass by accident', () => {
    const withoutData: Partial<typeof failCase> = { ...failCase };
    delete withoutData.data;
    assert.equal(validate(withoutData), false);
  });

  it('rejects members it does not define, such as a verdict that contradicts the folder', () => {
    assert.equal(validate({ ...failCase, verdict: 'pass' }), false);
  });

  it('rejects a description too short to say what the example shows', () => {
    assert.equal(validate({ ...failCase, description: 'bad' }), false);
  });
});
