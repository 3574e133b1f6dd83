import { CaseFailure } from '../../framework/index.ts';
import { utf8 } from '../crypto/byte-encoding.ts';
import { sha256Hex } from '../crypto/digest.ts';
import { payloadTypes } from '../crypto/dsse-envelope.ts';
import type { ServerTest } from '../server-case.ts';
import { describeExchange } from './http-exchange.ts';
import { currentRoot, open, verifyRole, type TrustedRoot } from './trust-chain.ts';

/** What the signed index says about one app, whichever shape the index has. */
export interface AppEntry {
  /** Release envelope digests pinned for the app, with their channel and versionCode. */
  releases: { channel: string; versionCode: number; sha256: string; paused?: unknown }[];
  revokedReleases: string[];
  revokedKeys: string[];
}

export interface SignedIndex {
  root: TrustedRoot;
  version: number;
  payload: Record<string, unknown>;
  bytes: Uint8Array;
  /** The entry of an app: read from the index itself (one list) or from the pinned bin of the app's prefix. */
  entry(appId: string): Promise<AppEntry>;
}

/**
 * Reads the current index, verified against the root's index role, and gives the entry of any app:
 * from the index's own `releases` (draft 1) or, for a sharded index, from the bin of the app's prefix,
 * fetched by the version the index pins and checked against the pinned digest and the index role.
 */
export async function readSignedIndex(t: ServerTest): Promise<SignedIndex> {
  const root = await currentRoot(t);
  const exchange = await t.send({ path: '/v1/trust/index.json', quiet: true });
  if (exchange.status !== 200)
    throw new CaseFailure(`GET /v1/trust/index.json: ${describeExchange(exchange)}`);
  const opened = open(exchange.body, payloadTypes.index, 'index.json');
  await verifyRole(root, opened, 'index', 'index.json');
  const payload = opened.payload;
  const entry = async (appId: string): Promise<AppEntry> => {
    if (Array.isArray(payload.releases)) {
      const releases = (
        payload.releases as {
          appId: string;
          channel: string;
          versionCode: number;
          sha256: string;
        }[]
      ).filter((r) => r.appId === appId);
      return {
        releases: releases.map(({ channel, versionCode, sha256 }) => ({
          channel,
          versionCode,
          sha256,
        })),
        revokedReleases: (payload.revokedReleases as string[] | undefined) ?? [],
        revokedKeys: (payload.revokedKeys as string[] | undefined) ?? [],
      };
    }
    const length = Number(payload.binPrefixLength);
    const prefix = (await sha256Hex(utf8(appId))).slice(0, length);
    const pin = (
      payload.bins as { prefix: string; version: number; sha256: string }[] | undefined
    )?.find((b) => b.prefix === prefix);
    if (!pin)
      throw new CaseFailure(
        `index ${String(payload.version)} pins no bin for prefix "${prefix}" of ${appId}`,
      );
    const path = `/v1/trust/bins/${prefix === '' ? 'all' : prefix}/${pin.version}.bin.json`;
    const bin = await t.send({ path, quiet: true });
    if (bin.status !== 200) throw new CaseFailure(`GET ${path}: ${describeExchange(bin)}`);
    if ((await sha256Hex(bin.body)) !== pin.sha256)
      throw new CaseFailure(`${path} does not have the digest the index pins`);
    const openedBin = open(bin.body, payloadTypes.bin, path);
    await verifyRole(root, openedBin, 'index', path);
    const apps = (openedBin.payload.apps ?? {}) as Record<
      string,
      {
        releases?: { channel: string; versionCode: number; sha256: string; paused?: unknown }[];
        revokedReleases?: string[];
        revokedKeys?: string[];
      }
    >;
    const e = apps[appId];
    return {
      // A bin release says whether it is paused [SIG-104]; the draft 1 index had no such member.
      releases: (e?.releases ?? []).map(({ channel, versionCode, sha256, paused }) => ({
        channel,
        versionCode,
        sha256,
        paused,
      })),
      revokedReleases: e?.revokedReleases ?? [],
      revokedKeys: e?.revokedKeys ?? [],
    };
  };
  return { root, version: Number(payload.version), payload, bytes: exchange.body, entry };
}
