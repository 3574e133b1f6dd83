import type { operations } from '#schemas/generated/distribution/openapi.ts';
import { formatTimestamp } from '#sdk/signing/index.ts';
import type { CredentialKind } from '../http/authentication.ts';
import { ApiProblem } from '../http/problem.ts';
import type { Queryable } from '../store/database.ts';
import { createAccount, issueCredential, newId } from './credential-issuer.ts';
import { partnerById } from './partners.ts';

type PrincipalRequest = operations['createPrincipal']['requestBody']['content']['application/json'];
export type PrincipalView =
  operations['createPrincipal']['responses']['201']['content']['application/json'];
export type RevokedPrincipalView =
  operations['revokePrincipal']['responses']['200']['content']['application/json'];
type Role = PrincipalRequest['role'];

/** A credential made here lives an hour unless asked otherwise [API-155]. */
const defaultExpiresInSeconds = 3600;

/** The credential kind that carries each role, and how the role is read back from a row. */
const credentialKinds: Record<Role, CredentialKind> = {
  partner: 'session',
  reviewer: 'session',
  hostDevice: 'host_device',
  hostUser: 'host_user',
};

/** Labels mark the rows this route made, so that revocation touches nothing else [API-155]. */
const labels: Record<Role, string> = {
  partner: 'test principal: partner',
  reviewer: 'test principal: reviewer',
  hostDevice: 'test principal: hostDevice',
  hostUser: 'test principal: hostUser',
};
const roleOfLabel = new Map(Object.entries(labels).map(([role, label]) => [label, role as Role]));

const missingPartnerId = {
  code: 'API_VALIDATION_FAILED' as const,
  message: 'partnerId is required for role partner',
  location: { pointer: '/partnerId' },
};

/** Whole seconds, as every timestamp of the contract. */
function secondsFromNow(now: Date, seconds: number): Date {
  return new Date(Math.floor(now.getTime() / 1000) * 1000 + seconds * 1000);
}

/**
 * Creates one principal of POST /v1/admin/principals [API-151]: a portal session for a partner or a
 * reviewer, a host device credential or a host user session, whose secret is stored only as its
 * SHA-256 and answered this once.
 */
export async function createPrincipal(
  db: Queryable,
  request: PrincipalRequest,
  now = new Date(),
): Promise<PrincipalView> {
  const { role } = request;
  // [API-152] a partner session acts for a partner, so it must name one.
  if (role === 'partner' && request.partnerId === undefined) {
    throw new ApiProblem(
      'API_VALIDATION_FAILED',
      'a principal of role partner acts for a partner: add partnerId, the id of an existing partner',
      { errors: [missingPartnerId] },
    );
  }
  const partner =
    request.partnerId === undefined || role === 'hostDevice' || role === 'hostUser'
      ? null
      : await partnerById(db, request.partnerId);
  const expiresAt = secondsFromNow(now, request.expiresInSeconds ?? defaultExpiresInSeconds);
  // [API-154] a partner session takes its partner's test mark; host principals take the request's.
  const test =
    role === 'hostDevice' || role === 'hostUser'
      ? (request.test ?? false)
      : role === 'partner'
        ? (partner?.test ?? false)
        : false;
  let accountId: string | undefined;
  let subject: string | undefined;
  if (role === 'partner' || role === 'reviewer') {
    accountId = await createAccount(db, {
      role,
      name: role === 'partner' ? `${partner?.name ?? ''} developer (test principal)` : 'Reviewer',
      // [API-153] a reviewer's partner travels on the session: accounts keep partners for partner roles.
      ...(role === 'partner' && partner ? { partnerId: partner.partnerId } : {}),
    });
  } else {
    // [API-173] a device credential serves any device id; a user session names a pseudonymous user.
    subject = newId(role === 'hostDevice' ? 'dev' : 'usr');
  }
  const issued = await issueCredential(db, {
    kind: credentialKinds[role],
    ...(accountId ? { accountId } : {}),
    ...(partner ? { partnerId: partner.partnerId } : {}),
    ...(subject ? { subject } : {}),
    label: labels[role],
    expiresAt,
    test,
  });
  return {
    principalId: issued.id,
    role,
    ...(partner ? { partnerId: partner.partnerId } : {}),
    test,
    credential: issued.token,
    expiresAt: formatTimestamp(expiresAt),
  };
}

/**
 * Revokes a credential made by createPrincipal [API-155]; 404 for any other id, so that this route
 * cannot revoke partner API keys or the admin's own session. Revoking twice answers the same object.
 */
export async function revokePrincipal(
  db: Queryable,
  principalId: string,
): Promise<RevokedPrincipalView> {
  const { rows } = await db.query<{
    label: string | null;
    partner_id: string | null;
    test: boolean;
    expires_at: Date | string;
  }>(
    `update credentials set revoked_at = coalesce(revoked_at, now())
      where id = $1 and label = any($2::text[])
      returning label, partner_id, test, expires_at`,
    [principalId, Object.values(labels)],
  );
  const row = rows[0];
  const role = row?.label ? roleOfLabel.get(row.label) : undefined;
  if (!row || !role) {
    throw new ApiProblem(
      'API_NOT_FOUND',
      `no principal ${principalId} was created through POST /v1/admin/principals`,
    );
  }
  return {
    principalId,
    role,
    ...(row.partner_id && role !== 'hostDevice' && role !== 'hostUser'
      ? { partnerId: row.partner_id }
      : {}),
    test: row.test,
    expiresAt: formatTimestamp(new Date(row.expires_at)),
  };
}
