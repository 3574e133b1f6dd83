import { CaseFailure } from '../../framework/index.ts';
import { schemaErrors } from '../contract/openapi-contract.ts';
import { lowercaseSha256 } from '../crypto/digest.ts';
import {
  EnvelopeError,
  openEnvelope,
  payloadTypes,
  trustedKeys,
  validSigners,
  type OpenedEnvelope,
} from '../crypto/dsse-envelope.ts';
import type { PublicJwk } from '../crypto/jwk-key.ts';
import type { ServerTest } from '../server-case.ts';
import { describeExchange } from './http-exchange.ts';

export interface Role {
  keyids: string[];
  threshold: number;
}

/** A verified root: its payload, its keys checked against their thumbprints, and its bytes. */
export interface TrustedRoot {
  version: number;
  expires: string;
  roles: Record<string, Role>;
  keys: Map<string, PublicJwk>;
  bytes: Uint8Array;
  payload: Record<string, unknown>;
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Every string member named like a timestamp or digest must have the form of [SIG-015] and [SIG-016]. */
export function checkPayloadForms(payload: unknown, where: string, problems: string[]): void {
  const visit = (value: unknown, pointer: string, key: string) => {
    if (typeof value === 'string') {
      if (/(At|expires|issuedAt)$/.test(key) && !rfc3339.test(value)) {
        problems.push(
          `${where}${pointer}: timestamp ${JSON.stringify(value)} is not RFC 3339 UTC with Z and whole seconds [SIG-015]`,
        );
      }
      if (/sha256$/i.test(key) && !lowercaseSha256.test(value)) {
        problems.push(
          `${where}${pointer}: digest ${JSON.stringify(value)} is not 64 lowercase hex digits [SIG-016]`,
        );
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) =>
        visit(v, `${pointer}/${i}`, /sha256/i.test(key) ? 'sha256' : String(i)),
      );
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, `${pointer}/${k}`, k);
    }
  };
  visit(payload, '', '');
}

export function open(bytes: Uint8Array, type: string, what: string): OpenedEnvelope {
  try {
    return openEnvelope(bytes, type);
  } catch (error) {
    if (error instanceof EnvelopeError) throw new CaseFailure(`${what}: ${error.message}`);
    throw error;
  }
}

/** Validates a payload against its schema in schemas/signing/. */
export function validatePayload(
  t: ServerTest,
  payload: unknown,
  schema: string,
  what: string,
): void {
  const validate = t.subject.contract.schema(`signing/${schema}.schema.json`);
  if (!validate(payload)) {
    throw new CaseFailure(
      `${what} does not validate against ${schema}.schema.json: ${schemaErrors(validate).join('; ')}`,
    );
  }
}

async function keysOf(
  payload: Record<string, unknown>,
  what: string,
): Promise<Map<string, PublicJwk>> {
  try {
    return await trustedKeys(payload.keys as Record<string, unknown>);
  } catch (error) {
    if (error instanceof EnvelopeError) throw new CaseFailure(`${what}: ${error.message}`);
    throw error;
  }
}

/** Reads a root envelope, checks its shape and role rules [SIG-051], and its own root threshold [SIG-052]. */
export async function readRoot(
  t: ServerTest,
  bytes: Uint8Array,
  what: string,
  previous?: TrustedRoot,
): Promise<TrustedRoot> {
  const opened = open(bytes, payloadTypes.root, what);
  validatePayload(t, opened.payload, 'root', what);
  const keys = await keysOf(opened.payload, what);
  const roles = opened.payload.roles as Record<string, Role>;
  for (const [name, role] of Object.entries(roles)) {
    if (role.keyids.length === 0 || role.threshold < 1 || role.threshold > role.keyids.length) {
      throw new CaseFailure(
        `${what}: role ${name} has ${role.keyids.length} keyids and threshold ${role.threshold} [SIG-051]`,
      );
    }
    for (const keyid of role.keyids) {
      if (!keys.has(keyid))
        throw new CaseFailure(
          `${what}: role ${name} lists ${keyid}, which is not a key of the root [SIG-051]`,
        );
    }
  }
  const own = await validSigners(opened, keys, roles.root?.keyids ?? []);
  if (own.size < (roles.root?.threshold ?? 1)) {
    throw new CaseFailure(
      `${what}: ${own.size} valid signature(s) of its own root role, threshold ${roles.root?.threshold} [SIG-052]`,
    );
  }
  if (previous) {
    const prior = await validSigners(opened, previous.keys, previous.roles.root?.keyids ?? []);
    if (prior.size < (previous.roles.root?.threshold ?? 1)) {
      throw new CaseFailure(
        `${what}: ${prior.size} valid signature(s) of root ${previous.version}'s root role, threshold ${previous.roles.root?.threshold} [SIG-052]`,
      );
    }
  }
  const problems: string[] = [];
  checkPayloadForms(opened.payload, what, problems);
  if (problems.length > 0) throw new CaseFailure(problems[0] as string, problems);
  return {
    version: Number(opened.payload.version),
    expires: String(opened.payload.expires),
    roles,
    keys,
    bytes,
    payload: opened.payload,
  };
}

/** The current root, reached by walking every versioned root from 1, each checked against the one before. */
export async function currentRoot(t: ServerTest): Promise<TrustedRoot> {
  const current = await t.send({ path: '/v1/trust/root.json', quiet: true });
  if (current.status !== 200)
    throw new CaseFailure(`GET /v1/trust/root.json: ${describeExchange(current)}`);
  const head = await readRoot(t, current.body, 'root.json');
  let trusted: TrustedRoot | undefined;
  for (let v = 1; v <= head.version; v++) {
    const exchange = await t.send({ path: `/v1/trust/${v}.root.json`, quiet: true });
    if (exchange.status !== 200)
      throw new CaseFailure(
        `root version ${v} of ${head.version} is not served: ${describeExchange(exchange)}`,
      );
    trusted = await readRoot(t, exchange.body, `${v}.root.json`, trusted);
    if (trusted.version !== v)
      throw new CaseFailure(`${v}.root.json holds version ${trusted.version}`);
  }
  return trusted ?? head;
}

/** Verifies an envelope against a role of the trusted root, at its threshold [SIG-013]. */
export async function verifyRole(
  root: TrustedRoot,
  opened: OpenedEnvelope,
  role: string,
  what: string,
): Promise<void> {
  const r = root.roles[role];
  if (!r) throw new CaseFailure(`the root has no ${role} role`);
  const valid = await validSigners(opened, root.keys, r.keyids);
  if (valid.size < r.threshold) {
    throw new CaseFailure(
      `${what}: ${valid.size} valid signature(s) of the ${role} role, threshold ${r.threshold}`,
    );
  }
}
