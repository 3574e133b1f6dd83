import type { Queryable } from '../store/database.ts';

/** A release the platform may serve, as the signed index pins it [SIG-065]. */
export interface ServableRelease {
  appId: string;
  channel: string;
  versionCode: number;
  /** SHA-256 of the release envelope bytes. */
  sha256: string;
}

/**
 * Every release a host may currently be offered on each channel: during a staged rollout both the new
 * release and the one it replaces are servable, so the index pins both.
 */
export async function servableReleases(db: Queryable): Promise<ServableRelease[]> {
  const { rows } = await db.query<{
    app_id: string;
    channel: string;
    version_code: number;
    release_sha256: string;
  }>(
    `select r.app_id, r.channel, r.version_code, v.release_sha256
       from releases r join versions v on v.app_id = r.app_id and v.version_code = r.version_code
      where r.state in ('rollingOut', 'paused', 'completed') and v.release_sha256 is not null
        and not exists (select 1 from revocations x where x.kind = 'release' and x.value = v.release_sha256)
      order by r.app_id, r.channel, r.version_code`,
  );
  return rows.map((r) => ({
    appId: r.app_id,
    channel: r.channel,
    versionCode: r.version_code,
    sha256: r.release_sha256,
  }));
}
