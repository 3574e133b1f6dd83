import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from '../../framework/index.ts';
import { utf8 } from '../crypto/byte-encoding.ts';
import { sha256Hex } from '../crypto/digest.ts';
import { payloadTypes, signEnvelope, type Envelope } from '../crypto/dsse-envelope.ts';
import type { SigningKey } from '../crypto/jwk-key.ts';

/** The partner statement of spec/signing.md, built by the suite with its own signing code. */
export interface StatementFields {
  appId: string;
  version: string;
  versionCode: number;
  package: { sha256: string; length: number };
  manifestSha256: string;
  createdAt: string;
}

/** Now as an RFC 3339 UTC timestamp with whole seconds [SIG-015]. */
export function timestampNow(offsetMs = 0): string {
  return new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function statementFieldsFor(
  packageBytes: Uint8Array,
  manifest: Record<string, unknown>,
  manifestBytes: Uint8Array,
): Promise<StatementFields> {
  return {
    appId: String(manifest.id),
    version: String(manifest.version),
    versionCode: Number(manifest.versionCode),
    package: { sha256: await sha256Hex(packageBytes), length: packageBytes.length },
    manifestSha256: await sha256Hex(manifestBytes),
    createdAt: timestampNow(),
  };
}

/**
 * Whether the statement schema of the specification in this checkout defines `specVersion` (draft 2
 * requires it in every signed payload); the suite writes exactly the members its version defines.
 */
const statementHasSpecVersion = (() => {
  const schema = JSON.parse(
    readFileSync(path.join(repositoryRoot, 'schemas', 'signing', 'statement.schema.json'), 'utf8'),
  ) as {
    properties?: Record<string, unknown>;
  };
  return Boolean(schema.properties?.specVersion);
})();

/** The statement payload object for these fields, as the specification in this checkout shapes it. */
export function statementPayload(
  fields: StatementFields,
): Record<string, unknown> & StatementFields {
  return {
    _type: 'statement',
    ...(statementHasSpecVersion ? { specVersion: '1.0' } : {}),
    ...fields,
  };
}

/** Signs a statement payload (overrides let a case lie about one member) with the given keys. */
export async function signStatement(
  fields: StatementFields,
  keys: readonly SigningKey[],
  overrides: Record<string, unknown> = {},
): Promise<{ envelope: Envelope; bytes: Uint8Array }> {
  const payload = { ...statementPayload(fields), ...overrides };
  const envelope = await signEnvelope(payloadTypes.statement, utf8(JSON.stringify(payload)), keys);
  return { envelope, bytes: utf8(JSON.stringify(envelope)) };
}
