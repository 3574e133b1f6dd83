import { isMiniAppError } from '#sdk/diagnostics/index.ts';
import { importPublicJwk, type ImportedKey, type PublicJwk } from '#sdk/signing/index.ts';
import { ApiProblem } from '../http/problem.ts';
import type { Database, Queryable } from '../store/database.ts';
import { markTrustChanged } from '../trust/trust-generation.ts';
import { utcTimestamp } from './timestamp-column.ts';

/** A partner signing key as the contract's `PartnerKey` schema shows it. */
export interface PartnerKeyView {
  keyId: string;
  label?: string;
  jwk: PublicJwk;
  createdAt: string;
  revokedAt?: string;
}

interface KeyRow {
  keyid: string;
  partner_id: string;
  label: string | null;
  jwk: PublicJwk | string;
  created_at: string;
  revoked_at: string | null;
}

const keyColumns = `keyid, partner_id, label, jwk, ${utcTimestamp('created_at')} as created_at,
  case when revoked_at is null then null else ${utcTimestamp('revoked_at')} end as revoked_at`;

function view(row: KeyRow): PartnerKeyView {
  return {
    keyId: row.keyid,
    ...(row.label === null ? {} : { label: row.label }),
    jwk: typeof row.jwk === 'string' ? (JSON.parse(row.jwk) as PublicJwk) : row.jwk,
    createdAt: row.created_at,
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at }),
  };
}

/**
 * Imports an untrusted JWK with the toolkit's rules [API-065] [SIG-004] [SIG-005]: private members,
 * algorithms outside the closed set and malformed keys become API_KEY_INVALID.
 */
export function importPartnerJwk(value: unknown): ImportedKey {
  try {
    return importPublicJwk(value);
  } catch (error) {
    if (!isMiniAppError(error)) throw error;
    throw new ApiProblem('API_KEY_INVALID', error.message, {
      errors: [{ code: 'API_KEY_INVALID', message: error.message, location: { pointer: '/jwk' } }],
    });
  }
}

/** Every key of the partner, revoked ones included, oldest first. */
export async function listPartnerKeys(db: Queryable, partnerId: string): Promise<PartnerKeyView[]> {
  const { rows } = await db.query<KeyRow>(
    `select ${keyColumns} from partner_keys where partner_id = $1 order by created_at, keyid`,
    [partnerId],
  );
  return rows.map(view);
}

/**
 * Registers a public key under its thumbprint [API-066]. The same key again returns the stored one
 * (`created: false`); a key another partner registered is refused, since a keyid must name one owner.
 */
export async function registerPartnerKey(
  db: Queryable,
  partnerId: string,
  jwk: unknown,
  label: string | undefined,
): Promise<{ key: PartnerKeyView; created: boolean }> {
  const imported = importPartnerJwk(jwk);
  const inserted = await db.query<KeyRow>(
    `insert into partner_keys (keyid, partner_id, jwk, label) values ($1, $2, $3::jsonb, $4)
     on conflict (keyid) do nothing returning ${keyColumns}`,
    [imported.keyid, partnerId, JSON.stringify(imported.jwk), label ?? null],
  );
  const created = inserted.rows[0];
  if (created) return { key: view(created), created: true };
  const existing = await db.query<KeyRow>(
    `select ${keyColumns} from partner_keys where keyid = $1`,
    [imported.keyid],
  );
  const row = existing.rows[0];
  if (!row || row.partner_id !== partnerId) {
    throw new ApiProblem(
      'API_KEY_INVALID',
      'this key is registered to another partner; generate a key pair of your own',
    );
  }
  return { key: view(row), created: false };
}

/**
 * Revokes one of the partner's keys [API-067]: it signs no later upload, and the key joins the
 * revocations the next signed index lists. Revoking twice keeps the first time.
 */
export async function revokePartnerKey(
  db: Database,
  partnerId: string,
  keyId: string,
): Promise<PartnerKeyView> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<KeyRow>(
      `update partner_keys set revoked_at = coalesce(revoked_at, now())
        where keyid = $1 and partner_id = $2 returning ${keyColumns}`,
      [keyId, partnerId],
    );
    const row = rows[0];
    // [API-003] another partner's key is as unknown as a key that does not exist.
    if (!row) throw new ApiProblem('API_NOT_FOUND', `no key ${keyId} among your keys`);
    await tx.query(
      `insert into revocations (kind, value, reason) values ('key', $1, 'revoked by its partner')
       on conflict (kind, value) do nothing`,
      [keyId],
    );
    // [SIG-105] [API-106] the next index lists the key as revoked, whichever process signs it.
    await markTrustChanged(tx);
    return view(row);
  });
}
