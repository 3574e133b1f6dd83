import assert from 'node:assert/strict';
import { constants, createHash as nodeHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { crc32 as nodeCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { Buffer as ShimBuffer } from '../src/platform/buffer-global.ts';
import { crc32 as shimCrc32 } from '../src/platform/node-zlib.ts';
import {
  createHash,
  createPublicKey,
  timingSafeEqual,
  verify,
} from '../src/platform/browser-crypto.ts';

const encodings = ['base64', 'base64url', 'hex', 'latin1'] as const;

describe('the browser Buffer shim', () => {
  it('encodes every byte string exactly as Node does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        for (const encoding of encodings) {
          assert.equal(
            ShimBuffer.from(bytes).toString(encoding),
            Buffer.from(bytes).toString(encoding),
          );
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('decodes any text, well formed or not, to the bytes Node decodes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        for (const encoding of ['base64', 'base64url'] as const) {
          assert.equal(
            ShimBuffer.compare(ShimBuffer.from(text, encoding), Buffer.from(text, encoding)),
            0,
          );
        }
        assert.equal(ShimBuffer.byteLength(text), Buffer.byteLength(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('orders byte strings as Node does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ maxLength: 20 }), (a, b) => {
        assert.equal(ShimBuffer.compare(a, b), Buffer.compare(a, b));
      }),
    );
  });

  it('reads 4 bytes big-endian as Node does, so rollout buckets agree [API-081]', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 12 }), fc.nat(8), (bytes, at) => {
        const offset = at % (bytes.length - 3);
        assert.equal(
          ShimBuffer.from(bytes).readUInt32BE(offset),
          Buffer.from(bytes).readUInt32BE(offset),
        );
      }),
    );
    assert.throws(() => ShimBuffer.from([1, 2, 3]).readUInt32BE(0), RangeError);
  });
});

describe('the browser zlib shim', () => {
  it('computes the CRC-32 node:zlib computes, for any bytes and running value [PKG-050]', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (bytes, value) => shimCrc32(bytes, value) === nodeCrc32(bytes, value),
      ),
    );
    assert.equal(shimCrc32('openminiapp'), nodeCrc32('openminiapp'));
  });

  it('makes a view, not a copy, of an ArrayBuffer range, as Node does', () => {
    const memory = new Uint8Array([1, 2, 3, 4, 5]).buffer;
    const view = ShimBuffer.from(memory, 1, 3);
    assert.deepEqual([...view], [2, 3, 4]);
    new Uint8Array(memory)[2] = 9;
    assert.equal(view[1], 9);
  });

  it('copies exactly the bytes of a typed-array view, as Node does, so later writes cannot reach the copy', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(8), fc.nat(8), (bytes, head, tail) => {
        const memory = new Uint8Array(head + bytes.length + tail);
        memory.set(bytes, head);
        const view = memory.subarray(head, head + bytes.length);
        const copy = ShimBuffer.from(view);
        assert.deepEqual([...copy], [...Buffer.from(view)]);
        memory.fill(0xaa);
        assert.deepEqual([...copy], [...bytes]);
      }),
    );
  });
});

describe('the browser crypto shim', () => {
  const message = new TextEncoder().encode('DSSEv1 7 payload 5 hello');
  const ed = generateKeyPairSync('ed25519');
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const keys = {
    ed: createPublicKey({ key: ed.publicKey.export({ format: 'jwk' }) as never, format: 'jwk' }),
    ec: createPublicKey({ key: ec.publicKey.export({ format: 'jwk' }) as never, format: 'jwk' }),
    rsa: createPublicKey({ key: rsa.publicKey.export({ format: 'jwk' }) as never, format: 'jwk' }),
  };
  const signatures = {
    ed: sign(null, message, ed.privateKey),
    ec: sign('sha256', message, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }),
    rsa: sign('sha256', message, {
      key: rsa.privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    }),
  };
  const check = {
    ed: (data: Uint8Array, sig: Uint8Array) => verify(null, data, keys.ed, sig),
    ec: (data: Uint8Array, sig: Uint8Array) =>
      verify('sha256', data, { key: keys.ec, dsaEncoding: 'ieee-p1363' }, sig),
    rsa: (data: Uint8Array, sig: Uint8Array) =>
      verify(
        'sha256',
        data,
        { key: keys.rsa, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        sig,
      ),
  };

  it('accepts the signatures Node makes with Ed25519, P-256 (P1363) and RSA-PSS', () => {
    for (const name of ['ed', 'ec', 'rsa'] as const)
      assert.equal(check[name](message, signatures[name]), true, name);
  });

  it('refuses any changed byte of the signature or the message [SIG-011]', () => {
    for (const name of ['ed', 'ec', 'rsa'] as const) {
      fc.assert(
        fc.property(
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          fc.boolean(),
          (at, flip, inSignature) => {
            const sig = Uint8Array.from(signatures[name]);
            const data = Uint8Array.from(message);
            const target = inSignature ? sig : data;
            target[at % target.length] = (target[at % target.length] ?? 0) ^ flip;
            assert.equal(check[name](data, sig), false);
          },
        ),
        { numRuns: name === 'rsa' ? 60 : 200 },
      );
    }
  });

  it('never verifies an RSA PKCS#1 v1.5 signature as PSS [SIG-004]', () => {
    const pkcs1 = sign('sha256', message, {
      key: rsa.privateKey,
      padding: constants.RSA_PKCS1_PADDING,
    });
    assert.equal(check.rsa(message, pkcs1), false);
  });

  it('hashes like node:crypto and compares in full', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        assert.equal(
          createHash('sha256').update(bytes).digest('hex'),
          nodeHash('sha256').update(bytes).digest('hex'),
        );
      }),
      { numRuns: 200 },
    );
    assert.equal(timingSafeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2)), true);
    assert.equal(timingSafeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3)), false);
  });
});
