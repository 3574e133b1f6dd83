import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { schemaValidator, schemaBaseUri } from '#schemas';
import { bridgeMethodRegistry, bridgeMethod } from '../../src/bridge-registry.ts';
import { bridgeMethodList } from '../../generated/bridge/methods.ts';
import permissionName from '../../permissions/permission-name.schema.json' with { type: 'json' };

describe('bridge method registry', () => {
  const registry = bridgeMethodRegistry();

  it('gives every method a schema with params and result definitions [BRG-023]', () => {
    for (const method of registry.methods) {
      for (const part of ['params', 'result']) {
        const id = `${schemaBaseUri}bridge/${method.schema}#/$defs/${part}`;
        assert.ok(schemaValidator().getSchema(id), `${method.name}: no ${id}`);
      }
      assert.equal(method.schema, `methods/${method.name}.schema.json`);
    }
  });

  it('has unique names and rejects unknown params members in every method [BRG-018]', () => {
    assert.equal(new Set(registry.methods.map((m) => m.name)).size, registry.methods.length);
    for (const method of registry.methods) {
      const validate = schemaValidator().getSchema(
        `${schemaBaseUri}bridge/${method.schema}#/$defs/params`,
      );
      assert.equal(validate?.({ unexpectedMember: true }), false, method.name);
    }
  });

  it('introduces methods in every host API version and only in those [BRG-016]', () => {
    const sinces = new Set(registry.methods.map((m) => m.since));
    assert.deepEqual([...sinces].sort(), [...registry.hostApiVersions].sort());
  });

  it('names only registered permissions [PRM-001] [PRM-002]', () => {
    for (const method of registry.methods) {
      if (method.permission !== null)
        assert.ok(permissionName.enum.includes(method.permission), method.name);
    }
  });

  it('agrees with the generated method list', () => {
    assert.deepEqual(
      bridgeMethodList.map((m) => ({ ...m })),
      registry.methods.map(({ name, since, permission }) => ({ name, since, permission })),
    );
  });

  it('finds methods by exact name only [BRG-015]', () => {
    assert.equal(bridgeMethod('payment.pay')?.permission, 'payment');
    assert.equal(bridgeMethod('payment.pay '), undefined);
    assert.equal(bridgeMethod('__proto__'), undefined);
  });
});
