import type { AppEntry } from '#sdk/signing/index.ts';
import type { TrustService } from '../services.ts';
import type { Queryable } from '../store/database.ts';
import type { PublishedIndex } from '../trust/trust-service.ts';

/** What an offer needs beyond the bin entry: the version's name and package [API-026]. */
export interface VersionFacts {
  version: string;
  packageSha256: string;
  packageLength: number;
  releaseSha256: string;
  statementKeyid: string;
}

/** What update checks and bundle downloads need, all derived from one published index. */
export interface ReleaseSet {
  /** The index this set follows [API-107]. */
  indexVersion: number;
  /** The app's entry in that index's bins. */
  entry(appId: string): AppEntry | null;
  /** Facts of a countersigned version of a listed app, by `${appId}\n${versionCode}`. */
  versions: ReadonlyMap<string, VersionFacts>;
  /** `${appId}\n${versionCode}` of every version the entries revoke (envelope or statement key). */
  revokedVersions: ReadonlySet<string>;
  /** Package digests of the releases the entries pin: what a host may be sent [API-046]. */
  servableDigests: ReadonlySet<string>;
}

async function buildReleaseSet(db: Queryable, index: PublishedIndex): Promise<ReleaseSet> {
  const appIds = [...index.bins.values()].flatMap((bin) => Object.keys(bin.payload.apps));
  const { rows } = await db.query<{
    app_id: string;
    version_code: number;
    version: string;
    package_sha256: string;
    package_length: number;
    release_sha256: string;
    statement_keyid: string;
  }>(
    `select app_id, version_code, version, package_sha256, package_length::float8 as package_length,
            release_sha256, statement_keyid
       from versions where release_sha256 is not null and app_id = any($1::text[])`,
    [appIds],
  );
  const versions = new Map<string, VersionFacts>();
  const revokedVersions = new Set<string>();
  const servableDigests = new Set<string>();
  for (const row of rows) {
    const key = `${row.app_id}\n${String(row.version_code)}`;
    versions.set(key, {
      version: row.version,
      packageSha256: row.package_sha256,
      packageLength: row.package_length,
      releaseSha256: row.release_sha256,
      statementKeyid: row.statement_keyid,
    });
    const entry = index.entry(row.app_id);
    if (!entry) continue;
    // [SIG-066] [SIG-067] the same reading of the entry that a host makes.
    if (
      entry.revokedReleases.includes(row.release_sha256) ||
      entry.revokedKeys.includes(row.statement_keyid)
    )
      revokedVersions.add(key);
    if (entry.releases.some((r) => r.sha256 === row.release_sha256))
      servableDigests.add(row.package_sha256);
  }
  return {
    indexVersion: index.version,
    entry: (appId) => index.entry(appId),
    versions,
    revokedVersions,
    servableDigests,
  };
}

/**
 * The release set held in memory, so the hot paths (update checks, bundle downloads) cost no query.
 * It is derived from the index the process serves and rebuilt whenever that index changes, so an
 * update check answers exactly what the signed bins say [API-100] and follows other processes within
 * the bound the index does [API-107].
 */
export class ReleaseSnapshot {
  #built: ReleaseSet | null = null;
  #building: { indexVersion: number; promise: Promise<ReleaseSet> } | null = null;

  constructor(
    private readonly db: Queryable,
    private readonly trust: Pick<TrustService, 'currentIndex'>,
  ) {}

  async current(): Promise<ReleaseSet> {
    const index = await this.trust.currentIndex();
    if (this.#built && this.#built.indexVersion === index.version) return this.#built;
    if (this.#building?.indexVersion !== index.version) {
      const building = {
        indexVersion: index.version,
        promise: buildReleaseSet(this.db, index).then((set) => {
          // A newer index adopted meanwhile keeps its own set.
          if (!this.#built || this.#built.indexVersion <= set.indexVersion) this.#built = set;
          return set;
        }),
      };
      this.#building = building;
      void building.promise
        .finally(() => {
          if (this.#building === building) this.#building = null;
        })
        .catch(() => undefined);
    }
    return (this.#building as { promise: Promise<ReleaseSet> }).promise;
  }
}
