import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ContractOperation } from '#schemas';
import type { Queryable } from '../store/database.ts';
import type { CredentialCache, CredentialRecord } from './credential-cache.ts';
import { ApiProblem } from './problem.ts';

export type CredentialKind = 'session' | 'api_key' | 'host_device' | 'host_user';
export type Role = 'partner' | 'reviewer' | 'admin';

/** Who is calling, resolved from the bearer credential [API-001] [API-002]. */
export interface Principal {
  credentialId: string;
  kind: CredentialKind;
  accountId: string | null;
  role: Role | null;
  partnerId: string | null;
  /** Device id for host_device credentials, user id for host_user credentials. */
  subject: string | null;
}

/** The OpenAPI security scheme each credential kind satisfies. */
const schemeKinds: Record<string, CredentialKind> = {
  portal: 'session',
  partnerKey: 'api_key',
  hostDevice: 'host_device',
  hostUser: 'host_user',
};

export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{16,512})$/.exec(header);
  return match?.[1] ?? null;
}

const unauthenticated = (detail: string): ApiProblem =>
  new ApiProblem('API_UNAUTHENTICATED', detail, {
    headers: { 'www-authenticate': 'Bearer realm="openminiapp"' },
  });

/**
 * Checks the caller against the operation's security alternatives: any one alternative satisfied is
 * enough; an unknown, expired or revoked credential is 401, a known one without the role is 403.
 */
export async function authenticate(
  db: Queryable,
  cache: CredentialCache,
  request: FastifyRequest,
  operation: ContractOperation,
): Promise<Principal | null> {
  if (
    operation.security.length === 0 ||
    operation.security.some((alt) => Object.keys(alt).length === 0)
  )
    return null;
  const token = bearer(request);
  if (!token) throw unauthenticated('this operation needs an Authorization: Bearer credential');
  const digest = secretDigest(token);
  const credential = cache.get(digest) ?? (await lookUp(db, cache, digest));
  if (
    !credential ||
    credential.revoked ||
    (credential.expiresAt !== null && credential.expiresAt <= Date.now())
  ) {
    throw unauthenticated('the credential is unknown, expired or revoked');
  }
  const principal: Principal = {
    credentialId: credential.id,
    kind: credential.kind,
    accountId: credential.accountId,
    role: credential.role,
    partnerId: credential.partnerId,
    subject: credential.subject,
  };
  const allowed = operation.security.some((alternative) =>
    Object.entries(alternative).every(([scheme, roles]) => {
      if (schemeKinds[scheme] !== principal.kind) return false;
      return roles.length === 0 || (principal.role !== null && roles.includes(principal.role));
    }),
  );
  if (!allowed)
    throw new ApiProblem(
      'API_FORBIDDEN',
      `a ${principal.role ?? principal.kind} credential may not call ${operation.operationId}`,
    );
  return principal;
}

async function lookUp(
  db: Queryable,
  cache: CredentialCache,
  digest: string,
): Promise<CredentialRecord | null> {
  // Taken first: an entry is aged from before the read, and dropped if a revocation came meanwhile.
  const ticket = cache.ticket();
  const { rows } = await db.query<{
    id: string;
    kind: CredentialKind;
    account_id: string | null;
    role: Role | null;
    partner_id: string | null;
    subject: string | null;
    expires_at: Date | null;
    revoked: boolean;
  }>(
    `select c.id, c.kind, c.account_id, a.role, coalesce(c.partner_id, a.partner_id) as partner_id, c.subject,
            c.expires_at, (c.revoked_at is not null) as revoked
       from credentials c left join accounts a on a.id = c.account_id
      where c.secret_sha256 = $1`,
    [digest],
  );
  const row = rows[0];
  if (!row) return null;
  const record: CredentialRecord = {
    id: row.id,
    kind: row.kind,
    accountId: row.account_id,
    role: row.role,
    partnerId: row.partner_id,
    subject: row.subject,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at).getTime(),
    revoked: row.revoked,
  };
  cache.set(digest, record, ticket);
  return record;
}
