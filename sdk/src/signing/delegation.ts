import { MiniAppError } from '#sdk/diagnostics/index.ts';
import { payloadTypes, signEnvelope, encodeEnvelope, type SignedDocument } from './envelope.ts';
import { sha256Hex } from './digest.ts';
import { importPublicJwk, type PublicJwk } from './jwk.ts';
import type { PrivateKey } from './key-pair.ts';
import type { Root } from './root.ts';
import { checkValidityWindow, formatTimestamp } from './timestamp.ts';

/**
 * The partner keys that may sign statements for one app, signed offline by the `delegation` role
 * (spec/signing.md, "Delegations").
 */
export interface Delegation {
  _type: 'delegation';
  /** [SIG-074] `1.MINOR`; this toolkit writes 1.0. */
  specVersion: string;
  appId: string;
  version: number;
  issuedAt: string;
  expires: string;
  keys: Record<string, PublicJwk>;
  threshold: number;
  critical?: string[];
}

export interface DelegationInput {
  appId: string;
  version: number;
  issuedAt: Date;
  /** At most 400 days after issuedAt [SIG-083]; 365 days by default. */
  expires?: Date;
  keys: readonly PublicJwk[];
  /** 1 by default. */
  threshold?: number;
}

/** [SIG-083] the longest a delegation may stay valid. */
export const maxDelegationLifetimeMs = 400 * 24 * 60 * 60 * 1000;
const defaultDelegationLifetimeMs = 365 * 24 * 60 * 60 * 1000;

/**
 * Checks what the schema cannot [SIG-081] [SIG-083]: keys under their thumbprints, a reachable
 * threshold, a validity of at most 400 days and, given the trusted root, no key of the root.
 */
export function checkDelegation(delegation: Delegation, root?: Root): void {
  for (const [keyid, jwk] of Object.entries(delegation.keys)) {
    if (importPublicJwk(jwk).keyid !== keyid) {
      throw new MiniAppError(
        'SIG_KEY_INVALID',
        `Delegated key ${keyid} is not listed under its thumbprint.`,
        { requirement: 'SIG-006', location: { pointer: `/keys/${keyid}` } },
      );
    }
    if (root && Object.hasOwn(root.keys, keyid)) {
      throw new MiniAppError(
        'SIG_KEY_REUSED',
        `Delegated key ${keyid} is a key of the root; a partner key may serve no platform role.`,
        { requirement: 'SIG-081', location: { pointer: `/keys/${keyid}` } },
      );
    }
  }
  const count = Object.keys(delegation.keys).length;
  if (delegation.threshold > count) {
    throw new MiniAppError(
      'SIG_MALFORMED',
      `The delegation has threshold ${delegation.threshold} but only ${count} key(s).`,
      { requirement: 'SIG-081', location: { pointer: '/threshold' } },
    );
  }
  checkValidityWindow(delegation.issuedAt, delegation.expires, 'SIG-083', maxDelegationLifetimeMs);
}

/** The unsigned payload of a delegation, as the exact bytes a signer signs (pending delegations, API-108). */
export function delegationPayload(input: DelegationInput): {
  payload: Delegation;
  bytes: Uint8Array;
} {
  const keys: Record<string, PublicJwk> = {};
  for (const jwk of input.keys) {
    const imported = importPublicJwk(jwk);
    keys[imported.keyid] = imported.jwk;
  }
  const payload: Delegation = {
    _type: 'delegation',
    specVersion: '1.0',
    appId: input.appId,
    version: input.version,
    issuedAt: formatTimestamp(input.issuedAt),
    expires: formatTimestamp(
      input.expires ?? new Date(input.issuedAt.getTime() + defaultDelegationLifetimeMs),
    ),
    keys,
    threshold: input.threshold ?? 1,
  };
  checkDelegation(payload);
  return { payload, bytes: new TextEncoder().encode(JSON.stringify(payload)) };
}

/** Signs a delegation with keys of the root's `delegation` role [SIG-080]. */
export function createDelegation(
  input: DelegationInput,
  keys: readonly PrivateKey[],
): SignedDocument<Delegation> {
  const { payload, bytes } = delegationPayload(input);
  return signDelegationPayload(payload, bytes, keys);
}

/** Signs the exact bytes of a delegation payload, e.g. one listed as pending by a server [API-108]. */
export function signDelegationPayload(
  payload: Delegation,
  bytes: Uint8Array,
  keys: readonly PrivateKey[],
): SignedDocument<Delegation> {
  const envelope = signEnvelope(payloadTypes.delegation, bytes, keys);
  const encoded = encodeEnvelope(envelope);
  return { envelope, bytes: encoded, sha256: sha256Hex(encoded), payload };
}
