import { randomUUID, sign } from 'node:crypto';
import type { TokenSigningKey } from './token-keys.ts';

/** The longest life of an app token, in seconds [API-059] [STO-013]. */
export const appTokenLifetimeSeconds = 900;

/** The claims of an app token [STO-012]. */
export interface AppTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  /** Granted scopes, space-separated. */
  scope: string;
}

function segment(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The JWS signature bytes: raw Ed25519, or ECDSA as IEEE P1363 r||s as JWS requires (RFC 7518 section 3.4). */
export function jwsSign(key: TokenSigningKey, signingInput: string): Buffer {
  const data = Buffer.from(signingInput, 'ascii');
  return key.alg === 'EdDSA'
    ? sign(null, data, key.key.keyObject)
    : sign('sha256', data, { key: key.key.keyObject, dsaEncoding: 'ieee-p1363' });
}

/** Signs a compact JWT with the given key, naming it in `kid` [STO-015]. */
export function signJwt(key: TokenSigningKey, claims: object): string {
  const input = `${segment({ alg: key.alg, typ: 'JWT', kid: key.kid })}.${segment(claims)}`;
  return `${input}.${jwsSign(key, input).toString('base64url')}`;
}

/** Issues an app token bound to one app (aud) and scopes, valid for at most 900 seconds [API-059]. */
export function issueAppToken(
  key: TokenSigningKey,
  input: { issuer: string; subject: string; appId: string; scopes: readonly string[]; now: Date },
): { token: string; claims: AppTokenClaims } {
  const iat = Math.floor(input.now.getTime() / 1000);
  const claims: AppTokenClaims = {
    iss: input.issuer,
    sub: input.subject,
    aud: input.appId,
    iat,
    exp: iat + appTokenLifetimeSeconds,
    jti: randomUUID(),
    scope: input.scopes.join(' '),
  };
  return { token: signJwt(key, claims), claims };
}
