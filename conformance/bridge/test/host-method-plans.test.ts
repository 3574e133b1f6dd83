import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bridgeMethodRegistry, schemaValidator } from '#schemas';
import { plans } from '../host-method-cases.ts';

// Each method case sends params its schema accepts and params it rejects; a wrong plan would make
// the case test the suite instead of the host.
describe('host method plans', () => {
  const ajv = schemaValidator();
  for (const method of bridgeMethodRegistry().methods) {
    it(`${method.name}: the valid params pass its schema and the invalid ones do not`, () => {
      const plan = plans[method.name];
      assert.ok(plan, `no plan for ${method.name}`);
      const validate = ajv.getSchema(
        `https://openminiapp.dev/schemas/v1/bridge/${method.schema}#/$defs/params`,
      );
      assert.ok(validate);
      assert.equal(validate(plan.params), true, JSON.stringify(validate.errors));
      assert.equal(validate(plan.invalid), false, `${JSON.stringify(plan.invalid)} is valid`);
    });
  }
});
