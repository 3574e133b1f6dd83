import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../src/store/database.ts';

/** Stores an approved version of an app whose manifest declares `permissions`, as review would leave it. */
export async function approvedVersion(
  db: Queryable,
  appId: string,
  versionCode: number,
  permissions: readonly string[],
): Promise<void> {
  const manifest = {
    specVersion: '1.0',
    id: appId,
    version: `1.0.${versionCode}`,
    versionCode,
    permissions: Object.fromEntries(permissions.map((p) => [p, { reason: `needs ${p}` }])),
  };
  await db.query(
    `insert into versions (app_id, version_code, version, package_sha256, package_length, manifest,
                           statement, statement_sha256, statement_keyid, status, review_report)
     values ($1, $2, $3, $4, 1000, $5::jsonb, $6, $4, 'k', 'approved', '{}'::jsonb)`,
    [
      appId,
      versionCode,
      manifest.version,
      randomBytes(32).toString('hex'),
      JSON.stringify(manifest),
      Buffer.from('{}'),
    ],
  );
}

/** Releases an approved version to everyone on the stable channel. */
export async function completedRelease(
  db: Queryable,
  appId: string,
  versionCode: number,
): Promise<void> {
  await db.query(
    `insert into releases (id, app_id, version_code, channel, rollout_percent, state)
     values ($1, $2, $3, 'stable', 100, 'completed')`,
    [`rel_${randomBytes(8).toString('hex')}`, appId, versionCode],
  );
}
