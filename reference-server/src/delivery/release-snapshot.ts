import type { Queryable } from '../store/database.ts';
import type { ReleaseState } from './release-state.ts';
import type { CandidateRelease } from './update-selection.ts';

/** Revoked by the platform: the release envelope, or the partner key that signed the statement [SIG-066] [SIG-067]. */
export const revokedClause = `(exists (select 1 from revocations x where x.kind = 'release' and x.value = v.release_sha256)
  or exists (select 1 from revocations x where x.kind = 'key' and x.value = v.statement_keyid))`;

/** What update checks and bundle downloads need to know about every release. */
export interface ReleaseSet {
  /** Candidate releases by `${channel}\n${appId}`. */
  candidates: ReadonlyMap<string, readonly CandidateRelease[]>;
  /** `${appId}\n${versionCode}` of every revoked version, released or not. */
  revokedVersions: ReadonlySet<string>;
  /** Package digests a host may be sent: a non-revoked release exists for them [API-046]. */
  servableDigests: ReadonlySet<string>;
}

interface CandidateRow {
  app_id: string;
  channel: string;
  version_code: number;
  version: string;
  state: ReleaseState;
  rollout_percent: string;
  mandatory: boolean;
  min_host_version: string | null;
  package_sha256: string;
  package_length: number;
  revoked: boolean;
}

async function loadReleaseSet(db: Queryable): Promise<ReleaseSet> {
  const [candidates, revoked] = await Promise.all([
    db.query<CandidateRow>(
      `select r.app_id, r.channel, r.version_code, v.version, r.state, r.rollout_percent::text as rollout_percent,
              r.mandatory, v.manifest->>'minHostVersion' as min_host_version, v.package_sha256,
              v.package_length::float8 as package_length, ${revokedClause} as revoked
         from releases r join versions v on v.app_id = r.app_id and v.version_code = r.version_code
        where v.release_sha256 is not null`,
    ),
    db.query<{ app_id: string; version_code: number }>(
      `select v.app_id, v.version_code from versions v where ${revokedClause}`,
    ),
  ]);
  const byKey = new Map<string, CandidateRelease[]>();
  const servable = new Set<string>();
  for (const row of candidates.rows) {
    if (row.state !== 'revoked' && !row.revoked) servable.add(row.package_sha256);
    // A version without a readable minHostVersion cannot be shown to run anywhere, so it is never offered.
    if (row.min_host_version === null) continue;
    const key = `${row.channel}\n${row.app_id}`;
    const list = byKey.get(key) ?? [];
    list.push({
      versionCode: row.version_code,
      version: row.version,
      state: row.state,
      rolloutPercent: Number(row.rollout_percent),
      mandatory: row.mandatory,
      minHostVersion: row.min_host_version,
      revoked: row.revoked,
      sha256: row.package_sha256,
      length: row.package_length,
    });
    byKey.set(key, list);
  }
  return {
    candidates: byKey,
    revokedVersions: new Set(revoked.rows.map((r) => `${r.app_id}\n${String(r.version_code)}`)),
    servableDigests: servable,
  };
}

/**
 * The release set held in memory, so the hot paths (update checks, bundle downloads) cost no query.
 * It is rebuilt after any local change (the trust service's index-change signal) and at most `maxAgeMs`
 * after the last build, which bounds how long a change made by another server process goes unseen;
 * the contract lets hosts cache update answers for a minute anyway [API-032].
 */
export class ReleaseSnapshot {
  #current: { set: ReleaseSet; builtAt: number } | null = null;
  #building: Promise<ReleaseSet> | null = null;
  #generation = 0;

  constructor(
    private readonly db: Queryable,
    private readonly maxAgeMs = 2000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Drops the snapshot: the next reader rebuilds it from the store. */
  invalidate(): void {
    this.#generation++;
    this.#current = null;
  }

  async current(): Promise<ReleaseSet> {
    const now = this.clock();
    if (this.#current && now - this.#current.builtAt < this.maxAgeMs) return this.#current.set;
    if (!this.#building) {
      const generation = this.#generation;
      this.#building = loadReleaseSet(this.db)
        .then((set) => {
          // A change during the build makes this result stale; serve it once, but do not keep it.
          if (generation === this.#generation) this.#current = { set, builtAt: now };
          return set;
        })
        .finally(() => {
          this.#building = null;
        });
    }
    return this.#building;
  }
}
