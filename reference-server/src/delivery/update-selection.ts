import { selectUpdate, type Selection } from '#sdk/distribution/index.ts';
import type { BinRelease } from '#sdk/signing/index.ts';
import type { ReleaseSet } from './release-snapshot.ts';

/** An `update` or `replacement` member of an update-check result [API-026]. */
export interface UpdateOffer {
  versionCode: number;
  version: string;
  releaseUrl: string;
  packageUrl: string;
  length: number;
  sha256: string;
  mandatory: boolean;
}

/** One result of an update check [API-022]. */
export type UpdateResult =
  | { appId: string; kind: 'upToDate' }
  | { appId: string; kind: 'update'; update: UpdateOffer }
  | { appId: string; kind: 'incompatible'; minHostVersion: string }
  | { appId: string; kind: 'revoked'; replacement?: UpdateOffer };

export interface SelectionRequest {
  appId: string;
  channel: string;
  deviceId: string;
  hostApiVersion: string;
  /** 0 when the app is not installed. */
  installedVersionCode: number;
  /** Base URL the offer's URLs start with. */
  publicUrl: string;
}

/**
 * The update check of one app [API-100]: the update selection of spec/distribution.md, the same code a
 * host runs on the bin (`#sdk/distribution`), applied to the app's entry in the served index, with the
 * chosen release turned into an offer.
 */
export function answerUpdate(set: ReleaseSet, request: SelectionRequest): UpdateResult {
  const { appId, installedVersionCode, publicUrl } = request;
  const entry = set.entry(appId);
  const selection: Selection = selectUpdate({
    appId,
    entry,
    channel: request.channel,
    deviceId: request.deviceId,
    hostApiVersion: request.hostApiVersion,
    installed:
      installedVersionCode > 0
        ? {
            versionCode: installedVersionCode,
            revoked: set.revokedVersions.has(`${appId}\n${String(installedVersionCode)}`),
          }
        : null,
  });
  const offer = (release: BinRelease, mandatory: boolean): UpdateOffer | null => {
    const facts = set.versions.get(`${appId}\n${String(release.versionCode)}`);
    if (!facts) return null;
    return {
      versionCode: release.versionCode,
      version: facts.version,
      releaseUrl: `${publicUrl}/v1/releases/${appId}/${String(release.versionCode)}.release.json`,
      packageUrl: `${publicUrl}/v1/bundles/sha256/${facts.packageSha256}.ma`,
      length: facts.packageLength,
      sha256: facts.packageSha256,
      mandatory,
    };
  };
  switch (selection.kind) {
    case 'update': {
      const update = offer(selection.release, selection.mandatory);
      return update ? { appId, kind: 'update', update } : { appId, kind: 'upToDate' };
    }
    case 'revoked': {
      // [API-028] nothing revoked may start, so a replacement is always mandatory.
      const replacement = selection.replacement ? offer(selection.replacement, true) : null;
      return replacement ? { appId, kind: 'revoked', replacement } : { appId, kind: 'revoked' };
    }
    case 'incompatible':
      return { appId, kind: 'incompatible', minHostVersion: selection.minHostVersion };
    default:
      return { appId, kind: 'upToDate' };
  }
}
