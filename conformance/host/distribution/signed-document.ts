import { constants, sign } from 'node:crypto';
import {
  generateKeyPair,
  loadPrivateKey,
  pae,
  payloadTypes,
  sha256Hex,
  type PrivateKey,
  type SigningAlgorithm,
} from '#sdk/signing/index.ts';

/**
 * Signed documents as the conformance distribution server serves them: the exact envelope bytes,
 * their digest and the payload the suite meant. The sdk signs well-formed documents; this module
 * also writes the ill-formed ones a case needs (re-serialised payloads, PKCS#1 v1.5 signatures,
 * duplicate members), so nothing here checks what it signs.
 */

export type DocumentKind = keyof typeof payloadTypes;

export interface SignedBytes {
  /** The envelope bytes as served. */
  bytes: Uint8Array;
  sha256: string;
  /** The payload as the suite wrote it (for cases that reason about it). */
  payload: Record<string, unknown>;
}

const encoder = new TextEncoder();

export async function newKey(algorithm: SigningAlgorithm = 'Ed25519'): Promise<PrivateKey> {
  const pair = await generateKeyPair(algorithm);
  return loadPrivateKey(pair.privateKeyPem);
}

const pool = new Map<string, Promise<PrivateKey>>();

/**
 * A key kept for the whole run under a slot name: worlds of different cases may share keys (each
 * case starts from a reset host), which saves seconds per case for RSA keys.
 */
export function pooledKey(algorithm: SigningAlgorithm, slot: string): Promise<PrivateKey> {
  const name = `${algorithm}:${slot}`;
  let key = pool.get(name);
  if (!key) {
    key = newKey(algorithm);
    pool.set(name, key);
  }
  return key;
}

/** Base64 with padding (RFC 4648 section 4), as every envelope member is written [SIG-010]. */
export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** One signature over PAE(type, payload) with the algorithm the key is for. */
export function signatureOf(key: PrivateKey, type: string, payload: Uint8Array): string {
  const message = pae(type as never, payload);
  switch (key.algorithm) {
    case 'Ed25519':
      return base64(sign(null, message, key.keyObject));
    case 'ECDSA-P256':
      return base64(sign('sha256', message, { key: key.keyObject, dsaEncoding: 'ieee-p1363' }));
    case 'RSA-PSS':
      return base64(
        sign('sha256', message, {
          key: key.keyObject,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: 32,
        }),
      );
  }
}

/** An RSA PKCS#1 v1.5 signature by an RSA key: an algorithm every verifier must refuse [SIG-004]. */
export function pkcs1Signature(key: PrivateKey, type: string, payload: Uint8Array): string {
  const message = pae(type as never, payload);
  return base64(
    sign('sha256', message, { key: key.keyObject, padding: constants.RSA_PKCS1_PADDING }),
  );
}

export interface EnvelopeOptions {
  /** Signs these bytes but carries `carried` in `payload` (a re-serialisation after signing). */
  carried?: Uint8Array;
  /** The payloadType written into the envelope (the signature still covers `kind`'s type). */
  writtenType?: string;
  /** Extra signature entries appended as given. */
  extraSignatures?: { keyid: string; sig: string }[];
  /** Replaces the payload member text (for encodings that are not standard base64). */
  payloadText?: string;
}

/** Envelope bytes over exact payload bytes, signed by each key in order. */
export function envelopeOver(
  kind: DocumentKind,
  payloadBytes: Uint8Array,
  keys: readonly PrivateKey[],
  options: EnvelopeOptions = {},
): Uint8Array {
  const type = payloadTypes[kind];
  const signatures = keys.map((key) => ({
    keyid: key.keyid,
    sig: signatureOf(key, type, payloadBytes),
  }));
  const envelope = {
    payloadType: options.writtenType ?? type,
    payload: options.payloadText ?? base64(options.carried ?? payloadBytes),
    signatures: [...signatures, ...(options.extraSignatures ?? [])],
  };
  return encoder.encode(JSON.stringify(envelope));
}

/** Signs a payload object as compact JSON. */
export function signPayload(
  kind: DocumentKind,
  payload: Record<string, unknown>,
  keys: readonly PrivateKey[],
  options: EnvelopeOptions = {},
): SignedBytes {
  const bytes = envelopeOver(kind, encoder.encode(JSON.stringify(payload)), keys, options);
  return { bytes, sha256: sha256Hex(bytes), payload };
}

/** Signs payload text exactly as given (duplicate members, a byte-order mark, odd spacing). */
export function signPayloadText(
  kind: DocumentKind,
  text: string | Uint8Array,
  keys: readonly PrivateKey[],
  payload: Record<string, unknown>,
  options: EnvelopeOptions = {},
): SignedBytes {
  const raw = typeof text === 'string' ? encoder.encode(text) : text;
  const bytes = envelopeOver(kind, raw, keys, options);
  return { bytes, sha256: sha256Hex(bytes), payload };
}

export function digestOf(bytes: Uint8Array): string {
  return sha256Hex(bytes);
}

/** RFC 3339 UTC with whole seconds [SIG-015]. */
export function timestamp(date: Date): string {
  return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
