import { MiniAppError } from '#sdk/diagnostics/index.ts';
import { signBytes, verifyBytes } from './algorithm.ts';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { sha256Hex } from './digest.ts';
import { importPublicJwk, type ImportedKey, type PublicJwk } from './jwk.ts';
import type { PrivateKey } from './key-pair.ts';
import { pae } from './pae.ts';
import { parseStrictJson, validatePayload } from './payload.ts';

/** The six payload types of spec/signing.md [SIG-010]. */
export const payloadTypes = {
  statement: 'application/vnd.openminiapp.statement+json',
  delegation: 'application/vnd.openminiapp.delegation+json',
  release: 'application/vnd.openminiapp.release+json',
  root: 'application/vnd.openminiapp.root+json',
  index: 'application/vnd.openminiapp.index+json',
  bin: 'application/vnd.openminiapp.bin+json',
} as const;

export type PayloadType = (typeof payloadTypes)[keyof typeof payloadTypes];

/** One signature of a DSSE envelope. */
export interface EnvelopeSignature {
  keyid: string;
  sig: string;
}

/** A DSSE envelope [SIG-010]. */
export interface Envelope {
  payloadType: string;
  payload: string;
  signatures: EnvelopeSignature[];
}

/** A signed document together with the exact bytes that travel and their digest. */
export interface SignedDocument<T> {
  envelope: Envelope;
  /** The serialised envelope; digests of envelopes (statement, release) are taken over these bytes. */
  bytes: Uint8Array;
  sha256: string;
  payload: T;
}

/** Result of a successful verification: the signed bytes and the distinct keys that signed them. */
export interface VerifiedEnvelope {
  payload: Uint8Array;
  validKeyids: string[];
}

/** [SIG-017] default limit on the size of one metadata document. */
export const maxMetadataBytes = 16 * 1024 * 1024;

const encoder = new TextEncoder();

/** Signs payload bytes as a DSSE envelope with every given key [SIG-011]. */
export function signEnvelope(
  payloadType: PayloadType,
  payload: Uint8Array,
  keys: readonly PrivateKey[],
): Envelope {
  if (keys.length === 0) throw new MiniAppError('USAGE', 'At least one signing key is required.');
  const signed = pae(payloadType, payload);
  return {
    payloadType,
    payload: encodeBase64(payload),
    signatures: keys.map((key) => ({
      keyid: key.keyid,
      sig: encodeBase64(signBytes(key.algorithm, key.keyObject, signed)),
    })),
  };
}

/** Serialises an envelope to the bytes that are transmitted and digested. */
export function encodeEnvelope(envelope: Envelope): Uint8Array {
  return encoder.encode(JSON.stringify(envelope));
}

/** Signs a payload object and returns the envelope with its transmitted bytes and digest. */
export function signDocument<T>(
  payloadType: PayloadType,
  payload: T,
  keys: readonly PrivateKey[],
): SignedDocument<T> {
  const envelope = signEnvelope(payloadType, encoder.encode(JSON.stringify(payload)), keys);
  const bytes = encodeEnvelope(envelope);
  return { envelope, bytes, sha256: sha256Hex(bytes), payload };
}

/** Parses envelope bytes strictly: size limit [SIG-017], strict JSON and the envelope schema [SIG-010] [SIG-014]. */
export function parseEnvelope(bytes: Uint8Array, limit: number = maxMetadataBytes): Envelope {
  if (bytes.length > limit) {
    throw new MiniAppError(
      'SIG_MALFORMED',
      `The envelope is ${bytes.length} bytes, above the limit of ${limit}.`,
      {
        requirement: 'SIG-017',
      },
    );
  }
  return validatePayload<Envelope>(
    parseStrictJson(bytes, 'The envelope'),
    'signing/envelope.schema.json',
    'The envelope',
  );
}

const importedKeys = new WeakMap<PublicJwk, ImportedKey>();

/** Imports a trusted key and checks that it is listed under its own thumbprint [SIG-006]. */
function trustedKey(keyid: string, jwk: PublicJwk): ImportedKey {
  let imported = importedKeys.get(jwk);
  if (!imported) {
    imported = importPublicJwk(jwk);
    importedKeys.set(jwk, imported);
  }
  if (imported.keyid !== keyid) {
    throw new MiniAppError(
      'SIG_KEY_INVALID',
      `Key ${keyid} is listed under a keyid that is not its thumbprint ${imported.keyid}.`,
      {
        requirement: 'SIG-006',
      },
    );
  }
  return imported;
}

/**
 * Verifies a DSSE envelope against trusted keys and a threshold [SIG-011] [SIG-012] [SIG-013].
 * Each trusted key counts once; unknown keys and failing signatures count for nothing.
 * Throws MiniAppError (SIG_MALFORMED, SIG_PAYLOAD_TYPE_MISMATCH, SIG_UNKNOWN_KEY,
 * SIG_INVALID_SIGNATURE, SIG_THRESHOLD_NOT_MET, SIG_KEY_INVALID, SIG_UNSUPPORTED_ALGORITHM).
 */
export function verifyEnvelope(
  envelope: Envelope,
  trustedKeys: Readonly<Record<string, PublicJwk>>,
  threshold: number,
  expectedPayloadType: PayloadType,
): VerifiedEnvelope {
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw new MiniAppError('USAGE', `A threshold must be a positive integer, got ${threshold}.`);
  }
  validatePayload<Envelope>(envelope, 'signing/envelope.schema.json', 'The envelope');
  // [SIG-012] the type is checked before the payload is decoded or parsed.
  if (envelope.payloadType !== expectedPayloadType) {
    throw new MiniAppError(
      'SIG_PAYLOAD_TYPE_MISMATCH',
      `Expected a ${expectedPayloadType} envelope, got ${envelope.payloadType}.`,
      { location: { pointer: '/payloadType' } },
    );
  }
  const payload = decodeBase64(envelope.payload);
  if (!payload) {
    throw new MiniAppError('SIG_MALFORMED', 'The payload is not canonical standard base64.', {
      requirement: 'SIG-010',
      location: { pointer: '/payload' },
    });
  }
  const signed = pae(envelope.payloadType, payload);
  const valid = new Set<string>();
  let failed = 0;
  for (const { keyid, sig } of envelope.signatures) {
    const jwk = Object.hasOwn(trustedKeys, keyid) ? trustedKeys[keyid] : undefined;
    // [SIG-013] unknown keys are ignored and a key already counted is not counted again.
    if (!jwk || valid.has(keyid)) continue;
    const key = trustedKey(keyid, jwk);
    const signature = decodeBase64(sig);
    if (signature && verifyBytes(key.algorithm, key.key, signed, signature)) valid.add(keyid);
    else failed++;
  }
  const validKeyids = [...valid];
  if (validKeyids.length >= threshold) return { payload, validKeyids };
  const details = { validKeyids, threshold };
  if (validKeyids.length === 0 && failed === 0) {
    throw new MiniAppError('SIG_UNKNOWN_KEY', 'No signature was made by a trusted key.', {
      details,
    });
  }
  if (validKeyids.length === 0) {
    throw new MiniAppError(
      'SIG_INVALID_SIGNATURE',
      'No signature by a trusted key verifies over the payload.',
      {
        details,
      },
    );
  }
  throw new MiniAppError(
    'SIG_THRESHOLD_NOT_MET',
    `${validKeyids.length} distinct trusted key(s) signed; the threshold is ${threshold}.`,
    { details },
  );
}
