import { decodeBase64url, decodeUtf8, utf8 } from './byte-encoding.ts';
import { jwkProblem, verifyWithJwk, type PublicJwk } from './jwk-key.ts';

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: Uint8Array;
  signature: Uint8Array;
}

/** Splits and decodes a compact JWS; null when it is not three base64url parts of JSON objects. */
export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [h, c, s] = parts as [string, string, string];
  const header = decodeBase64url(h);
  const claims = decodeBase64url(c);
  const signature = decodeBase64url(s);
  if (!header || !claims || !signature) return null;
  try {
    const parsedHeader = JSON.parse(decodeUtf8(header) ?? '') as unknown;
    const parsedClaims = JSON.parse(decodeUtf8(claims) ?? '') as unknown;
    if (
      !parsedHeader ||
      typeof parsedHeader !== 'object' ||
      !parsedClaims ||
      typeof parsedClaims !== 'object'
    )
      return null;
    return {
      header: parsedHeader as Record<string, unknown>,
      claims: parsedClaims as Record<string, unknown>,
      signingInput: utf8(`${h}.${c}`),
      signature,
    };
  } catch {
    return null;
  }
}

/** Verifies the JWS signature with the JWK of its kid: EdDSA over Ed25519 or ES256 over P-256 [STO-015]. */
export async function verifyJwt(
  jwt: DecodedJwt,
  keys: readonly Record<string, unknown>[],
): Promise<string | null> {
  const alg = jwt.header.alg;
  if (alg !== 'EdDSA' && alg !== 'ES256') return `alg ${String(alg)} is neither EdDSA nor ES256`;
  const kid = jwt.header.kid;
  if (typeof kid !== 'string' || kid === '') return 'the header names no kid';
  const jwk = keys.find((k) => k.kid === kid);
  if (!jwk) return `no key of the JWKS has kid ${kid}`;
  const bare = Object.fromEntries(
    Object.entries(jwk).filter(
      ([name]) => !['kid', 'use', 'alg'].includes(name) || (name === 'alg' && jwk.kty === 'RSA'),
    ),
  );
  const problem = jwkProblem(bare);
  if (problem) return `key ${kid}: ${problem}`;
  if ((alg === 'EdDSA') !== (bare.kty === 'OKP'))
    return `key ${kid} is ${String(bare.kty)}, the token says ${alg}`;
  const ok = await verifyWithJwk(bare as unknown as PublicJwk, jwt.signature, jwt.signingInput);
  return ok ? null : `the signature does not verify with key ${kid}`;
}
