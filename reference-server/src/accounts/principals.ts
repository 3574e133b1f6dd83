import type { components } from '#schemas/generated/distribution/openapi.ts';
import { formatTimestamp } from '#sdk/signing/index.ts';
import type { Queryable } from '../store/database.ts';
import { createAccount, createPartner, issueCredential } from './credential-issuer.ts';
import { partnerById } from './partners.ts';

type PrincipalRequest = components['schemas']['PrincipalRequest'];
export type PrincipalView = components['schemas']['Principal'];

/** Credentials made here expire after a day unless asked otherwise [API-171]. */
const defaultTtlSeconds = 24 * 60 * 60;

/** Whole seconds, as every timestamp of the contract. */
function secondsFromNow(now: Date, seconds: number): Date {
  return new Date(Math.floor(now.getTime() / 1000) * 1000 + seconds * 1000);
}

/**
 * Creates one principal of POST /v1/admin/principals [API-170]: a partner, or an account or host
 * identity with a fresh bearer credential, stored as its SHA-256 and answered this once [API-171].
 * A `test` mark is what the sandbox payment provider looks at [API-058] [API-172].
 */
export async function createPrincipal(
  db: Queryable,
  request: PrincipalRequest,
  now = new Date(),
): Promise<PrincipalView> {
  const createdAt = formatTimestamp(now);
  if (request.kind === 'partner') {
    const test = request.test ?? false;
    const partnerId = await createPartner(db, request.name, undefined, { test });
    return { kind: 'partner', partnerId, name: request.name, test, createdAt };
  }
  const expiresAt = secondsFromNow(now, request.ttlSeconds ?? defaultTtlSeconds);
  const credentialOf = (issued: { id: string; token: string }) => ({
    credentialId: issued.id,
    token: issued.token,
    expiresAt: formatTimestamp(expiresAt),
  });
  if (request.kind === 'partnerSession' || request.kind === 'reviewer') {
    // 404 for a partner that does not exist [API-003]; sessions take the partner's test mark.
    const partner =
      request.partnerId === undefined ? null : await partnerById(db, request.partnerId);
    const role = request.kind === 'partnerSession' ? 'partner' : 'reviewer';
    const name =
      request.name ?? (role === 'partner' ? `${partner?.name ?? ''} developer` : 'Reviewer');
    const accountId = await createAccount(db, {
      role,
      name,
      // A reviewer's partner travels on the session: the account table keeps partners for partner roles.
      ...(role === 'partner' && partner ? { partnerId: partner.partnerId } : {}),
    });
    const test = partner?.test ?? false;
    const issued = await issueCredential(db, {
      kind: 'session',
      accountId,
      ...(partner ? { partnerId: partner.partnerId } : {}),
      label: `${role} session (admin)`,
      expiresAt,
      test,
    });
    return {
      kind: request.kind,
      accountId,
      ...(partner ? { partnerId: partner.partnerId } : {}),
      name,
      test,
      createdAt,
      credential: credentialOf(issued),
    };
  }
  const test = request.test ?? false;
  if (request.kind === 'hostDevice') {
    const issued = await issueCredential(db, {
      kind: 'host_device',
      subject: request.deviceId,
      label: 'host device (admin)',
      expiresAt,
      test,
    });
    return {
      kind: 'hostDevice',
      deviceId: request.deviceId,
      test,
      createdAt,
      credential: credentialOf(issued),
    };
  }
  const issued = await issueCredential(db, {
    kind: 'host_user',
    subject: request.userId,
    label: 'host user (admin)',
    expiresAt,
    test,
  });
  return {
    kind: 'hostUser',
    userId: request.userId,
    test,
    createdAt,
    credential: credentialOf(issued),
  };
}
