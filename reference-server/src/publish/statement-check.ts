import { MiniAppError } from '#sdk/diagnostics/index.ts';
import {
  parseEnvelope,
  payloadTypes,
  sha256Hex,
  verifyEnvelope,
  type PublicJwk,
  type Statement,
  type VerifiedStatement,
} from '#sdk/signing/index.ts';
import type { Manifest } from '#sdk/manifest/index.ts';
import type { Queryable } from '../store/database.ts';

/** Largest statement part accepted: a statement is a few hundred bytes of signed JSON. */
export const maxStatementBytes = 64 * 1024;

/**
 * The partner's registered keys that may sign uploads: not revoked on the key row, and not listed as
 * a revoked key in the signed index [API-067] [SIG-020].
 */
export async function uploadKeys(
  db: Queryable,
  partnerId: string,
): Promise<Record<string, PublicJwk>> {
  const { rows } = await db.query<{ keyid: string; jwk: PublicJwk }>(
    `select k.keyid, k.jwk from partner_keys k
      where k.partner_id = $1 and k.revoked_at is null
        and not exists (select 1 from revocations r where r.kind = 'key' and r.value = k.keyid)`,
    [partnerId],
  );
  return Object.fromEntries(rows.map((r) => [r.keyid, r.jwk]));
}

/**
 * Checks the statement's signature before any package byte is read, and returns the package length
 * it announces, so the package stream can stop as soon as it is longer [API-070] [SIG-020].
 */
export function announcedLength(
  statementBytes: Uint8Array,
  keys: Readonly<Record<string, PublicJwk>>,
): number | null {
  const envelope = parseEnvelope(statementBytes, maxStatementBytes);
  const { payload } = verifyEnvelope(envelope, keys, 1, payloadTypes.statement);
  try {
    const parsed = JSON.parse(new TextDecoder().decode(payload)) as {
      package?: { length?: unknown };
    };
    const length = parsed.package?.length;
    // A malformed statement is refused with its own code by the full verification that follows.
    return typeof length === 'number' && Number.isSafeInteger(length) && length >= 0
      ? length
      : null;
  } catch {
    return null;
  }
}

function mismatch(member: string, detail: string): MiniAppError {
  return new MiniAppError('SIG_MANIFEST_MISMATCH', detail, {
    requirement: 'SIG-021',
    location: { pointer: `/${member}` },
    fix: 'Sign a new statement over the package you upload (miniapp sign).',
  });
}

/**
 * [SIG-021] the statement describes the package's own manifest: the same bytes, and the same id,
 * version and versionCode. [REV-005] the manifest names the app of the upload route.
 */
export function checkStatementAgainstManifest(
  statement: Statement,
  manifestBytes: Uint8Array | null,
  manifest: Manifest | undefined,
  routeAppId: string,
): void {
  if (manifest && manifest.id !== routeAppId) {
    throw new MiniAppError(
      'REVIEW_APP_ID_MISMATCH',
      `The manifest id is ${manifest.id}, but the upload is for ${routeAppId}.`,
      {
        requirement: 'REV-005',
        location: { pointer: '/id' },
        fix: 'Upload the package to the app its manifest names, or change the manifest id.',
      },
    );
  }
  if (manifestBytes === null || sha256Hex(manifestBytes) !== statement.manifestSha256) {
    throw mismatch('manifestSha256', 'The statement signs a different manifest.json.');
  }
  if (!manifest) return;
  if (manifest.id !== statement.appId) {
    throw mismatch('appId', `The statement names ${statement.appId}; the manifest ${manifest.id}.`);
  }
  if (manifest.version !== statement.version) {
    throw mismatch(
      'version',
      `The statement names version ${statement.version}; the manifest ${manifest.version}.`,
    );
  }
  if (manifest.versionCode !== statement.versionCode) {
    throw mismatch(
      'versionCode',
      `The statement names versionCode ${statement.versionCode}; the manifest ${manifest.versionCode}.`,
    );
  }
}

/**
 * A statement verified at upload, rebuilt from its stored bytes for the countersignature: its key may
 * have been revoked since, which does not undo what it signed before [API-067] [SIG-031].
 */
export function storedStatement(
  envelopeBytes: Uint8Array,
  keyid: string,
  sha256: string,
): VerifiedStatement {
  const envelope = parseEnvelope(envelopeBytes, maxStatementBytes);
  const statement = JSON.parse(
    Buffer.from(envelope.payload, 'base64').toString('utf8'),
  ) as Statement;
  return { statement, keyid, sha256 };
}
