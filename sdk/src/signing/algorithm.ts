import { constants, sign, verify, type KeyObject } from 'node:crypto';

/** The closed set of signature algorithms of spec/signing.md [SIG-001] [SIG-002] [SIG-003]. */
export type SigningAlgorithm = 'Ed25519' | 'ECDSA-P256' | 'RSA-PSS';

export const signingAlgorithms: readonly SigningAlgorithm[] = ['Ed25519', 'ECDSA-P256', 'RSA-PSS'];

/** [SIG-003] [SIG-004] smaller RSA moduli are refused. */
export const minimumRsaBits = 3072;

/** [SIG-003] the PSS salt is exactly the SHA-256 output length; "auto" salt detection would accept other encodings. */
const pssSaltLength = 32;

/** [SIG-002] IEEE P1363 r || s for P-256 is exactly 64 bytes; DER encodings are refused. */
const fixedSignatureLength: Record<Exclude<SigningAlgorithm, 'RSA-PSS'>, number> = {
  Ed25519: 64,
  'ECDSA-P256': 64,
};

/** The algorithm a key is used with, or undefined when the key type is outside the closed set [SIG-004]. */
export function algorithmOfKey(key: KeyObject): SigningAlgorithm | undefined {
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return 'Ed25519';
    case 'ec':
      return key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? 'ECDSA-P256' : undefined;
    case 'rsa':
      return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= minimumRsaBits
        ? 'RSA-PSS'
        : undefined;
    default:
      return undefined;
  }
}

/** Signs bytes with a private key of the given algorithm. */
export function signBytes(
  algorithm: SigningAlgorithm,
  privateKey: KeyObject,
  data: Uint8Array,
): Uint8Array {
  switch (algorithm) {
    case 'Ed25519':
      return sign(null, data, privateKey);
    case 'ECDSA-P256':
      return sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    case 'RSA-PSS':
      return sign('sha256', data, {
        key: privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: pssSaltLength,
      });
  }
}

/** True when the signature verifies; never throws on malformed signatures. */
export function verifyBytes(
  algorithm: SigningAlgorithm,
  publicKey: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    switch (algorithm) {
      case 'Ed25519':
        return (
          signature.length === fixedSignatureLength.Ed25519 &&
          verify(null, data, publicKey, signature)
        );
      case 'ECDSA-P256':
        return (
          signature.length === fixedSignatureLength['ECDSA-P256'] &&
          verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)
        );
      case 'RSA-PSS':
        // [SIG-004] only PSS padding is tried, so a PKCS#1 v1.5 signature never verifies.
        return verify(
          'sha256',
          data,
          { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pssSaltLength },
          signature,
        );
    }
  } catch {
    return false;
  }
}
