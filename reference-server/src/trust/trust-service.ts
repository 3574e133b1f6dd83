import {
  createIndex,
  createRelease,
  maxIndexLifetimeMs,
  type Release,
  type SignedDocument,
} from '#sdk/signing/index.ts';
import { servableReleases } from '../releases/servable-releases.ts';
import type { TrustService } from '../services.ts';
import type { Database } from '../store/database.ts';
import type { PlatformKeys } from './platform-keys.ts';

/** How long a fresh index is valid, and how early before expiry it is replaced [API-039] [SIG-061]. */
export const indexLifetimeMs = 6 * 60 * 60 * 1000;
const refreshMarginMs = 60 * 60 * 1000;
/** Release metadata stays valid a year; the short-lived index, not this, bounds freeze attacks [SIG-032]. */
const releaseLifetimeMs = 365 * 24 * 60 * 60 * 1000;

interface CachedIndex {
  version: number;
  bytes: Uint8Array;
  expires: Date;
}

/**
 * The platform side of spec/signing.md on top of the store: roots from the trust directory, an index
 * re-signed whenever releases or revocations change, and countersignatures made at approval.
 */
export function createTrustService(
  db: Database,
  keys: PlatformKeys,
  clock: () => Date = () => new Date(),
): TrustService {
  if (maxIndexLifetimeMs < indexLifetimeMs)
    throw new Error('index lifetime exceeds the spec maximum');
  let cached: CachedIndex | null = null;
  const listeners = new Set<() => void>();
  let stale = true;
  let signing: Promise<CachedIndex> | null = null;

  async function signIndex(): Promise<CachedIndex> {
    // The version comes from the store inside one transaction, so two servers never reuse a version [SIG-062].
    return db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(74202)');
      const releases = await servableReleases(tx);
      const revoked = await tx.query<{ kind: string; value: string }>(
        'select kind, value from revocations order by kind, value',
      );
      const last = await tx.query<{ version: number }>(
        'select coalesce(max(version), 0)::integer as version from signed_indexes',
      );
      const version = (last.rows[0]?.version ?? 0) + 1;
      const issuedAt = clock();
      const expires = new Date(issuedAt.getTime() + indexLifetimeMs);
      const signed = createIndex(
        {
          version,
          issuedAt,
          expires,
          releases,
          revokedReleases: revoked.rows.filter((r) => r.kind === 'release').map((r) => r.value),
          revokedKeys: revoked.rows.filter((r) => r.kind === 'key').map((r) => r.value),
        },
        keys.index,
      );
      await tx.query(
        'insert into signed_indexes (version, envelope, expires_at) values ($1, $2, $3)',
        [version, Buffer.from(signed.bytes), expires],
      );
      return { version, bytes: signed.bytes, expires };
    });
  }

  return {
    async currentRoot() {
      const latest = keys.roots.at(-1);
      if (!latest) throw new Error('no trust root');
      return latest;
    },
    async rootByVersion(version) {
      return keys.roots.find((r) => r.version === version)?.bytes ?? null;
    },
    async currentIndex() {
      const now = clock().getTime();
      if (cached && !stale && cached.expires.getTime() - now > refreshMarginMs) return cached;
      // One signing at a time; concurrent readers share its result.
      signing ??= signIndex().finally(() => {
        signing = null;
      });
      stale = false;
      cached = await signing;
      return cached;
    },
    indexChanged() {
      for (const listener of listeners) listener();
      stale = true;
    },
    onIndexChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async countersign({
      statement,
      minHostVersion,
      permissions,
      url,
    }): Promise<SignedDocument<Release>> {
      const issuedAt = clock();
      return createRelease(
        {
          statement,
          minHostVersion,
          permissions,
          // The signed URL is only a hint and must be https [SIG-040]; a plain-http development server
          // leaves it out, and hosts download from the update check's packageUrl by digest instead.
          ...(url.startsWith('https://') ? { url } : {}),
          issuedAt,
          expires: new Date(issuedAt.getTime() + releaseLifetimeMs),
        },
        keys.release,
      );
    },
  };
}
