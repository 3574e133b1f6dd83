import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateKeyPair, loadPrivateKey, type PrivateKey } from '#sdk/signing/index.ts';
import type { AppTokenAlgorithm } from '#sdk/tokens/index.ts';

/** The JWS algorithms an app token may be signed with [STO-015]. */
export type TokenAlgorithm = AppTokenAlgorithm;

/** A public key of the JWK set at /.well-known/jwks.json [API-062]. */
export interface TokenJwk {
  kty: 'OKP' | 'EC';
  crv: 'Ed25519' | 'P-256';
  x: string;
  y?: string;
  kid: string;
  use: 'sig';
  alg: TokenAlgorithm;
}

/** A key that signs app tokens. */
export interface TokenSigningKey {
  kid: string;
  alg: TokenAlgorithm;
  key: PrivateKey;
  jwk: TokenJwk;
}

/** The signing keys of app tokens: the newest signs, every one is published until removed. */
export interface TokenKeyRing {
  current: TokenSigningKey;
  all: readonly TokenSigningKey[];
}

const keyFile = /^(\d+)\.key\.pem$/;

function tokenKey(key: PrivateKey): TokenSigningKey {
  // [STO-015] only EdDSA (Ed25519) and ES256 sign tokens; an RSA key in the directory is a setup error.
  if (key.algorithm === 'RSA-PSS')
    throw new Error('app tokens are signed with Ed25519 or P-256 keys only');
  const alg: TokenAlgorithm = key.algorithm === 'Ed25519' ? 'EdDSA' : 'ES256';
  const jwk = key.publicJwk;
  if (jwk.kty === 'RSA') throw new Error('unreachable: RSA key after algorithm check');
  return {
    kid: key.keyid,
    alg,
    key,
    jwk: {
      kty: jwk.kty,
      crv: jwk.crv,
      x: jwk.x,
      ...(jwk.kty === 'EC' ? { y: jwk.y } : {}),
      kid: key.keyid,
      use: 'sig',
      alg,
    },
  };
}

/**
 * Loads the token keys from `dir` (files `N.key.pem`, PKCS#8), creating an Ed25519 key `1.key.pem` when
 * there is none, so tokens stay verifiable across restarts. Rotate by adding `N+1.key.pem`; remove an old
 * file only after the tokens it signed have expired (15 minutes) [API-062].
 */
export async function loadTokenKeys(dir: string): Promise<TokenKeyRing> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!(await readdir(dir)).some((f) => keyFile.test(f))) {
    const pair = await generateKeyPair('Ed25519');
    try {
      await writeFile(path.join(dir, '1.key.pem'), pair.privateKeyPem, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      // Another process created it first; use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const files = (await readdir(dir))
    .map((f) => ({ f, n: Number(keyFile.exec(f)?.[1] ?? NaN) }))
    .filter((e) => Number.isInteger(e.n))
    .sort((a, b) => a.n - b.n);
  const all = await Promise.all(
    files.map(async (e) => tokenKey(loadPrivateKey(await readFile(path.join(dir, e.f), 'utf8')))),
  );
  const current = all.at(-1);
  if (!current) throw new Error(`no token signing key in ${dir}`);
  return { current, all };
}

/** The public JWK set [API-062]: public members only, whatever the keys hold. */
export function jwksOf(ring: TokenKeyRing): { keys: TokenJwk[] } {
  return { keys: ring.all.map((k) => ({ ...k.jwk })) };
}
