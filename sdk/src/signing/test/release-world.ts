import { zipSync } from 'fflate';
import { generateKeyPair, loadPrivateKey, type PrivateKey } from '../key-pair.ts';
import type { SigningAlgorithm } from '../algorithm.ts';
import type { SignedDocument } from '../envelope.ts';
import {
  createStatement,
  verifyStatement,
  type Statement,
  type VerifiedStatement,
} from '../statement.ts';
import { createRelease, type Release } from '../release.ts';
import { createRoot, type Root } from '../root.ts';
import { createIndex, type ReleaseIndex } from '../release-index.ts';
import { packageDigestOf } from '../digest.ts';

/** The fixed clock of the tests: one update session happens at this instant [SIG-063]. */
export const now = new Date('2026-03-01T12:00:00Z');

export function hoursFromNow(hours: number): Date {
  return new Date(now.getTime() + hours * 3_600_000);
}

export async function newKey(algorithm: SigningAlgorithm = 'Ed25519'): Promise<PrivateKey> {
  return loadPrivateKey((await generateKeyPair(algorithm)).privateKeyPem);
}

/** A minimal `.ma` archive whose manifest carries the given identity. */
export function buildPackage(manifest: Record<string, unknown>): {
  bytes: Uint8Array;
  manifestBytes: Uint8Array;
} {
  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
  const bytes = zipSync(
    { 'manifest.json': manifestBytes, 'pages/index.html': new TextEncoder().encode('<p>hi</p>') },
    { mtime: new Date('2026-01-01T00:00:00Z') },
  );
  return { bytes, manifestBytes };
}

export interface Published {
  packageBytes: Uint8Array;
  statement: SignedDocument<Statement>;
  verified: VerifiedStatement;
  release: SignedDocument<Release>;
  /** The channel the index pins it on. */
  channel: string;
}

/** A platform with a root of version 1: two root keys (threshold 2), two release keys (threshold 2), one index key. */
export class ReleaseWorld {
  constructor(
    readonly rootKeys: PrivateKey[],
    readonly releaseKeys: PrivateKey[],
    readonly indexKeys: PrivateKey[],
    readonly partner: PrivateKey,
    readonly root: SignedDocument<Root>,
  ) {}

  static async create(): Promise<ReleaseWorld> {
    const rootKeys = [await newKey('Ed25519'), await newKey('ECDSA-P256')];
    const releaseKeys = [await newKey('Ed25519'), await newKey('ECDSA-P256')];
    const indexKeys = [await newKey('Ed25519')];
    const partner = await newKey('ECDSA-P256');
    const root = createRoot(
      {
        version: 1,
        expires: hoursFromNow(24 * 365),
        roles: {
          root: { keys: rootKeys.map((k) => k.publicJwk), threshold: 2 },
          release: { keys: releaseKeys.map((k) => k.publicJwk), threshold: 2 },
          index: { keys: indexKeys.map((k) => k.publicJwk), threshold: 1 },
        },
      },
      rootKeys,
    );
    return new ReleaseWorld(rootKeys, releaseKeys, indexKeys, partner, root);
  }

  /** Partner signs, server verifies the statement, platform countersigns. */
  publish(
    options: {
      appId?: string;
      versionCode?: number;
      version?: string;
      channel?: string;
      expires?: Date;
      partner?: PrivateKey;
    } = {},
  ): Published {
    const appId = options.appId ?? 'com.example.shop';
    const version = options.version ?? '1.0.0';
    const versionCode = options.versionCode ?? 1;
    const partner = options.partner ?? this.partner;
    const { bytes, manifestBytes } = buildPackage({
      id: appId,
      version,
      versionCode,
      name: 'Shop',
    });
    const statement = createStatement(
      {
        appId,
        version,
        versionCode,
        packageBytes: bytes,
        manifestBytes,
        createdAt: hoursFromNow(-2),
      },
      partner,
    );
    const verified = verifyStatement(
      statement.bytes,
      { [partner.keyid]: partner.publicJwk },
      {
        appId,
        package: packageDigestOf(bytes),
      },
    );
    const release = createRelease(
      {
        statement: verified,
        minHostVersion: '1.0.0',
        permissions: ['location'],
        issuedAt: hoursFromNow(-1),
        expires: options.expires ?? hoursFromNow(24 * 90),
      },
      this.releaseKeys,
    );
    return {
      packageBytes: bytes,
      statement,
      verified,
      release,
      channel: options.channel ?? 'stable',
    };
  }

  index(options: {
    version: number;
    pin?: readonly Published[];
    revokedReleases?: string[];
    revokedKeys?: string[];
    issuedAt?: Date;
    keys?: PrivateKey[];
  }): SignedDocument<ReleaseIndex> {
    return createIndex(
      {
        version: options.version,
        issuedAt: options.issuedAt ?? hoursFromNow(-1),
        releases: (options.pin ?? []).map((p) => ({
          appId: p.release.payload.appId,
          channel: p.channel,
          versionCode: p.release.payload.versionCode,
          sha256: p.release.sha256,
        })),
        revokedReleases: options.revokedReleases ?? [],
        revokedKeys: options.revokedKeys ?? [],
      },
      options.keys ?? this.indexKeys,
    );
  }
}
