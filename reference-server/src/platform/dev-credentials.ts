import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createAccount,
  issueCredential,
  type IssuedCredential,
} from '../accounts/credential-issuer.ts';
import { secretDigest, type CredentialKind, type Role } from '../http/authentication.ts';
import type { Queryable } from '../store/database.ts';

/** The bearer secrets a developer needs to try every role of a freshly started platform. */
export interface DevCredentials {
  admin: string;
  reviewer: string;
  /** A portal session of the examples partner's developer. */
  partner: string;
  hostDevice: { token: string; deviceId: string };
  hostUser: { token: string; userId: string };
}

/** The file under DATA_DIR that keeps the development credentials between starts. */
export function devCredentialsFile(dataDir: string): string {
  return path.join(dataDir, 'dev-credentials.json');
}

/** Portal sessions and host user credentials last this long; a restart renews them when they run short. */
const sessionTtlSeconds = 30 * 24 * 60 * 60;
const renewWithinSeconds = 24 * 60 * 60;

/** The names that mark the development accounts, so a restart finds them instead of adding more. */
export const devAccountNames = {
  admin: 'Development admin',
  reviewer: 'Development reviewer',
  partner: 'Examples developer',
} as const;

/** The development account of a role (and partner), created on first use. */
export async function ensureDevAccount(
  db: Queryable,
  role: Role,
  partnerId?: string,
): Promise<string> {
  const name = devAccountNames[role];
  const { rows } = await db.query<{ id: string }>(
    `select id from accounts where role = $1 and name = $2 and partner_id is not distinct from $3
      order by created_at limit 1`,
    [role, name, partnerId ?? null],
  );
  return rows[0]?.id ?? createAccount(db, { role, name, ...(partnerId ? { partnerId } : {}) });
}

/** What a stored secret must still be to be handed out again. */
interface Holder {
  kind: CredentialKind;
  accountId?: string;
  subject?: string;
  /** A test principal, allowed the sandbox payment provider [API-058]. */
  test?: boolean;
}

/**
 * The stored secret when it still authenticates as the same holder for at least another day,
 * otherwise a newly issued one. Only the SHA-256 is looked up, as authentication does [API-005].
 */
export async function reuseOrIssue(
  db: Queryable,
  stored: string | undefined,
  holder: Holder,
): Promise<{ token: string; issued: boolean }> {
  if (stored) {
    const { rows } = await db.query<{ id: string }>(
      `select id from credentials
        where secret_sha256 = $1 and kind = $2 and revoked_at is null
          and account_id is not distinct from $3 and subject is not distinct from $4
          and (expires_at is null or expires_at > now() + make_interval(secs => $5::integer))
          and test = $6`,
      [
        secretDigest(stored),
        holder.kind,
        holder.accountId ?? null,
        holder.subject ?? null,
        renewWithinSeconds,
        holder.test ?? false,
      ],
    );
    if (rows.length > 0) return { token: stored, issued: false };
  }
  const credential: IssuedCredential = await issueCredential(db, {
    kind: holder.kind,
    ...(holder.accountId ? { accountId: holder.accountId } : {}),
    ...(holder.subject ? { subject: holder.subject } : {}),
    label: 'development (npm start)',
    ...(holder.test ? { test: true } : {}),
    // A host device credential has no expiry, like an installed host's; the others do.
    ...(holder.kind === 'host_device' ? {} : { ttlSeconds: sessionTtlSeconds }),
  });
  return { token: credential.token, issued: true };
}

/** A new random device pseudonym in the shape update checks accept [API-082]. */
export function newDevDeviceId(): string {
  return `dev-device-${randomBytes(12).toString('hex')}`;
}

/** The stored credentials, or an empty object when the file is missing or unreadable. */
export async function readDevCredentials(dataDir: string): Promise<Partial<DevCredentials>> {
  try {
    const parsed = JSON.parse(await readFile(devCredentialsFile(dataDir), 'utf8')) as {
      credentials?: Partial<DevCredentials>;
    };
    return typeof parsed.credentials === 'object' && parsed.credentials !== null
      ? parsed.credentials
      : {};
  } catch {
    // A damaged file is replaced by fresh credentials rather than stopping the start.
    return {};
  }
}

/** Writes the credentials readable by the owner only (0600), replacing the file atomically. */
export async function writeDevCredentials(
  dataDir: string,
  credentials: DevCredentials,
): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const file = devCredentialsFile(dataDir);
  const partial = `${file}.${process.pid}.partial`;
  const document = {
    notice:
      'DEVELOPMENT credentials created by npm start for the seeded example platform. Never use them in production.',
    credentials,
  };
  await writeFile(partial, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
  // The mode given to writeFile is masked by the umask; chmod makes 0600 certain.
  await chmod(partial, 0o600);
  await rename(partial, file);
}
