import {
  concatBytes,
  decodeStandardBase64,
  decodeUtf8,
  encodeStandardBase64,
  utf8,
} from './byte-encoding.ts';
import {
  jwkProblem,
  jwkThumbprint,
  verifyWithJwk,
  type PublicJwk,
  type SigningKey,
} from './jwk-key.ts';
import { parseStrictJson } from './strict-json.ts';

/** The payload types of spec/signing.md, and the ones the trust design adds. */
export const payloadTypes = {
  statement: 'application/vnd.openminiapp.statement+json',
  release: 'application/vnd.openminiapp.release+json',
  root: 'application/vnd.openminiapp.root+json',
  index: 'application/vnd.openminiapp.index+json',
  bin: 'application/vnd.openminiapp.bin+json',
  delegation: 'application/vnd.openminiapp.delegation+json',
} as const;

export interface Envelope {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body [SIG-011]. */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = utf8(payloadType);
  return concatBytes([utf8(`DSSEv1 ${type.length} `), type, utf8(` ${payload.length} `), payload]);
}

/** Signs `payload` as an envelope with each key, the way a partner's tool would. */
export async function signEnvelope(
  payloadType: string,
  payload: Uint8Array,
  keys: readonly SigningKey[],
): Promise<Envelope> {
  const message = pae(payloadType, payload);
  const signatures = [];
  for (const key of keys) {
    signatures.push({ keyid: key.keyid, sig: encodeStandardBase64(await key.sign(message)) });
  }
  return { payloadType, payload: encodeStandardBase64(payload), signatures };
}

export class EnvelopeError extends Error {
  override name = 'EnvelopeError';
}

/** A DSSE envelope read from bytes, checked for shape, with its payload decoded and parsed strictly. */
export interface OpenedEnvelope {
  envelope: Envelope;
  payloadBytes: Uint8Array;
  payload: Record<string, unknown>;
}

/**
 * Reads envelope bytes the way spec/signing.md tells a verifier to: the expected payload type first
 * [SIG-012], standard base64 with padding [SIG-010], UTF-8 without BOM, no duplicate members [SIG-014].
 */
export function openEnvelope(bytes: Uint8Array, expectedType: string): OpenedEnvelope {
  const text = decodeUtf8(bytes);
  if (text === null) throw new EnvelopeError('the envelope is not UTF-8 without a byte-order mark');
  let parsed: unknown;
  try {
    parsed = parseStrictJson(text);
  } catch (error) {
    throw new EnvelopeError(`the envelope is not strict JSON: ${(error as Error).message}`);
  }
  const e = parsed as Partial<Envelope>;
  if (!e || typeof e !== 'object' || Array.isArray(e))
    throw new EnvelopeError('the envelope is not an object');
  if (e.payloadType !== expectedType) {
    throw new EnvelopeError(
      `payloadType is ${JSON.stringify(e.payloadType)}, expected ${expectedType}`,
    );
  }
  if (typeof e.payload !== 'string') throw new EnvelopeError('payload is not a string');
  if (!Array.isArray(e.signatures) || e.signatures.length === 0) {
    throw new EnvelopeError('the envelope has no signature');
  }
  for (const s of e.signatures as unknown[]) {
    const sig = s as { keyid?: unknown; sig?: unknown };
    if (
      typeof sig?.keyid !== 'string' ||
      typeof sig.sig !== 'string' ||
      !decodeStandardBase64(sig.sig)
    ) {
      throw new EnvelopeError('a signature is not { keyid, sig } with sig in standard base64');
    }
  }
  const payloadBytes = decodeStandardBase64(e.payload);
  if (!payloadBytes) throw new EnvelopeError('payload is not standard base64 with padding');
  const payloadText = decodeUtf8(payloadBytes);
  if (payloadText === null)
    throw new EnvelopeError('the payload is not UTF-8 without a byte-order mark');
  let payload: unknown;
  try {
    payload = parseStrictJson(payloadText);
  } catch (error) {
    throw new EnvelopeError(`the payload is not strict JSON: ${(error as Error).message}`);
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new EnvelopeError('the payload is not a JSON object');
  }
  return { envelope: e as Envelope, payloadBytes, payload: payload as Record<string, unknown> };
}

/** Keys by keyid, each checked to be an allowed public key listed under its own thumbprint [SIG-006]. */
export async function trustedKeys(keys: Record<string, unknown>): Promise<Map<string, PublicJwk>> {
  const out = new Map<string, PublicJwk>();
  for (const [keyid, jwk] of Object.entries(keys)) {
    const problem = jwkProblem(jwk);
    if (problem) throw new EnvelopeError(`key ${keyid}: ${problem}`);
    const thumbprint = await jwkThumbprint(jwk as PublicJwk);
    if (thumbprint !== keyid) {
      throw new EnvelopeError(`key listed as ${keyid} has the thumbprint ${thumbprint}`);
    }
    out.set(keyid, jwk as PublicJwk);
  }
  return out;
}

/**
 * The distinct trusted keyids whose signature verifies over PAE [SIG-011] [SIG-013]; unknown keys and
 * failed signatures are ignored, and a key counts once however many times it signed.
 */
export async function validSigners(
  opened: OpenedEnvelope,
  keys: ReadonlyMap<string, PublicJwk>,
  allowed: readonly string[],
): Promise<Set<string>> {
  const message = pae(opened.envelope.payloadType, opened.payloadBytes);
  const valid = new Set<string>();
  for (const { keyid, sig } of opened.envelope.signatures) {
    if (valid.has(keyid) || !allowed.includes(keyid)) continue;
    const jwk = keys.get(keyid);
    const signature = decodeStandardBase64(sig);
    if (jwk && signature && (await verifyWithJwk(jwk, signature, message))) valid.add(keyid);
  }
  return valid;
}
