/**
 * What to do about one app in an update session: the four answers of the update selection
 * (spec/distribution.md) plus "not available". Two deciders:
 *
 * - `binDecider` (the default): the sdk's `selectUpdate` applied to the app's entry in the bin the
 *   session verified [API-101]; static, needs no credential, the same answer a server must give.
 * - `serverDecider`: the server's batch update check [API-022], one request for every app; each offer
 *   is still verified against the bin, which must pin it on the host's channel [SIG-065].
 */
import { isInstalledRevoked, selectUpdate } from '#sdk/distribution/index.ts';
import type { DistributionClient } from '../distribution/distribution-client.ts';
import type { AppEntry, BinRelease, TrustSession } from '../trust/verifier.ts';

export type UpdateDecision =
  | { kind: 'upToDate' }
  | { kind: 'update'; release: BinRelease; mandatory: boolean }
  | { kind: 'incompatible'; minHostVersion: string }
  | {
      kind: 'revoked';
      replacement?: BinRelease;
      /** Why the installed version may not run: SIG_REVOKED_RELEASE or SIG_REVOKED_KEY. */
      code?: string;
    }
  | { kind: 'notFound' };

export interface InstalledApp {
  appId: string;
  /** The active version, if any. */
  installed?: {
    versionCode: number;
    releaseSha256: string;
    statementKeyid: string;
    /** False when its statement no longer verifies under the trusted delegation [SIG-089]. */
    verified: boolean;
  };
  /** Versions staged but not active: not offered again. */
  stagedVersionCode?: number;
  /** versionCodes whose first launch failed; never installed again. */
  rejected: readonly number[];
}

export interface UpdateRequest {
  hostApiVersion: string;
  channel: 'stable' | 'beta';
  deviceId: string;
}

export interface UpdateDecider {
  decide(session: TrustSession, apps: readonly InstalledApp[]): Promise<UpdateDecision[]>;
}

/** [SIG-066] [SIG-067] [SIG-089] whether the installed version may no longer run. */
function installedRevoked(app: InstalledApp, entry: AppEntry | null): boolean {
  const installed = app.installed;
  if (!installed) return false;
  return !installed.verified || isInstalledRevoked(entry, installed);
}

/** The update selection of spec/distribution.md on the verified bin [API-101]. */
export function decideFromEntry(
  app: InstalledApp,
  entry: AppEntry | null,
  request: UpdateRequest,
): UpdateDecision {
  // [SIG-107] an app its bin does not list has no installable release.
  if (!entry) {
    if (!app.installed) return { kind: 'notFound' };
    return app.installed.verified ? { kind: 'upToDate' } : { kind: 'revoked' };
  }
  // A version whose first launch failed is never offered again.
  const usable: AppEntry = {
    ...entry,
    releases: entry.releases.filter((r) => !app.rejected.includes(r.versionCode)),
  };
  const revoked = installedRevoked(app, entry);
  const versionCode = revoked
    ? (app.installed?.versionCode ?? 0)
    : Math.max(app.installed?.versionCode ?? 0, app.stagedVersionCode ?? 0);
  const selection = selectUpdate({
    appId: app.appId,
    entry: usable,
    channel: request.channel,
    deviceId: request.deviceId,
    hostApiVersion: request.hostApiVersion,
    installed: versionCode > 0 ? { versionCode, revoked } : null,
  });
  switch (selection.kind) {
    case 'update':
      return { kind: 'update', release: selection.release, mandatory: selection.mandatory };
    case 'incompatible':
      return { kind: 'incompatible', minHostVersion: selection.minHostVersion };
    case 'revoked': {
      const code =
        app.installed && entry.revokedKeys.includes(app.installed.statementKeyid)
          ? 'SIG_REVOKED_KEY'
          : 'SIG_REVOKED_RELEASE';
      return selection.replacement
        ? { kind: 'revoked', replacement: selection.replacement, code }
        : { kind: 'revoked', code };
    }
    default:
      // Nothing installed and nothing offered to this device: the app is not available here.
      return versionCode > 0 ? { kind: 'upToDate' } : { kind: 'notFound' };
  }
}

/** Decides from the verified bins alone [API-101]. */
export function binDecider(request: UpdateRequest): UpdateDecider {
  return {
    async decide(session, apps) {
      return Promise.all(
        apps.map(async (app) => decideFromEntry(app, await session.entry(app.appId), request)),
      );
    },
  };
}

/** Asks the server (one batch for every app [API-022]) and checks each offer against the bin. */
export function serverDecider(client: DistributionClient, request: UpdateRequest): UpdateDecider {
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
      const pinFor = async (appId: string, versionCode: number): Promise<BinRelease> => {
        const entry = await session.entry(appId);
        return (
          entry?.releases.find(
            (r) => r.channel === request.channel && r.versionCode === versionCode,
          ) ?? {
            // Not pinned: verifying it refuses it with SIG_NOT_IN_INDEX [SIG-065].
            channel: request.channel,
            versionCode,
            sha256: '',
            minHostVersion: request.hostApiVersion,
            rolloutPercent: 100,
            mandatory: false,
            paused: false,
          }
        );
      };
      return Promise.all(
        apps.map(async (app, i): Promise<UpdateDecision> => {
          const result = response.results[i];
          if (!result || result.appId !== app.appId) return { kind: 'upToDate' };
          switch (result.kind) {
            case 'update': {
              const offer = result.update;
              if (!offer || app.rejected.includes(offer.versionCode)) return { kind: 'upToDate' };
              return {
                kind: 'update',
                release: await pinFor(app.appId, offer.versionCode),
                mandatory: offer.mandatory,
              };
            }
            case 'incompatible':
              return { kind: 'incompatible', minHostVersion: result.minHostVersion ?? '0.0.0' };
            case 'revoked':
              return result.replacement
                ? {
                    kind: 'revoked',
                    replacement: await pinFor(app.appId, result.replacement.versionCode),
                  }
                : { kind: 'revoked' };
            default:
              // [API-029] upToDate also answers an app the server does not offer this device.
              return app.installed ? { kind: 'upToDate' } : { kind: 'notFound' };
          }
        }),
      );
    },
  };
}
