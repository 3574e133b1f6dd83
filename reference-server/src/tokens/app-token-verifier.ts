import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { appTokenLifetimeSeconds, type AppTokenClaims } from './app-token.ts';
import type { TokenAlgorithm } from './token-keys.ts';

/** Why a token was refused; stable values a caller can branch on. */
export type AppTokenRejection =
  | 'malformed'
  | 'algorithm'
  | 'unknown-key'
  | 'signature'
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'not-yet-valid'
  | 'lifetime';

export type AppTokenVerification =
  | { valid: true; claims: AppTokenClaims; scopes: string[] }
  | { valid: false; reason: AppTokenRejection };

/** What a mini-app backend knows: the published keys, who issues, which app it is, and the time. */
export interface AppTokenExpectation {
  keys: readonly unknown[];
  issuer: string;
  audience: string;
  now: Date;
  /** Tolerated clock difference, in seconds (default 30). */
  leewaySeconds?: number;
}

/** The key shape each algorithm needs: a key is only ever used with the algorithm its type implies. */
const keyShapes: Record<TokenAlgorithm, { kty: string; crv: string; signatureBytes: number }> = {
  EdDSA: { kty: 'OKP', crv: 'Ed25519', signatureBytes: 64 },
  ES256: { kty: 'EC', crv: 'P-256', signatureBytes: 64 },
};

const compact = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function publicKeyOf(jwk: Record<string, unknown>, alg: TokenAlgorithm): KeyObject | null {
  const shape = keyShapes[alg];
  if (jwk.kty !== shape.kty || jwk.crv !== shape.crv) return null;
  if ('d' in jwk) return null;
  try {
    const key = createPublicKey({
      key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y === undefined ? {} : { y: jwk.y }) },
      format: 'jwk',
    } as Parameters<typeof createPublicKey>[0]);
    return key;
  } catch {
    return null;
  }
}

function isClaims(
  value: Record<string, unknown>,
): value is Record<string, unknown> & AppTokenClaims {
  return (
    typeof value.iss === 'string' &&
    typeof value.sub === 'string' &&
    typeof value.aud === 'string' &&
    Number.isSafeInteger(value.iat) &&
    Number.isSafeInteger(value.exp) &&
    typeof value.jti === 'string' &&
    typeof value.scope === 'string'
  );
}

/**
 * Verifies an app token the way a mini-app's backend must [STO-012] [STO-015]: the algorithm comes from
 * an allow-list (never `none`, never an HMAC keyed with a public key), the key is found by `kid` and must
 * match that algorithm, and only then are issuer, audience and lifetime checked.
 */
export function verifyAppToken(token: string, expect: AppTokenExpectation): AppTokenVerification {
  const parts = compact.exec(token);
  if (!parts) return { valid: false, reason: 'malformed' };
  const [, headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = decodeJson(headerPart);
  if (!header) return { valid: false, reason: 'malformed' };
  const alg = header.alg;
  if (alg !== 'EdDSA' && alg !== 'ES256') return { valid: false, reason: 'algorithm' };
  if (header.crit !== undefined) return { valid: false, reason: 'malformed' };
  const jwk = expect.keys.find(
    (k): k is Record<string, unknown> =>
      typeof k === 'object' && k !== null && (k as Record<string, unknown>).kid === header.kid,
  );
  if (typeof header.kid !== 'string' || !jwk) return { valid: false, reason: 'unknown-key' };
  if (jwk.alg !== undefined && jwk.alg !== alg) return { valid: false, reason: 'algorithm' };
  const key = publicKeyOf(jwk, alg);
  if (!key) return { valid: false, reason: 'algorithm' };
  const signature = Buffer.from(signaturePart, 'base64url');
  if (signature.length !== keyShapes[alg].signatureBytes)
    return { valid: false, reason: 'signature' };
  const input = Buffer.from(`${headerPart}.${payloadPart}`, 'ascii');
  const verified =
    alg === 'EdDSA'
      ? verify(null, input, key, signature)
      : verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature);
  if (!verified) return { valid: false, reason: 'signature' };
  const claims = decodeJson(payloadPart);
  if (!claims || !isClaims(claims)) return { valid: false, reason: 'malformed' };
  if (claims.iss !== expect.issuer) return { valid: false, reason: 'issuer' };
  // [API-059] a token for one app is worthless to another.
  if (claims.aud !== expect.audience) return { valid: false, reason: 'audience' };
  const now = Math.floor(expect.now.getTime() / 1000);
  const leeway = expect.leewaySeconds ?? 30;
  if (claims.exp - claims.iat > appTokenLifetimeSeconds || claims.exp <= claims.iat) {
    return { valid: false, reason: 'lifetime' };
  }
  if (now >= claims.exp + leeway) return { valid: false, reason: 'expired' };
  if (claims.iat > now + leeway) return { valid: false, reason: 'not-yet-valid' };
  const scopes = claims.scope === '' ? [] : claims.scope.split(' ');
  return { valid: true, claims, scopes };
}
