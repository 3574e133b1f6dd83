import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CredentialCache, type CredentialRecord } from '../../src/http/credential-cache.ts';

const record = (id: string): CredentialRecord => ({
  id,
  kind: 'host_device',
  accountId: null,
  role: null,
  partnerId: null,
  subject: `device-${id}`,
  expiresAt: null,
  revoked: false,
});

describe('credential cache [API-094]', () => {
  it('serves an entry until it is maxAge old, then forgets it', () => {
    let now = 1_000;
    const cache = new CredentialCache(5000, 10, () => now);
    cache.set('a', record('a'));
    now += 4999;
    assert.equal(cache.get('a')?.id, 'a');
    now += 1;
    assert.equal(cache.get('a'), null);
  });

  it('empties at once when a credential is revoked here [API-007]', () => {
    const cache = new CredentialCache(5000, 10, () => 0);
    cache.set('a', record('a'));
    cache.set('b', record('b'));
    cache.forget();
    assert.equal(cache.get('a'), null);
    assert.equal(cache.get('b'), null);
  });

  it('keeps no lookup that was under way when a revocation emptied the cache [API-094]', () => {
    const cache = new CredentialCache(5000, 10, () => 0);
    const ticket = cache.ticket();
    // The store answered with the credential as it was before another process revoked it.
    cache.forget();
    cache.set('a', record('a'), ticket);
    assert.equal(cache.get('a'), null);
    cache.set('a', record('a'), cache.ticket());
    assert.equal(cache.get('a')?.id, 'a');
  });

  it('ages an entry from before the lookup that read it, not from when the answer came', () => {
    let now = 1_000;
    const cache = new CredentialCache(5000, 10, () => now);
    const ticket = cache.ticket();
    now += 3000;
    cache.set('a', record('a'), ticket);
    now += 1999;
    assert.equal(cache.get('a')?.id, 'a');
    now += 1;
    assert.equal(cache.get('a'), null);
  });

  it('never holds more than its bound, dropping the oldest first', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.stringMatching(/^[0-9a-f]{1,4}$/), { maxLength: 100 }),
        (bound, keys) => {
          const cache = new CredentialCache(5000, bound, () => 0);
          for (const key of keys) cache.set(key, record(key));
          const distinct = [...new Set(keys)];
          const present = distinct.filter((k) => cache.get(k) !== null);
          assert.ok(
            present.length <= bound,
            `the cache holds at most ${bound} entries, not ${present.length}`,
          );
          // The last key set is always present.
          if (keys.length > 0)
            assert.ok(cache.get(keys.at(-1) ?? '') !== null, 'the last key set is still cached');
        },
      ),
    );
  });

  it('caches nothing when disabled', () => {
    const cache = new CredentialCache(0, 10, () => 0);
    cache.set('a', record('a'));
    assert.equal(cache.get('a'), null);
  });
});
