import {
  createPrivateKey,
  generateKeyPair as generateNodeKeyPair,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { MiniAppError } from '#sdk/diagnostics/index.ts';
import { algorithmOfKey, minimumRsaBits, type SigningAlgorithm } from './algorithm.ts';
import { jwkThumbprint, publicJwkOf, type PublicJwk } from './jwk.ts';

const generate = promisify(generateNodeKeyPair);

/** A loaded signing key. */
export interface PrivateKey {
  readonly keyid: string;
  readonly algorithm: SigningAlgorithm;
  readonly publicJwk: PublicJwk;
  readonly keyObject: KeyObject;
}

/** A new key pair: the private key as PKCS#8 PEM [SIG-007], the public key as JWK and its keyid [SIG-006]. */
export interface GeneratedKeyPair {
  privateKeyPem: string;
  publicJwk: PublicJwk;
  keyid: string;
}

async function generateKeyObject(algorithm: SigningAlgorithm): Promise<KeyObject> {
  switch (algorithm) {
    case 'Ed25519':
      return (await generate('ed25519')).privateKey;
    case 'ECDSA-P256':
      return (await generate('ec', { namedCurve: 'P-256' })).privateKey;
    case 'RSA-PSS':
      // A plain RSA key used only with PSS padding: Node cannot export rsa-pss typed keys as JWK.
      return (await generate('rsa', { modulusLength: minimumRsaBits })).privateKey;
  }
}

/** Generates a key pair of one of the supported algorithms [SIG-001] [SIG-002] [SIG-003]. */
export async function generateKeyPair(algorithm: SigningAlgorithm): Promise<GeneratedKeyPair> {
  const privateKey = await generateKeyObject(algorithm);
  const publicJwk = publicJwkOf(privateKey);
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicJwk,
    keyid: jwkThumbprint(publicJwk),
  };
}

/** Loads an unencrypted PKCS#8 PEM private key of a supported algorithm [SIG-007] [SIG-004]. */
export function loadPrivateKey(pem: string): PrivateKey {
  if (
    !/^-----BEGIN PRIVATE KEY-----\r?\n[\s\S]+\r?\n-----END PRIVATE KEY-----\s*$/.test(
      pem.trim() + '\n',
    )
  ) {
    throw new MiniAppError(
      'SIG_KEY_FILE_INVALID',
      'The key file is not an unencrypted PKCS#8 PEM private key.',
      {
        fix: 'Convert it with `openssl pkcs8 -topk8 -nocrypt -in old.pem -out key.pem`.',
      },
    );
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new MiniAppError('SIG_KEY_FILE_INVALID', 'The PKCS#8 PEM private key cannot be read.', {
      cause,
    });
  }
  const algorithm = algorithmOfKey(keyObject);
  if (!algorithm) {
    throw new MiniAppError(
      'SIG_UNSUPPORTED_ALGORITHM',
      `Keys of type ${keyObject.asymmetricKeyType ?? 'unknown'} with these parameters cannot sign mini-app metadata.`,
      { fix: 'Use an Ed25519, ECDSA P-256 or RSA (>= 3072-bit) key.' },
    );
  }
  const publicJwk = publicJwkOf(keyObject);
  return { keyid: jwkThumbprint(publicJwk), algorithm, publicJwk, keyObject };
}
