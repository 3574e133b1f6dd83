import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { MiniAppError } from '#sdk/diagnostics/index.ts';
import { algorithmOfKey, minimumRsaBits, type SigningAlgorithm } from './algorithm.ts';
import { decodeBase64Url, encodeBase64Url } from './base64.ts';
import { validatePayload } from './payload.ts';

/** [SIG-001] an Ed25519 public key. */
export interface Ed25519Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  alg?: 'EdDSA';
  use?: 'sig';
}

/** [SIG-002] an ECDSA P-256 public key. */
export interface EcP256Jwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  alg?: 'ES256';
  use?: 'sig';
}

/** [SIG-003] an RSA public key, bound to RSA-PSS with SHA-256 by `alg`. */
export interface RsaPssJwk {
  kty: 'RSA';
  n: string;
  e: string;
  alg: 'PS256';
  use?: 'sig';
}

/** A public key of the closed algorithm set, as a JWK [SIG-005]. */
export type PublicJwk = Ed25519Jwk | EcP256Jwk | RsaPssJwk;

/** A public key ready for verification. */
export interface ImportedKey {
  keyid: string;
  jwk: PublicJwk;
  algorithm: SigningAlgorithm;
  key: KeyObject;
}

const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** [SIG-006] RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order. */
export function jwkThumbprint(jwk: PublicJwk): string {
  const required =
    jwk.kty === 'OKP'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
      : jwk.kty === 'EC'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return encodeBase64Url(createHash('sha256').update(JSON.stringify(required)).digest());
}

function unsupported(message: string): MiniAppError {
  return new MiniAppError('SIG_UNSUPPORTED_ALGORITHM', message, {
    fix: 'Use an Ed25519, ECDSA P-256 or RSA-PSS (PS256, >= 3072-bit) key.',
  });
}

/** Refuses keys outside the closed algorithm set with a precise code before schema validation [SIG-004]. */
function checkAlgorithm(jwk: Record<string, unknown>): void {
  const { kty, crv, alg } = jwk;
  if (kty === 'OKP' && crv !== 'Ed25519')
    throw unsupported(`OKP curve ${String(crv)} is not supported.`);
  if (kty === 'EC' && crv !== 'P-256')
    throw unsupported(`EC curve ${String(crv)} is not supported.`);
  if (kty === 'RSA') {
    if (alg !== 'PS256') {
      throw unsupported(
        `RSA keys must declare alg PS256; ${String(alg)} (e.g. PKCS#1 v1.5) is refused.`,
      );
    }
    const modulus = typeof jwk.n === 'string' ? decodeBase64Url(jwk.n) : undefined;
    if (modulus && modulus.length * 8 < minimumRsaBits) {
      throw unsupported(`RSA modulus of ${modulus.length * 8} bits is below ${minimumRsaBits}.`);
    }
  }
  if (kty !== 'OKP' && kty !== 'EC' && kty !== 'RSA')
    throw unsupported(`Key type ${String(kty)} is not supported.`);
}

/**
 * Imports an untrusted public JWK [SIG-004] [SIG-005]: private members, unsupported algorithms
 * and malformed keys are refused with stable codes.
 */
export function importPublicJwk(value: unknown): ImportedKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MiniAppError('SIG_KEY_INVALID', 'A public key must be a JWK object.');
  }
  const record = value as Record<string, unknown>;
  const leaked = privateMembers.filter((m) => m in record);
  if (leaked.length > 0) {
    // [SIG-005] private key material in a public key means the key has leaked; never use it.
    throw new MiniAppError(
      'SIG_KEY_INVALID',
      `The JWK carries private members: ${leaked.join(', ')}.`,
      {
        requirement: 'SIG-005',
        fix: 'Publish only the public part of the key and treat this key as compromised.',
      },
    );
  }
  checkAlgorithm(record);
  const jwk = validatePayload<PublicJwk>(value, 'signing/jwk.schema.json', 'The JWK');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { ...jwk }, format: 'jwk' });
  } catch (cause) {
    throw new MiniAppError('SIG_KEY_INVALID', 'The JWK is not a valid public key.', { cause });
  }
  const algorithm = algorithmOfKey(key);
  if (!algorithm) throw unsupported('The key is outside the supported algorithm set.');
  return { keyid: jwkThumbprint(jwk), jwk, algorithm, key };
}

/** The public JWK of a supported key, with `alg` set where it binds the padding [SIG-005]. */
export function publicJwkOf(key: KeyObject): PublicJwk {
  const algorithm = algorithmOfKey(key);
  if (!algorithm) throw unsupported('The key is outside the supported algorithm set.');
  const exported = createPublicKey(key).export({ format: 'jwk' });
  switch (algorithm) {
    case 'Ed25519':
      return { kty: 'OKP', crv: 'Ed25519', x: String(exported.x) };
    case 'ECDSA-P256':
      return { kty: 'EC', crv: 'P-256', x: String(exported.x), y: String(exported.y) };
    case 'RSA-PSS':
      return { kty: 'RSA', n: String(exported.n), e: String(exported.e), alg: 'PS256' };
  }
}
