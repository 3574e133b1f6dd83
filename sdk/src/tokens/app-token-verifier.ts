import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose';

/** The longest life of an app token, in seconds [API-059] [STO-013]. */
export const appTokenLifetimeSeconds = 900;

/** The JWS algorithms an app token may be signed with [STO-015]: never `none`, never an HMAC. */
export const appTokenAlgorithms = ['EdDSA', 'ES256'] as const;
export type AppTokenAlgorithm = (typeof appTokenAlgorithms)[number];

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
  /** The `keys` of the platform's JWK set (GET /.well-known/jwks.json). */
  keys: readonly unknown[];
  issuer: string;
  /** The app id the token must be for. */
  audience: string;
  now: Date;
  /** Tolerated clock difference, in seconds (default 30). */
  leewaySeconds?: number;
}

function isClaims(value: JWTPayload): value is JWTPayload & AppTokenClaims {
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

/** Keys that could verify an app token: public members of an allowed type, and nothing else. */
function publicKeys(keys: readonly unknown[]): JWK[] {
  return keys.flatMap((key) => {
    if (typeof key !== 'object' || key === null) return [];
    const jwk = key as JWK;
    // A private member means the platform published its secret; such a key is never trusted.
    if ('d' in jwk || (jwk.kty !== 'OKP' && jwk.kty !== 'EC')) return [];
    return [jwk];
  });
}

/** A key published under the token's `kid` but of another type than its `alg` is an algorithm mismatch. */
function keyOfOtherAlgorithm(token: string, keys: readonly JWK[]): boolean {
  try {
    const { kid } = decodeProtectedHeader(token);
    return kid !== undefined && keys.some((key) => key.kid === kid);
  } catch {
    return false;
  }
}

function rejection(error: unknown): AppTokenRejection {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'issuer';
    if (error.claim === 'aud') return 'audience';
    if (error.claim === 'iat' || error.claim === 'nbf') return 'not-yet-valid';
    return 'malformed';
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return 'algorithm';
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
    return 'unknown-key';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature';
  return 'malformed';
}

/**
 * Verifies an app token the way a mini-app's backend must [STO-012] [STO-015], with `jose`: the
 * algorithm comes from an allow-list (EdDSA, ES256), the key is chosen by `kid` among the published
 * keys and must suit that algorithm, and only then are issuer, audience and lifetime checked.
 * Never throws for a bad token: the answer says why it was refused.
 */
export async function verifyAppToken(
  token: string,
  expect: AppTokenExpectation,
): Promise<AppTokenVerification> {
  const leeway = expect.leewaySeconds ?? 30;
  const keys = publicKeys(expect.keys);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, createLocalJWKSet({ keys }), {
      algorithms: [...appTokenAlgorithms],
      issuer: expect.issuer,
      // [API-059] a token for one app is worthless to another.
      audience: expect.audience,
      currentDate: expect.now,
      clockTolerance: leeway,
      requiredClaims: ['iss', 'sub', 'aud', 'iat', 'exp', 'jti'],
      typ: 'JWT',
    }));
  } catch (error) {
    const reason = rejection(error);
    if (reason === 'unknown-key' && keyOfOtherAlgorithm(token, keys)) {
      return { valid: false, reason: 'algorithm' };
    }
    return { valid: false, reason };
  }
  if (!isClaims(payload)) return { valid: false, reason: 'malformed' };
  // [STO-013] no token lives longer than 900 seconds, whatever its signer wrote.
  if (payload.exp - payload.iat > appTokenLifetimeSeconds || payload.exp <= payload.iat) {
    return { valid: false, reason: 'lifetime' };
  }
  // A token issued in the future was not issued by a platform whose clock agrees with ours.
  if (payload.iat > Math.floor(expect.now.getTime() / 1000) + leeway) {
    return { valid: false, reason: 'not-yet-valid' };
  }
  const scopes = payload.scope === '' ? [] : payload.scope.split(' ');
  return { valid: true, claims: payload, scopes };
}
