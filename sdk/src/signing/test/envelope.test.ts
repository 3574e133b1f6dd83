import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { constants, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { signingAlgorithms, type SigningAlgorithm } from '../algorithm.ts';
import { encodeBase64 } from '../base64.ts';
import {
  parseEnvelope,
  payloadTypes,
  signEnvelope,
  verifyEnvelope,
  type Envelope,
} from '../envelope.ts';
import type { PublicJwk } from '../jwk.ts';
import { loadPrivateKey, type PrivateKey } from '../key-pair.ts';
import { pae } from '../pae.ts';
import { newKey } from './release-world.ts';

const rsaFixture = path.join(import.meta.dirname, 'fixtures/rsa-pss-3072.key.pem');

const statementType = payloadTypes.statement;

function trusted(...keys: PrivateKey[]): Record<string, PublicJwk> {
  return Object.fromEntries(keys.map((k) => [k.keyid, k.publicJwk]));
}

function flipBase64Byte(text: string, index: number): string {
  const bytes = Buffer.from(text, 'base64');
  const at = index % bytes.length;
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

describe('DSSE envelopes', () => {
  const keys = {} as Record<SigningAlgorithm, PrivateKey>;
  before(async () => {
    for (const algorithm of signingAlgorithms) {
      // A checked-in RSA key: generating a 3072-bit one takes over a second on a busy machine.
      keys[algorithm] =
        algorithm === 'RSA-PSS'
          ? loadPrivateKey(await readFile(rsaFixture, 'utf8'))
          : await newKey(algorithm);
    }
  });

  it('encodes PAE exactly as the worked example of spec/signing.md [SIG-011]', () => {
    const body = new TextEncoder().encode('{"_type":"statement","appId":"com.example.shop"}');
    const expected =
      '445353457631203432206170706c6963' +
      '6174696f6e2f766e642e6f70656e6d69' +
      '6e696170702e73746174656d656e742b' +
      '6a736f6e203438207b225f7479706522' +
      '3a2273746174656d656e74222c226170' +
      '704964223a22636f6d2e6578616d706c' +
      '652e73686f70227d';
    assert.equal(Buffer.from(pae(statementType, body)).toString('hex'), expected);
  });

  it('counts payload type and body lengths in bytes, not characters', () => {
    const body = new TextEncoder().encode('"é"');
    assert.equal(new TextDecoder().decode(pae('t', body)), 'DSSEv1 1 t 4 "é"');
  });

  const requirementOf = {
    Ed25519: 'SIG-001',
    'ECDSA-P256': 'SIG-002',
    'RSA-PSS': 'SIG-003',
  } as const;
  for (const algorithm of signingAlgorithms) {
    it(`round-trips arbitrary payloads signed with ${algorithm} [${requirementOf[algorithm]}]`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 1, maxLength: 512 }), (payload) => {
          const key = keys[algorithm];
          const envelope = signEnvelope(statementType, payload, [key]);
          const verified = verifyEnvelope(envelope, trusted(key), 1, statementType);
          assert.deepEqual(verified.payload, payload);
          assert.deepEqual(verified.validKeyids, [key.keyid]);
        }),
        { numRuns: algorithm === 'RSA-PSS' ? 15 : 60 },
      );
    });

    it(`rejects any flipped payload or signature byte under ${algorithm} [SIG-011]`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 256 }),
          fc.nat(),
          fc.boolean(),
          (payload, index, inSignature) => {
            const key = keys[algorithm];
            const envelope = signEnvelope(statementType, payload, [key]);
            const [signature] = envelope.signatures;
            assert.ok(signature, 'the envelope has a signature');
            const tampered: Envelope = inSignature
              ? {
                  ...envelope,
                  signatures: [{ ...signature, sig: flipBase64Byte(signature.sig, index) }],
                }
              : { ...envelope, payload: flipBase64Byte(envelope.payload, index) };
            assert.throws(() => verifyEnvelope(tampered, trusted(key), 1, statementType), {
              code: 'SIG_INVALID_SIGNATURE',
            });
          },
        ),
        { numRuns: algorithm === 'RSA-PSS' ? 15 : 60 },
      );
    });
  }

  it('rejects a signature by a key that is not trusted [SIG-013]', async () => {
    const stranger = await newKey();
    const envelope = signEnvelope(statementType, new Uint8Array([1, 2, 3]), [stranger]);
    assert.throws(() => verifyEnvelope(envelope, trusted(keys.Ed25519), 1, statementType), {
      code: 'SIG_UNKNOWN_KEY',
    });
  });

  it('counts a key that signs twice only once toward the threshold [SIG-013]', () => {
    const key = keys.Ed25519;
    const once = signEnvelope(statementType, new Uint8Array([7]), [key]);
    const twice: Envelope = { ...once, signatures: [...once.signatures, ...once.signatures] };
    assert.throws(() => verifyEnvelope(twice, trusted(key, keys['ECDSA-P256']), 2, statementType), {
      code: 'SIG_THRESHOLD_NOT_MET',
    });
  });

  it('meets a threshold of two with two distinct trusted keys', () => {
    const envelope = signEnvelope(statementType, new Uint8Array([7]), [
      keys.Ed25519,
      keys['ECDSA-P256'],
    ]);
    const verified = verifyEnvelope(
      envelope,
      trusted(keys.Ed25519, keys['ECDSA-P256']),
      2,
      statementType,
    );
    assert.equal(verified.validKeyids.length, 2);
  });

  it('does not let signatures by unknown keys fill a threshold [SIG-013]', async () => {
    const stranger = await newKey();
    const envelope = signEnvelope(statementType, new Uint8Array([7]), [keys.Ed25519, stranger]);
    assert.throws(
      () => verifyEnvelope(envelope, trusted(keys.Ed25519, keys['ECDSA-P256']), 2, statementType),
      {
        code: 'SIG_THRESHOLD_NOT_MET',
      },
    );
  });

  it('rejects a statement presented where a release is expected [SIG-012]', () => {
    const envelope = signEnvelope(statementType, new Uint8Array([1]), [keys.Ed25519]);
    assert.throws(() => verifyEnvelope(envelope, trusted(keys.Ed25519), 1, payloadTypes.release), {
      code: 'SIG_PAYLOAD_TYPE_MISMATCH',
    });
  });

  it('rejects a relabelled payload type because the type is inside the signed bytes [SIG-011]', () => {
    const envelope = signEnvelope(statementType, new Uint8Array([1]), [keys.Ed25519]);
    const relabelled = { ...envelope, payloadType: payloadTypes.release };
    assert.throws(
      () => verifyEnvelope(relabelled, trusted(keys.Ed25519), 1, payloadTypes.release),
      {
        code: 'SIG_INVALID_SIGNATURE',
      },
    );
  });

  it('refuses an RSA PKCS#1 v1.5 signature made with a trusted RSA key [SIG-004]', () => {
    const key = keys['RSA-PSS'];
    const payload = new TextEncoder().encode('{"a":1}');
    const signature = sign('sha256', pae(statementType, payload), {
      key: key.keyObject,
      padding: constants.RSA_PKCS1_PADDING,
    });
    const envelope: Envelope = {
      payloadType: statementType,
      payload: encodeBase64(payload),
      signatures: [{ keyid: key.keyid, sig: encodeBase64(signature) }],
    };
    assert.throws(() => verifyEnvelope(envelope, trusted(key), 1, statementType), {
      code: 'SIG_INVALID_SIGNATURE',
    });
  });

  it('refuses a DER-encoded ECDSA signature; only IEEE P1363 r || s is accepted [SIG-002]', () => {
    const key = keys['ECDSA-P256'];
    const payload = new Uint8Array([9, 9]);
    const der = sign('sha256', pae(statementType, payload), {
      key: key.keyObject,
      dsaEncoding: 'der',
    });
    const envelope: Envelope = {
      payloadType: statementType,
      payload: encodeBase64(payload),
      signatures: [{ keyid: key.keyid, sig: encodeBase64(der) }],
    };
    assert.throws(() => verifyEnvelope(envelope, trusted(key), 1, statementType), {
      code: 'SIG_INVALID_SIGNATURE',
    });
  });

  it('refuses a trusted key listed under a keyid that is not its thumbprint [SIG-006]', () => {
    const envelope = signEnvelope(statementType, new Uint8Array([1]), [keys.Ed25519]);
    const misfiled = { [keys.Ed25519.keyid]: keys['ECDSA-P256'].publicJwk };
    assert.throws(() => verifyEnvelope(envelope, misfiled, 1, statementType), {
      code: 'SIG_KEY_INVALID',
    });
  });

  it('refuses non-canonical base64 in the payload [SIG-010]', () => {
    const envelope = signEnvelope(statementType, new Uint8Array([0xff]), [keys.Ed25519]);
    // "/w==" and "/x==" decode to the same byte; only the canonical form is accepted.
    assert.equal(envelope.payload, '/w==');
    const malleated = { ...envelope, payload: '/x==' };
    assert.throws(() => verifyEnvelope(malleated, trusted(keys.Ed25519), 1, statementType), {
      code: 'SIG_MALFORMED',
    });
  });

  it('refuses envelope bytes with extra members, no signatures, or above the size limit [SIG-010] [SIG-017]', () => {
    const envelope = signEnvelope(statementType, new Uint8Array([1]), [keys.Ed25519]);
    const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
    assert.throws(() => parseEnvelope(encode({ ...envelope, extra: 1 })), {
      code: 'SIG_MALFORMED',
    });
    assert.throws(() => parseEnvelope(encode({ ...envelope, signatures: [] })), {
      code: 'SIG_MALFORMED',
    });
    assert.throws(() => parseEnvelope(encode(envelope), 10), { code: 'SIG_MALFORMED' });
    assert.throws(() => parseEnvelope(new Uint8Array([0xff, 0xfe])), { code: 'SIG_MALFORMED' });
  });

  it('refuses envelope JSON that repeats a member name [SIG-014]', () => {
    const envelope = signEnvelope(statementType, new Uint8Array([1]), [keys.Ed25519]);
    const text = JSON.stringify(envelope).replace('{', `{"payload":"AAAA",`);
    assert.throws(() => parseEnvelope(new TextEncoder().encode(text)), { code: 'SIG_MALFORMED' });
  });
});
