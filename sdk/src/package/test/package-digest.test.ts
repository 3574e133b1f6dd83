import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { packageDigest, verifyPackageDigest } from '../package-digest.ts';

describe('packageDigest', () => {
  it('is the lowercase hex SHA-256 and the length of the bytes', () => {
    assert.deepEqual(packageDigest(new TextEncoder().encode('abc')), {
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      length: 3,
    });
  });
});

describe('verifyPackageDigest', () => {
  it('accepts the bytes it was computed from and refuses any change, truncation or extension', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 256 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (bytes, at, xor) => {
          const digest = packageDigest(bytes);
          verifyPackageDigest(bytes, digest);
          const flipped = Uint8Array.from(bytes);
          const index = at % bytes.length;
          flipped[index] = (flipped[index] ?? 0) ^ xor;
          assert.throws(() => verifyPackageDigest(flipped, digest), {
            code: 'SIG_DIGEST_MISMATCH',
          });
          assert.throws(() => verifyPackageDigest(bytes.subarray(1), digest), {
            code: 'SIG_LENGTH_MISMATCH',
          });
          assert.throws(() => verifyPackageDigest(new Uint8Array([...bytes, 0]), digest), {
            code: 'SIG_LENGTH_MISMATCH',
          });
        },
      ),
    );
  });

  it('refuses a malformed expected digest instead of accepting it', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    assert.throws(() => verifyPackageDigest(bytes, { sha256: 'zz', length: 3 }), {
      code: 'SIG_DIGEST_MISMATCH',
    });
  });
});
