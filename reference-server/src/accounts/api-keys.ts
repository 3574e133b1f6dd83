import { ApiProblem } from '../http/problem.ts';
import type { Queryable } from '../store/database.ts';
import { issueCredential } from './credential-issuer.ts';
import { utcTimestamp } from './timestamp-column.ts';

/** A CI API key as the contract's `ApiKey` schema shows it: never its secret [API-005]. */
export interface ApiKeyView {
  apiKeyId: string;
  label: string;
  prefix: string;
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
}

interface ApiKeyRow {
  id: string;
  label: string | null;
  secret_prefix: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

const columns = `id, label, secret_prefix, ${utcTimestamp('created_at')} as created_at,
  case when expires_at is null then null else ${utcTimestamp('expires_at')} end as expires_at,
  case when revoked_at is null then null else ${utcTimestamp('revoked_at')} end as revoked_at`;

function view(row: ApiKeyRow): ApiKeyView {
  return {
    apiKeyId: row.id,
    label: row.label ?? '',
    prefix: row.secret_prefix ?? '',
    createdAt: row.created_at,
    ...(row.expires_at === null ? {} : { expiresAt: row.expires_at }),
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at }),
  };
}

async function apiKeyById(db: Queryable, partnerId: string, id: string): Promise<ApiKeyView> {
  const { rows } = await db.query<ApiKeyRow>(
    `select ${columns} from credentials where id = $1 and partner_id = $2 and kind = 'api_key'`,
    [id, partnerId],
  );
  const row = rows[0];
  if (!row) throw new ApiProblem('API_NOT_FOUND', `no API key ${id} among your keys`);
  return view(row);
}

/**
 * Creates an API key bound to the partner [API-004]: the secret is returned here and only here, and
 * stored as its SHA-256 [API-005].
 */
export async function createApiKey(
  db: Queryable,
  partnerId: string,
  label: string,
  expiresAt: Date | undefined,
  now: Date,
): Promise<{ apiKey: ApiKeyView; secret: string }> {
  if (expiresAt && expiresAt.getTime() <= now.getTime()) {
    throw new ApiProblem('API_VALIDATION_FAILED', 'expiresAt must lie in the future', {
      errors: [
        {
          code: 'API_VALIDATION_FAILED',
          message: 'expiresAt is not in the future',
          location: { pointer: '/expiresAt' },
        },
      ],
    });
  }
  const issued = await issueCredential(db, {
    kind: 'api_key',
    partnerId,
    label,
    ...(expiresAt ? { expiresAt } : {}),
  });
  return { apiKey: await apiKeyById(db, partnerId, issued.id), secret: issued.token };
}

/** The partner's API keys, newest first, without secrets. */
export async function listApiKeys(db: Queryable, partnerId: string): Promise<ApiKeyView[]> {
  const { rows } = await db.query<ApiKeyRow>(
    `select ${columns} from credentials where partner_id = $1 and kind = 'api_key'
      order by created_at desc, id`,
    [partnerId],
  );
  return rows.map(view);
}

/** Revokes one of the partner's API keys; it is refused with 401 from then on [API-007]. */
export async function revokeApiKey(
  db: Queryable,
  partnerId: string,
  apiKeyId: string,
): Promise<ApiKeyView> {
  const { rows } = await db.query<ApiKeyRow>(
    `update credentials set revoked_at = coalesce(revoked_at, now())
      where id = $1 and partner_id = $2 and kind = 'api_key' returning ${columns}`,
    [apiKeyId, partnerId],
  );
  const row = rows[0];
  // [API-003] another partner's key is as unknown as a key that does not exist.
  if (!row) throw new ApiProblem('API_NOT_FOUND', `no API key ${apiKeyId} among your keys`);
  return view(row);
}
