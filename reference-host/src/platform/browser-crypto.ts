/**
 * The part of `node:crypto` that the sdk's verification code uses, for the host's browser build.
 * The web layer runs the sdk's own trust code (TrustStore, envelopes, JWK import) unchanged; the build
 * maps `node:crypto` here. Verification is synchronous, as the sdk expects, so it uses audited
 * pure-JavaScript primitives (@noble/curves, @noble/hashes) and BigInt RSA; only verification exists:
 * a host never signs.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Buffer, type ShimBuffer } from './buffer-global.ts';

/** The padding constant the sdk passes for RSA-PSS [SIG-003]. */
export const constants = { RSA_PKCS1_PSS_PADDING: 6 } as const;

type Encoding = 'hex' | 'base64' | 'base64url';

class Sha256Hash {
  readonly #hash = sha256.create();
  update(data: Uint8Array | string): this {
    this.#hash.update(typeof data === 'string' ? new TextEncoder().encode(data) : data);
    return this;
  }
  digest(): ShimBuffer;
  digest(encoding: Encoding): string;
  digest(encoding?: Encoding): ShimBuffer | string {
    const out = Buffer.from(this.#hash.digest());
    return encoding === undefined ? out : out.toString(encoding);
  }
}

export function createHash(algorithm: string): Sha256Hash {
  if (algorithm !== 'sha256')
    throw new Error(`only sha256 is available in the host, not ${algorithm}`);
  return new Sha256Hash();
}

/** Same contract as Node's: equal lengths required, time independent of where the bytes differ. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) throw new RangeError('Input buffers must have the same byte length');
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

interface JwkInput {
  kty?: unknown;
  crv?: unknown;
  x?: unknown;
  y?: unknown;
  n?: unknown;
  e?: unknown;
}

function base64UrlBytes(value: unknown): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]*$/.test(value))
    throw new Error('bad JWK member');
  return new Uint8Array(Buffer.from(value, 'base64url'));
}

function bigintOf(bytes: Uint8Array): bigint {
  let out = 0n;
  for (const byte of bytes) out = (out << 8n) | BigInt(byte);
  return out;
}

function bytesOf(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** The subset of Node's KeyObject that the sdk reads: type, details, JWK export. */
export class KeyObject {
  readonly type = 'public';
  readonly asymmetricKeyType: 'ed25519' | 'ec' | 'rsa';
  readonly asymmetricKeyDetails: { namedCurve?: string; modulusLength?: number };
  readonly #jwk: Record<string, string>;
  /** Raw public key bytes for the curves; modulus and exponent for RSA. */
  readonly material: { raw?: Uint8Array; n?: bigint; e?: bigint; bytes?: number };

  constructor(jwk: JwkInput) {
    if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
      const raw = base64UrlBytes(jwk.x);
      // Decoding rejects points that are not on the curve, as OpenSSL does.
      ed25519.Point.fromBytes(raw);
      this.asymmetricKeyType = 'ed25519';
      this.asymmetricKeyDetails = {};
      this.material = { raw };
      this.#jwk = { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x) };
    } else if (jwk.kty === 'EC' && jwk.crv === 'P-256') {
      const x = base64UrlBytes(jwk.x);
      const y = base64UrlBytes(jwk.y);
      if (x.length !== 32 || y.length !== 32) throw new Error('P-256 coordinates are 32 bytes');
      const raw = new Uint8Array(65);
      raw[0] = 4;
      raw.set(x, 1);
      raw.set(y, 33);
      p256.Point.fromBytes(raw).assertValidity();
      this.asymmetricKeyType = 'ec';
      this.asymmetricKeyDetails = { namedCurve: 'prime256v1' };
      this.material = { raw };
      this.#jwk = { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) };
    } else if (jwk.kty === 'RSA') {
      const modulus = base64UrlBytes(jwk.n);
      const exponent = base64UrlBytes(jwk.e);
      const n = bigintOf(modulus);
      const e = bigintOf(exponent);
      if (n === 0n || e < 3n || e % 2n === 0n) throw new Error('not an RSA public key');
      const bits = n.toString(2).length;
      this.asymmetricKeyType = 'rsa';
      this.asymmetricKeyDetails = { modulusLength: bits };
      this.material = { n, e, bytes: Math.ceil(bits / 8) };
      this.#jwk = { kty: 'RSA', n: String(jwk.n), e: String(jwk.e) };
    } else {
      throw new Error('unsupported key type');
    }
  }

  export(options: { format: 'jwk' }): Record<string, string> {
    if (options.format !== 'jwk') throw new Error('only JWK export is available');
    return { ...this.#jwk };
  }
}

export function createPublicKey(input: KeyObject | { key: JwkInput; format: 'jwk' }): KeyObject {
  if (input instanceof KeyObject) return input;
  if (input.format !== 'jwk') throw new Error('only JWK public keys can be imported');
  return new KeyObject(input.key);
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

function mgf1(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let counter = 0, at = 0; at < length; counter++) {
    const block = new Uint8Array(seed.length + 4);
    block.set(seed);
    new DataView(block.buffer).setUint32(seed.length, counter);
    const digest = sha256(block);
    out.set(digest.subarray(0, Math.min(digest.length, length - at)), at);
    at += digest.length;
  }
  return out;
}

/** RFC 8017 RSASSA-PSS-VERIFY with SHA-256, MGF1-SHA-256 and the given salt length [SIG-003]. */
export function verifyRsaPss(
  key: { n: bigint; e: bigint; bits: number },
  message: Uint8Array,
  signature: Uint8Array,
  saltLength: number,
): boolean {
  const k = Math.ceil(key.bits / 8);
  if (signature.length !== k) return false;
  const s = bigintOf(signature);
  if (s >= key.n) return false;
  const emBits = key.bits - 1;
  const emLen = Math.ceil(emBits / 8);
  const encoded = bytesOf(modPow(s, key.e, key.n), k);
  // When emBits is a multiple of 8 the encoded message is one byte shorter than the modulus.
  if (k > emLen && encoded[0] !== 0) return false;
  const em = encoded.subarray(k - emLen);
  const hLen = 32;
  if (emLen < hLen + saltLength + 2 || em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const unusedBits = 8 * emLen - emBits;
  const topMask = 0xff << (8 - unusedBits);
  if (((maskedDb[0] ?? 0) & topMask) !== 0) return false;
  const mask = mgf1(h, maskedDb.length);
  const db = maskedDb.map((byte, i) => byte ^ (mask[i] ?? 0));
  db[0] = (db[0] ?? 0) & (0xff >> unusedBits);
  const zeros = emLen - hLen - saltLength - 2;
  for (let i = 0; i < zeros; i++) if (db[i] !== 0) return false;
  if (db[zeros] !== 0x01) return false;
  const salt = db.subarray(db.length - saltLength);
  const mPrime = new Uint8Array(8 + hLen + saltLength);
  mPrime.set(sha256(message), 8);
  mPrime.set(salt, 8 + hLen);
  const expected = sha256(mPrime);
  let diff = 0;
  for (let i = 0; i < hLen; i++) diff |= (expected[i] ?? 0) ^ (h[i] ?? 0);
  return diff === 0;
}

interface VerifyKeyOptions {
  key: KeyObject;
  dsaEncoding?: 'ieee-p1363' | 'der';
  padding?: number;
  saltLength?: number;
}

/** Node's `crypto.verify` for the three algorithms of spec/signing.md; anything else is false. */
export function verify(
  algorithm: string | null,
  data: Uint8Array,
  keyOrOptions: KeyObject | VerifyKeyOptions,
  signature: Uint8Array,
): boolean {
  const options: VerifyKeyOptions =
    keyOrOptions instanceof KeyObject ? { key: keyOrOptions } : keyOrOptions;
  const key = options.key;
  if (key.asymmetricKeyType === 'ed25519' && algorithm === null && key.material.raw) {
    return ed25519.verify(signature, data, key.material.raw, { zip215: false });
  }
  if (
    key.asymmetricKeyType === 'ec' &&
    algorithm === 'sha256' &&
    options.dsaEncoding === 'ieee-p1363' &&
    key.material.raw
  ) {
    // OpenSSL accepts both halves of s, so high-S signatures verify here too.
    return p256.verify(signature, data, key.material.raw, {
      prehash: true,
      lowS: false,
      format: 'compact',
    });
  }
  if (
    key.asymmetricKeyType === 'rsa' &&
    algorithm === 'sha256' &&
    options.padding === constants.RSA_PKCS1_PSS_PADDING &&
    key.material.n !== undefined &&
    key.material.e !== undefined
  ) {
    const bits = key.asymmetricKeyDetails.modulusLength ?? 0;
    return verifyRsaPss(
      { n: key.material.n, e: key.material.e, bits },
      data,
      signature,
      options.saltLength ?? 32,
    );
  }
  return false;
}

function unavailable(name: string): never {
  throw new Error(`${name} is not available in the host: a host verifies, it never signs`);
}

export function sign(): never {
  return unavailable('sign');
}

export function createPrivateKey(): never {
  return unavailable('createPrivateKey');
}

export function generateKeyPair(): never {
  return unavailable('generateKeyPair');
}

export function randomUUID(): string {
  return globalThis.crypto.randomUUID();
}

export function randomBytes(size: number): ShimBuffer {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(size)));
}
