import type { operations } from '#schemas/generated/distribution/openapi.ts';
import { utcTimestamp } from '../accounts/timestamp-column.ts';
import type { Principal } from '../http/authentication.ts';
import type { Queryable } from '../store/database.ts';

export type AuditEntry =
  operations['listAuditEntries']['responses']['200']['content']['application/json']['items'][number];

/** Who an audit entry names [API-080]: the role the action was taken in and the credential's id. */
export type AuditPrincipal = AuditEntry['principal'];

/**
 * The audit principal of a caller. The id is the credential's, so that an entry names the same
 * principalId that POST /v1/admin/principals answered [API-151]; an admin acts as admin (revocations),
 * everyone else who may change a release acts for a partner (portal session or partner API key).
 */
export function auditPrincipal(principal: Principal): AuditPrincipal {
  return {
    role: principal.role === 'admin' ? 'admin' : 'partner',
    principalId: principal.credentialId,
  };
}

interface AuditRow {
  id: string;
  at: string;
  role: AuditPrincipal['role'];
  principal: string;
  action: AuditEntry['action'];
  app_id: string;
  version_code: number;
  release_id: string;
  from_state: AuditEntry['from'];
  to_state: AuditEntry['to'];
}

/**
 * One page of the audit log [API-158], oldest first, after the entry id `after`. Entries are ordered
 * by their serial id: every audited change first updates the one trust_state row (markTrustChanged),
 * whose lock it holds until commit, so ids are handed out in commit order and a later entry can never
 * appear before one a reader has already seen [API-159].
 */
export async function listAuditEntries(
  db: Queryable,
  filter: { appId: string | null; after: string | null; limit: number },
): Promise<{ items: AuditEntry[]; last: string | null }> {
  const { rows } = await db.query<AuditRow>(
    `select e.id::text as id, ${utcTimestamp('e.at')} as at,
            coalesce(e.principal_role, case when e.action = 'revoke' then 'admin' else 'partner' end) as role,
            e.principal, e.action, e.app_id, r.version_code, e.release_id, e.from_state, e.to_state
       from release_events e join releases r on r.id = e.release_id
      where ($1::text is null or e.app_id = $1) and ($2::bigint is null or e.id > $2::bigint)
      order by e.id limit $3`,
    [filter.appId, filter.after, filter.limit + 1],
  );
  const page = rows.slice(0, filter.limit);
  return {
    items: page.map((row) => ({
      at: row.at,
      principal: { role: row.role, principalId: row.principal },
      action: row.action,
      appId: row.app_id,
      versionCode: row.version_code,
      releaseId: row.release_id,
      from: row.from_state,
      to: row.to_state,
    })),
    last: rows.length > filter.limit ? (page.at(-1)?.id ?? null) : null,
  };
}
