import type { Queryable } from '../store/database.ts';
import type { ReleaseState } from './release-state.ts';
import { selectUpdate, type CandidateRelease, type UpdateResult } from './update-selection.ts';

/** The body of `POST /v1/updates/check`, or one app of `GET /v1/apps/{appId}/update` [API-031]. */
export interface UpdateCheck {
  hostApiVersion: string;
  channel: 'stable' | 'beta';
  deviceId: string;
  apps: readonly { appId: string; versionCode: number }[];
}

interface CandidateRow {
  app_id: string;
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

/** Revoked by the platform: the release envelope, or the partner key that signed the statement [SIG-066] [SIG-067]. */
const revokedClause = `(exists (select 1 from revocations x where x.kind = 'release' and x.value = v.release_sha256)
  or exists (select 1 from revocations x where x.kind = 'key' and x.value = v.statement_keyid))`;

/**
 * Answers every app of a check, in request order [API-022], with two queries whatever the batch size,
 * so the server time stays inside the update-check budget of spec/budgets.md.
 */
export async function checkUpdates(
  db: Queryable,
  publicUrl: string,
  check: UpdateCheck,
): Promise<UpdateResult[]> {
  const appIds = [...new Set(check.apps.map((a) => a.appId))];
  const candidates = await db.query<CandidateRow>(
    `select r.app_id, r.version_code, v.version, r.state, r.rollout_percent::text as rollout_percent, r.mandatory,
            v.manifest->>'minHostVersion' as min_host_version, v.package_sha256,
            v.package_length::float8 as package_length, ${revokedClause} as revoked
       from releases r join versions v on v.app_id = r.app_id and v.version_code = r.version_code
      where r.app_id in (select jsonb_array_elements_text($1::jsonb)) and r.channel = $2
        and v.release_sha256 is not null`,
    [JSON.stringify(appIds), check.channel],
  );
  const installed = await db.query<{ app_id: string; version_code: number }>(
    `select v.app_id, v.version_code
       from jsonb_to_recordset($1::jsonb) as i(app_id text, version_code integer)
       join versions v on v.app_id = i.app_id and v.version_code = i.version_code
      where ${revokedClause}`,
    [JSON.stringify(check.apps.map((a) => ({ app_id: a.appId, version_code: a.versionCode })))],
  );
  const revokedInstalls = new Set(
    installed.rows.map((r) => `${r.app_id}\n${String(r.version_code)}`),
  );
  const byApp = new Map<string, CandidateRelease[]>();
  for (const row of candidates.rows) {
    // A version without a readable minHostVersion cannot be shown to run anywhere, so it is never offered.
    if (row.min_host_version === null) continue;
    const list = byApp.get(row.app_id) ?? [];
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
    byApp.set(row.app_id, list);
  }
  return check.apps.map((app) =>
    selectUpdate({
      appId: app.appId,
      deviceId: check.deviceId,
      hostApiVersion: check.hostApiVersion,
      installedVersionCode: app.versionCode,
      installedRevoked: revokedInstalls.has(`${app.appId}\n${String(app.versionCode)}`),
      // [API-029] an unknown app has no releases and so is answered upToDate.
      releases: byApp.get(app.appId) ?? [],
      publicUrl,
    }),
  );
}
