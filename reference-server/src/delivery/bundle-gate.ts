import type { Queryable } from '../store/database.ts';
import type { ReleaseSnapshot } from './release-snapshot.ts';

const digestPattern = /^[0-9a-f]{64}$/;

/**
 * Which bundles the public bundle route serves. Content addressing makes any stored digest fetchable,
 * so the gate limits it to packages a host may legitimately be sent: those of a version with a release
 * that is not revoked. A package still under review, or one whose release was revoked, answers 404
 * exactly like an unknown digest [API-046], so the route reveals nothing about unreleased uploads and
 * stops spreading withdrawn code even to hosts that skip the index check.
 */
export class BundleGate {
  constructor(
    private readonly db: Queryable,
    private readonly releases: ReleaseSnapshot,
  ) {}

  async servable(digest: string): Promise<boolean> {
    if (!digestPattern.test(digest)) return false;
    return (await this.releases.current()).servableDigests.has(digest);
  }

  /** The package digest of a version, for reading its files. */
  async packageOf(appId: string, versionCode: number): Promise<string | null> {
    const { rows } = await this.db.query<{ package_sha256: string }>(
      'select package_sha256 from versions where app_id = $1 and version_code = $2',
      [appId, versionCode],
    );
    return rows[0]?.package_sha256 ?? null;
  }
}
