import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { schemaBaseUri, schemaValidator, type ErrorObject } from '#schemas';
import { commentsOnTheWay } from './comment-trail.ts';

/** Validates data against a schema URI and returns the comments on the way to each error. */
function trails(schemaPath: string, data: unknown): string[][] {
  const uri = schemaBaseUri + schemaPath;
  const validate = schemaValidator().getSchema(uri);
  assert.ok(validate, `no schema ${uri}`);
  assert.equal(validate(data), false, 'the data must be invalid for this test');
  return (validate.errors ?? []).map((e: ErrorObject) => commentsOnTheWay(uri, e));
}

const cites = (all: string[][], id: string): boolean =>
  all.some((comments) => comments.some((c) => c.includes(`[${id}]`)));

describe('comments on the way to a failing value', () => {
  it('start at a fragment, whose own comment cites keywords placed directly on it', () => {
    const found = trails('bridge/methods/payment.pay.schema.json#/$defs/params', {
      productId: 'croissant',
      merchantId: 'attacker',
    });
    assert.ok(cites(found, 'BRG-018'));
  });

  it('do not count the document root above a fragment for a nested rule', () => {
    // The root of a method schema cites BRG-018, BRG-020 and BRG-023 at once.
    const found = trails('bridge/methods/clipboard.write.schema.json#/$defs/params', {
      text: 'x'.repeat(100_001),
    });
    assert.equal(cites(found, 'BRG-020') || cites(found, 'BRG-023'), false);
    assert.deepEqual(found, [[]]);
  });

  it('do not count a fragment comment for a rule nested below it', () => {
    const found = trails('bridge/methods/ui.showToast.schema.json#/$defs/params', {
      message: 'Added to cart',
      durationMs: 60000,
    });
    assert.equal(cites(found, 'BRG-018'), false);
  });

  it('follow a relative $ref into another document', () => {
    const found = trails('bridge/methods/permissions.query.schema.json#/$defs/params', {
      names: ['geolocation'],
    });
    assert.ok(cites(found, 'PRM-001'));
  });

  it('follow a same-document $ref from a fragment to the definition it names', () => {
    const found = trails('signing/primitives.schema.json#/$defs/packageDigest', {
      sha256: 'AB'.repeat(32),
      length: 10,
    });
    assert.ok(cites(found, 'SIG-016'));
    assert.equal(cites(found, 'SIG-040'), false, 'the length is valid');
  });

  it('resolve a $ref relative to the document that holds it', () => {
    const found = trails('signing/release.schema.json', { issuedAt: '2026-03-01T12:00:00.5Z' });
    assert.ok(cites(found, 'SIG-015'));
  });

  it('are empty for a fragment that names no schema node, instead of throwing', () => {
    const error: ErrorObject = {
      instancePath: '/x',
      schemaPath: '#/type',
      keyword: 'type',
      params: { type: 'string' },
    };
    assert.deepEqual(
      commentsOnTheWay(`${schemaBaseUri}signing/primitives.schema.json#/$defs/missing`, error),
      [],
    );
  });
});
