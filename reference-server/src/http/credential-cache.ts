import type { Queryable } from '../store/database.ts';
import type { CredentialKind, Role } from './authentication.ts';

/** A credential as the store knows it, minus the secret. */
export interface CredentialRecord {
  id: string;
  kind: CredentialKind;
  accountId: string | null;
  role: Role | null;
  partnerId: string | null;
  subject: string | null;
  /** Milliseconds since the epoch, or null for no expiry. */
  expiresAt: number | null;
  revoked: boolean;
}

/** Taken before a store lookup, so its result is aged from the read and dropped if a revocation came. */
export interface LookupTicket {
  readonly epoch: number;
  readonly at: number;
}

/** The PostgreSQL channel on which a process announces that it revoked a credential [API-094]. */
export const credentialChannel = 'miniapp_credentials';

/**
 * Recently seen credentials, by the SHA-256 of their secret, so that hot routes (update checks, bundle
 * downloads) do not query the store on every request. An entry lives at most `maxAgeMs` [API-094],
 * counted from before the lookup that read it; expiry is judged at each use; a revocation made by this
 * process, or announced by another on `credentialChannel`, empties the cache at once [API-007], and a
 * lookup already under way then is not kept. Unknown secrets are never cached, so guessing cannot
 * fill it.
 */
export class CredentialCache {
  readonly #entries = new Map<string, { record: CredentialRecord; cachedAt: number }>();
  #epoch = 0;

  constructor(
    readonly maxAgeMs = 5000,
    private readonly maxEntries = 20_000,
    private readonly clock: () => number = Date.now,
  ) {}

  get(digest: string): CredentialRecord | null {
    const entry = this.#entries.get(digest);
    if (!entry) return null;
    if (this.clock() - entry.cachedAt >= this.maxAgeMs) {
      this.#entries.delete(digest);
      return null;
    }
    return entry.record;
  }

  /** Call before reading a credential from the store; pass the ticket to set(). */
  ticket(): LookupTicket {
    return { epoch: this.#epoch, at: this.clock() };
  }

  set(digest: string, record: CredentialRecord, ticket: LookupTicket = this.ticket()): void {
    if (this.maxAgeMs <= 0) return;
    // A revocation arrived while the lookup ran: what it read may be the credential before it.
    if (ticket.epoch !== this.#epoch) return;
    // Oldest first out: Map keeps insertion order.
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(digest, { record, cachedAt: ticket.at });
  }

  /** Drops every entry: call after revoking any credential, or on another process's announcement. */
  forget(): void {
    this.#epoch++;
    this.#entries.clear();
  }
}

/**
 * Tells every process of the deployment that a credential was revoked, after the revocation committed,
 * so their caches drop it at once rather than when the entry ages out [API-094]. A failed announcement
 * loses nothing the spec asks for: the others still refuse the credential within `maxAgeMs`.
 */
export async function announceCredentialRevoked(db: Queryable): Promise<void> {
  await db.query('select pg_notify($1, $2)', [credentialChannel, '']).catch(() => undefined);
}
