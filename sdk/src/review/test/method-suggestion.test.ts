import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closestName, editDistance } from '../method-suggestion.ts';

describe('method name suggestions', () => {
  it('measures edits, counting a swap of neighbours as one', () => {
    assert.equal(editDistance('payment.pay', 'payment.pay'), 0);
    assert.equal(editDistance('payment.pya', 'payment.pay'), 1);
    assert.equal(editDistance('storage.gte', 'storage.get'), 1);
    assert.equal(editDistance('', 'abc'), 3);
  });

  it('is zero exactly for equal strings, symmetric and bounded by the longer length', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
        const d = editDistance(a, b);
        assert.equal(d === 0, a === b);
        assert.equal(d, editDistance(b, a));
        assert.ok(d <= Math.max(a.length, b.length), 'the distance is at most the longer length');
        assert.ok(
          d >= Math.abs(a.length - b.length),
          'the distance is at least the length difference',
        );
      }),
    );
  });

  it('is one for any single insertion', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.nat(20),
        fc.string({ minLength: 1, maxLength: 1 }),
        (s, at, c) => {
          const i = Math.min(at, s.length);
          assert.equal(editDistance(s, s.slice(0, i) + c + s.slice(i)), 1);
        },
      ),
    );
  });

  it('suggests the closest plausible name and nothing for unrelated ones', () => {
    const known = ['payment.pay', 'payment.checkEntitlement', 'storage.get'];
    assert.equal(closestName('payment.pya', known), 'payment.pay');
    assert.equal(closestName('Payment.Pay', known), 'payment.pay');
    assert.equal(closestName('totally.different', known), null);
  });
});
