import type { ReleaseSnapshot } from './release-snapshot.ts';
import { selectUpdate, type UpdateResult } from './update-selection.ts';

/** The body of `POST /v1/updates/check`, or one app of `GET /v1/apps/{appId}/update` [API-031]. */
export interface UpdateCheck {
  hostApiVersion: string;
  channel: 'stable' | 'beta';
  deviceId: string;
  apps: readonly { appId: string; versionCode: number }[];
}

/**
 * Answers every app of a check, in request order [API-022], from the in-memory release set, so the
 * server time stays inside the update-check budget of spec/budgets.md whatever the batch size.
 */
export async function checkUpdates(
  releases: ReleaseSnapshot,
  publicUrl: string,
  check: UpdateCheck,
): Promise<UpdateResult[]> {
  const set = await releases.current();
  return check.apps.map((app) =>
    selectUpdate({
      appId: app.appId,
      deviceId: check.deviceId,
      hostApiVersion: check.hostApiVersion,
      installedVersionCode: app.versionCode,
      installedRevoked: set.revokedVersions.has(`${app.appId}\n${String(app.versionCode)}`),
      // [API-029] an unknown app has no releases and so is answered upToDate.
      releases: set.candidates.get(`${check.channel}\n${app.appId}`) ?? [],
      publicUrl,
    }),
  );
}
