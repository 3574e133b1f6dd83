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

/**
 * Recently seen credentials, by the SHA-256 of their secret, so that hot routes (update checks, bundle
 * downloads) do not query the store on every request. An entry lives at most `maxAgeMs` [API-094];
 * expiry is judged at each use; a revocation made by this process empties the cache at once [API-007].
 * Unknown secrets are never cached, so guessing cannot fill it.
 */
export class CredentialCache {
  readonly #entries = new Map<string, { record: CredentialRecord; cachedAt: number }>();

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

  set(digest: string, record: CredentialRecord): void {
    if (this.maxAgeMs <= 0) return;
    // Oldest first out: Map keeps insertion order.
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(digest, { record, cachedAt: this.clock() });
  }

  /** Drops every entry: call after revoking any credential. */
  forget(): void {
    this.#entries.clear();
  }
}
