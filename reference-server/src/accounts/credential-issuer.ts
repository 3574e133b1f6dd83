import { randomBytes, randomUUID } from 'node:crypto';
import { secretDigest, type CredentialKind, type Role } from '../http/authentication.ts';
import type { Queryable } from '../store/database.ts';

/** A new random identifier with a readable prefix, e.g. `ptn_3f9c…`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}

const tokenPrefixes: Record<CredentialKind, string> = {
  session: 'mas',
  api_key: 'mak',
  host_device: 'mhd',
  host_user: 'mhu',
};

/** The first characters of a secret, enough to recognise it and far too few to guess the rest [API-005]. */
export function secretPrefix(token: string): string {
  return token.slice(0, 12);
}

export interface IssuedCredential {
  id: string;
  /** The bearer secret: shown once, stored only as its SHA-256 [API-005]. */
  token: string;
}

/** Issues a bearer credential of any kind. */
export async function issueCredential(
  db: Queryable,
  options: {
    kind: CredentialKind;
    accountId?: string;
    partnerId?: string;
    subject?: string;
    label?: string;
    ttlSeconds?: number;
    /** An absolute expiry; wins over ttlSeconds. */
    expiresAt?: Date;
    /** A test principal, allowed the sandbox payment provider [API-058]. */
    test?: boolean;
  },
): Promise<IssuedCredential> {
  const id = newId('cred');
  const token = `${tokenPrefixes[options.kind]}_${randomBytes(32).toString('base64url')}`;
  await db.query(
    `insert into credentials (id, kind, secret_sha256, account_id, partner_id, subject, label, expires_at, test, secret_prefix)
     values ($1, $2, $3, $4, $5, $6, $7,
             case when $9::timestamptz is not null then $9::timestamptz
                  when $8::integer is null then null
                  else now() + make_interval(secs => $8::integer) end,
             $10, $11)`,
    [
      id,
      options.kind,
      secretDigest(token),
      options.accountId ?? null,
      options.partnerId ?? null,
      options.subject ?? null,
      options.label ?? null,
      options.ttlSeconds ?? null,
      options.expiresAt?.toISOString() ?? null,
      options.test ?? false,
      secretPrefix(token),
    ],
  );
  return { id, token };
}

/** Admits a partner; `test` partners may take sandbox payments in their apps [API-058]. */
export async function createPartner(
  db: Queryable,
  name: string,
  id = newId('ptn'),
  options: { test?: boolean } = {},
): Promise<string> {
  await db.query('insert into partners (id, name, test) values ($1, $2, $3)', [
    id,
    name,
    options.test ?? false,
  ]);
  return id;
}

export async function createAccount(
  db: Queryable,
  options: { role: Role; name: string; partnerId?: string },
): Promise<string> {
  const id = newId('acc');
  await db.query('insert into accounts (id, role, partner_id, name) values ($1, $2, $3, $4)', [
    id,
    options.role,
    options.partnerId ?? null,
    options.name,
  ]);
  return id;
}
