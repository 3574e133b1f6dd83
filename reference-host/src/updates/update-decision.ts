/**
 * What to do about one app in an update session: the four answers of an update check
 * (spec/distribution.md) plus "not available". Two deciders: the index alone (static, needs no
 * credential; the draft.2 bins add minHostVersion, rollout and mandatory to it), and the server's batch
 * update check, whose offer must still be pinned by the verified index [SIG-065].
 */
import type { DistributionClient } from '../distribution/distribution-client.ts';
import type { PinnedRelease, TrustSession } from '../trust/verifier.ts';

export type UpdateDecision =
  | { kind: 'upToDate' }
  | { kind: 'update'; pin: PinnedRelease; mandatory: boolean }
  | { kind: 'incompatible'; minHostVersion: string }
  | { kind: 'revoked'; replacement?: PinnedRelease }
  | { kind: 'notFound' };

export interface InstalledApp {
  appId: string;
  /** The active version, if any. */
  installed?: { versionCode: number; releaseSha256: string };
  /** Versions staged but not active: not offered again. */
  stagedVersionCode?: number;
  rejected: readonly number[];
}

export interface UpdateDecider {
  decide(session: TrustSession, apps: readonly InstalledApp[]): Promise<UpdateDecision[]>;
}

/** Decides from the verified index alone: the newest pinned release of the channel. */
export const indexDecider: UpdateDecider = {
  async decide(session, apps) {
    return apps.map((app): UpdateDecision => {
      const pins = session.pinned(app.appId).filter((p) => !app.rejected.includes(p.versionCode));
      const installed = app.installed;
      const newest = pins[0];
      if (installed && session.isRevoked(installed.releaseSha256)) {
        const replacement = pins.find((p) => !session.isRevoked(p.releaseSha256));
        return replacement ? { kind: 'revoked', replacement } : { kind: 'revoked' };
      }
      if (!newest) return installed ? { kind: 'upToDate' } : { kind: 'notFound' };
      const floor = Math.max(installed?.versionCode ?? 0, app.stagedVersionCode ?? 0);
      if (newest.versionCode <= floor) return { kind: 'upToDate' };
      return { kind: 'update', pin: newest, mandatory: newest.mandatory ?? false };
    });
  },
};

/** Asks the server (one batch for every app [API-022]) and checks each offer against the index. */
export function serverDecider(
  client: DistributionClient,
  request: { hostApiVersion: string; channel: 'stable' | 'beta'; deviceId: string },
): UpdateDecider {
  return {
    async decide(session, apps) {
      if (apps.length === 0) return [];
      const entries = apps.map((a) => ({
        appId: a.appId,
        versionCode: Math.max(a.installed?.versionCode ?? 0, a.stagedVersionCode ?? 0),
      }));
      const [first, ...rest] = entries;
      if (!first) return [];
      const response = await client.checkUpdates({ ...request, apps: [first, ...rest] });
      const pinFor = (appId: string, versionCode: number): PinnedRelease =>
        session.pinned(appId).find((p) => p.versionCode === versionCode) ?? {
          // Not pinned: verifying it will refuse it with SIG_NOT_IN_INDEX.
          appId,
          channel: session.channel,
          versionCode,
          releaseSha256: '',
        };
      return apps.map((app, i): UpdateDecision => {
        const result = response.results[i];
        if (!result || result.appId !== app.appId) return { kind: 'upToDate' };
        switch (result.kind) {
          case 'update': {
            const offer = result.update;
            if (!offer || app.rejected.includes(offer.versionCode)) return { kind: 'upToDate' };
            return {
              kind: 'update',
              pin: pinFor(app.appId, offer.versionCode),
              mandatory: offer.mandatory,
            };
          }
          case 'incompatible':
            return { kind: 'incompatible', minHostVersion: result.minHostVersion ?? '0.0.0' };
          case 'revoked':
            return result.replacement
              ? { kind: 'revoked', replacement: pinFor(app.appId, result.replacement.versionCode) }
              : { kind: 'revoked' };
          default:
            // [API-029] unknown apps are answered upToDate; the index tells whether the app exists.
            return app.installed || session.pinned(app.appId).length > 0
              ? { kind: 'upToDate' }
              : { kind: 'notFound' };
        }
      });
    },
  };
}
