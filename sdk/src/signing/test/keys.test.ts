import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { signingAlgorithms } from '../algorithm.ts';
import { importPublicJwk, jwkThumbprint, type PublicJwk } from '../jwk.ts';
import { generateKeyPair, loadPrivateKey } from '../key-pair.ts';
import { validatorFor } from '#schemas';

const rfc7638Rsa = {
  kty: 'RSA',
  n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'PS256',
} as const;

function pemOf(
  key: ReturnType<typeof generateKeyPairSync>['privateKey'],
  type: 'pkcs8' | 'pkcs1' | 'sec1',
): string {
  return key.export({ format: 'pem', type } as never).toString();
}

describe('keys and keyids', () => {
  it('computes the RFC 7638 thumbprint of the RFC test vectors [SIG-006]', () => {
    assert.equal(jwkThumbprint(rfc7638Rsa), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
    const ed25519: PublicJwk = {
      kty: 'OKP',
      crv: 'Ed25519',
      x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
    };
    assert.equal(jwkThumbprint(ed25519), 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('ignores optional members such as alg and use when computing the thumbprint [SIG-006]', () => {
    const ed25519: PublicJwk = {
      kty: 'OKP',
      crv: 'Ed25519',
      x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
    };
    assert.equal(jwkThumbprint({ ...ed25519, alg: 'EdDSA', use: 'sig' }), jwkThumbprint(ed25519));
  });

  for (const algorithm of signingAlgorithms) {
    it(`generates a ${algorithm} key whose public JWK validates and whose keyid is its thumbprint`, async () => {
      const pair = await generateKeyPair(algorithm);
      assert.ok(
        validatorFor('signing/jwk.schema.json')(pair.publicJwk),
        'the public JWK passes signing/jwk.schema.json',
      );
      assert.equal(pair.keyid, jwkThumbprint(pair.publicJwk));
      const loaded = loadPrivateKey(pair.privateKeyPem);
      assert.equal(loaded.keyid, pair.keyid);
      assert.equal(loaded.algorithm, algorithm);
      assert.equal(importPublicJwk(pair.publicJwk).keyid, pair.keyid);
    });
  }

  it('refuses a public JWK that carries the private member d [SIG-005]', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const withPrivate = privateKey.export({ format: 'jwk' });
    assert.ok('d' in withPrivate, 'the private JWK has d');
    assert.throws(() => importPublicJwk(withPrivate), { code: 'SIG_KEY_INVALID' });
  });

  it('refuses every private RSA member, one at a time [SIG-005]', async () => {
    const pair = await generateKeyPair('RSA-PSS');
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
      assert.throws(() => importPublicJwk({ ...pair.publicJwk, [member]: 'AQAB' }), {
        code: 'SIG_KEY_INVALID',
      });
    }
  });

  it('refuses an RSA key declared for PKCS#1 v1.5 (RS256) [SIG-004]', () => {
    assert.throws(() => importPublicJwk({ ...rfc7638Rsa, alg: 'RS256' }), {
      code: 'SIG_UNSUPPORTED_ALGORITHM',
    });
  });

  it('refuses RSA keys below 3072 bits, such as the 2048-bit RFC 7638 example [SIG-004]', () => {
    assert.throws(() => importPublicJwk(rfc7638Rsa), { code: 'SIG_UNSUPPORTED_ALGORITHM' });
  });

  it('refuses curves other than Ed25519 and P-256 [SIG-004]', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({
      format: 'jwk',
    });
    assert.throws(() => importPublicJwk(p384), { code: 'SIG_UNSUPPORTED_ALGORITHM' });
    const x448 = generateKeyPairSync('ed448').publicKey.export({ format: 'jwk' });
    assert.throws(() => importPublicJwk(x448), { code: 'SIG_UNSUPPORTED_ALGORITHM' });
  });

  it('refuses a P-256 point that is not on the curve [SIG-005]', async () => {
    const pair = await generateKeyPair('ECDSA-P256');
    const jwk = pair.publicJwk as Extract<PublicJwk, { kty: 'EC' }>;
    const offCurve = { ...jwk, y: jwk.x };
    assert.throws(() => importPublicJwk(offCurve), { code: 'SIG_KEY_INVALID' });
  });

  it('returns a stable code for arbitrary non-key input, never a crash', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        assert.throws(
          () => importPublicJwk(value),
          (error: { code?: unknown }) =>
            /^SIG_(KEY_INVALID|UNSUPPORTED_ALGORITHM|MALFORMED)$/.test(String(error.code)),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('loads only unencrypted PKCS#8 PEM private keys [SIG-007]', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assert.equal(loadPrivateKey(pemOf(privateKey, 'pkcs8')).algorithm, 'ECDSA-P256');
    assert.throws(() => loadPrivateKey(pemOf(privateKey, 'sec1')), {
      code: 'SIG_KEY_FILE_INVALID',
    });
    assert.throws(() => loadPrivateKey('not a key'), { code: 'SIG_KEY_FILE_INVALID' });
    assert.throws(
      () => loadPrivateKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
      {
        code: 'SIG_KEY_FILE_INVALID',
      },
    );
  });

  it('refuses to load a private key of an unsupported algorithm [SIG-004]', () => {
    const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    assert.throws(() => loadPrivateKey(pemOf(rsa2048, 'pkcs8')), {
      code: 'SIG_UNSUPPORTED_ALGORITHM',
    });
    const k256 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey;
    assert.throws(() => loadPrivateKey(pemOf(k256, 'pkcs8')), {
      code: 'SIG_UNSUPPORTED_ALGORITHM',
    });
  });
});
