import type { ReleaseSnapshot } from './release-snapshot.ts';
import { answerUpdate, type UpdateResult } from './update-selection.ts';

/** The body of `POST /v1/updates/check`, or one app of `GET /v1/apps/{appId}/update` [API-031]. */
export interface UpdateCheck {
  hostApiVersion: string;
  channel: 'stable' | 'beta';
  deviceId: string;
  apps: readonly { appId: string; versionCode: number }[];
}

/**
 * Answers every app of a check, in request order [API-022], from the in-memory release set of the
 * served index, so the server time stays inside the update-check budget of spec/budgets.md whatever
 * the batch size, and every app is answered from the same index.
 */
export async function checkUpdates(
  releases: ReleaseSnapshot,
  publicUrl: string,
  check: UpdateCheck,
): Promise<UpdateResult[]> {
  const set = await releases.current();
  return check.apps.map((app) =>
    answerUpdate(set, {
      appId: app.appId,
      channel: check.channel,
      deviceId: check.deviceId,
      hostApiVersion: check.hostApiVersion,
      // [API-029] an unknown app has no entry and so is answered upToDate.
      installedVersionCode: app.versionCode,
      publicUrl,
    }),
  );
}
