import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { appTokenLifetimeSeconds, type AppTokenClaims } from '#sdk/tokens/index.ts';
import type { TokenSigningKey } from './token-keys.ts';

export { appTokenLifetimeSeconds, type AppTokenClaims };

/** Signs a compact JWT with `jose`, naming the key in `kid` [STO-015]. */
export function signJwt(key: TokenSigningKey, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, typ: 'JWT', kid: key.kid })
    .sign(key.key.keyObject);
}

/** Issues an app token bound to one app (aud) and scopes, valid for at most 900 seconds [API-059]. */
export async function issueAppToken(
  key: TokenSigningKey,
  input: { issuer: string; subject: string; appId: string; scopes: readonly string[]; now: Date },
): Promise<{ token: string; claims: AppTokenClaims }> {
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
  return { token: await signJwt(key, { ...claims }), claims };
}
