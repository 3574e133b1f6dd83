import { decodeBase64url, encodeBase64url, plainBytes, utf8 } from './byte-encoding.ts';
import { sha256 } from './digest.ts';

/** A public JWK as spec/signing.md allows it [SIG-005]. */
export type PublicJwk =
  | { kty: 'OKP'; crv: 'Ed25519'; x: string }
  | { kty: 'EC'; crv: 'P-256'; x: string; y: string }
  | { kty: 'RSA'; alg: 'PS256'; n: string; e: string };

export const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** Why a JWK is not a public key of an allowed algorithm, or null when it is [SIG-004] [SIG-005]. */
export function jwkProblem(jwk: unknown): string | null {
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) return 'not an object';
  const k = jwk as Record<string, unknown>;
  const present = privateMembers.filter((m) => m in k);
  if (present.length > 0) return `carries private member(s) ${present.join(', ')}`;
  if (k.kty === 'OKP') {
    if (k.crv !== 'Ed25519') return `OKP curve ${String(k.crv)} is not Ed25519`;
    return decodeBase64url(String(k.x))?.length === 32 ? null : 'x is not 32 bytes';
  }
  if (k.kty === 'EC') {
    if (k.crv !== 'P-256') return `EC curve ${String(k.crv)} is not P-256`;
    const ok = [k.x, k.y].every((c) => decodeBase64url(String(c))?.length === 32);
    return ok ? null : 'x or y is not 32 bytes';
  }
  if (k.kty === 'RSA') {
    if (k.alg !== 'PS256') return `RSA key with alg ${String(k.alg)} instead of PS256`;
    const n = decodeBase64url(String(k.n));
    if (!n) return 'n is not base64url';
    const bits = n.length * 8 - Math.clz32(n[0] ?? 0) + 24;
    return bits >= 3072 ? null : `RSA modulus of ${bits} bits, below 3072`;
  }
  return `kty ${String(k.kty)} is not OKP, EC or RSA`;
}

/** RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order, base64url [SIG-006]. */
export async function jwkThumbprint(jwk: PublicJwk): Promise<string> {
  let canonical: string;
  if (jwk.kty === 'OKP') canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  else if (jwk.kty === 'EC')
    canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  else canonical = JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n });
  return encodeBase64url(await sha256(utf8(canonical)));
}

/** Imports a public JWK for verification on WebCrypto. */
export async function importVerifyKey(jwk: PublicJwk): Promise<CryptoKey> {
  if (jwk.kty === 'OKP') {
    return crypto.subtle.importKey(
      'jwk',
      { kty: 'OKP', crv: 'Ed25519', x: jwk.x },
      { name: 'Ed25519' },
      false,
      ['verify'],
    );
  }
  if (jwk.kty === 'EC') {
    return crypto.subtle.importKey(
      'jwk',
      { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y },
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    );
  }
  return crypto.subtle.importKey(
    'jwk',
    { kty: 'RSA', n: jwk.n, e: jwk.e, alg: 'PS256' },
    { name: 'RSA-PSS', hash: 'SHA-256' },
    false,
    ['verify'],
  );
}

/** Verifies a signature made by `jwk` over `message` with the algorithm its type implies. */
export async function verifyWithJwk(
  jwk: PublicJwk,
  signature: Uint8Array,
  message: Uint8Array,
): Promise<boolean> {
  const key = await importVerifyKey(jwk);
  const algorithm =
    jwk.kty === 'OKP'
      ? { name: 'Ed25519' }
      : jwk.kty === 'EC'
        ? { name: 'ECDSA', hash: 'SHA-256' }
        : { name: 'RSA-PSS', saltLength: 32 };
  try {
    return await crypto.subtle.verify(algorithm, key, plainBytes(signature), plainBytes(message));
  } catch {
    return false;
  }
}

/** A key pair the suite signs its own inputs with. */
export interface SigningKey {
  publicJwk: PublicJwk;
  keyid: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
  /** PKCS#8 DER of the private key, so that a test can show a private JWK is refused. */
  privateJwk(): Promise<JsonWebKey>;
}

/** A fresh key: Ed25519 by default, or ECDSA P-256 [SIG-001] [SIG-002]. */
export async function generateSigningKey(
  kind: 'Ed25519' | 'P-256' = 'Ed25519',
): Promise<SigningKey> {
  const pair = (
    kind === 'Ed25519'
      ? await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])
      : await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
          'sign',
          'verify',
        ])
  ) as CryptoKeyPair;
  const exported = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const publicJwk: PublicJwk =
    kind === 'Ed25519'
      ? { kty: 'OKP', crv: 'Ed25519', x: String(exported.x) }
      : { kty: 'EC', crv: 'P-256', x: String(exported.x), y: String(exported.y) };
  const keyid = await jwkThumbprint(publicJwk);
  return {
    publicJwk,
    keyid,
    async sign(message) {
      const algorithm =
        kind === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', hash: 'SHA-256' };
      return new Uint8Array(
        await crypto.subtle.sign(algorithm, pair.privateKey, plainBytes(message)),
      );
    },
    privateJwk: () => crypto.subtle.exportKey('jwk', pair.privateKey),
  };
}
