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
import { allBinPrefixes, createIndex, type ReleaseIndex } from '../release-index.ts';
import { binPrefixOf, createBin, type AppEntry, type Bin } from '../bin.ts';
import { createDelegation, type Delegation } from '../delegation.ts';
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

/** How a bin lists a published release [SIG-104]. */
export interface Placement {
  channel: string;
  rolloutPercent: number;
  mandatory: boolean;
  paused: boolean;
}

export interface Published extends Placement {
  packageBytes: Uint8Array;
  statement: SignedDocument<Statement>;
  verified: VerifiedStatement;
  release: SignedDocument<Release>;
}

/** One app of a snapshot: its delegation, the releases its entry pins and its revocations. */
export interface AppSpec {
  appId?: string;
  delegation: SignedDocument<Delegation>;
  pin?: readonly Published[];
  revokedReleases?: readonly string[];
  revokedKeys?: readonly string[];
}

/** A signed index and every bin it pins. */
export interface Snapshot {
  index: SignedDocument<ReleaseIndex>;
  bins: Map<string, SignedDocument<Bin>>;
  binOf(appId: string): SignedDocument<Bin>;
}

export interface RoleKeys {
  root: PrivateKey[];
  delegation: PrivateKey[];
  release: PrivateKey[];
  index: PrivateKey[];
}

/**
 * A platform with a root of version 1: two root keys (threshold 2), one offline delegation key,
 * two release keys (threshold 2), one index key, and one partner key for `com.example.shop`.
 */
export class ReleaseWorld {
  constructor(
    readonly keys: RoleKeys,
    readonly partner: PrivateKey,
    readonly root: SignedDocument<Root>,
    readonly binPrefixLength: number,
  ) {}

  get rootKeys(): PrivateKey[] {
    return this.keys.root;
  }
  get releaseKeys(): PrivateKey[] {
    return this.keys.release;
  }
  get indexKeys(): PrivateKey[] {
    return this.keys.index;
  }
  get delegationKeys(): PrivateKey[] {
    return this.keys.delegation;
  }

  static async create(options: { binPrefixLength?: number } = {}): Promise<ReleaseWorld> {
    const keys: RoleKeys = {
      root: [await newKey('Ed25519'), await newKey('ECDSA-P256')],
      delegation: [await newKey('Ed25519')],
      release: [await newKey('Ed25519'), await newKey('ECDSA-P256')],
      index: [await newKey('Ed25519')],
    };
    const partner = await newKey('ECDSA-P256');
    const root = ReleaseWorld.rootOf(1, keys, keys.root);
    return new ReleaseWorld(keys, partner, root, options.binPrefixLength ?? 1);
  }

  /** A root of the given version naming these role keys, signed by `signers`. */
  static rootOf(
    version: number,
    keys: RoleKeys,
    signers: readonly PrivateKey[],
    expires = hoursFromNow(24 * 365),
  ): SignedDocument<Root> {
    const role = (list: PrivateKey[], threshold: number) => ({
      keys: list.map((k) => k.publicJwk),
      threshold,
    });
    return createRoot(
      {
        version,
        expires,
        roles: {
          root: role(keys.root, Math.min(2, keys.root.length)),
          delegation: role(keys.delegation, 1),
          release: role(keys.release, keys.release.length),
          index: role(keys.index, 1),
        },
      },
      signers,
    );
  }

  /** A delegation of an app to partner keys, signed by the world's delegation key unless told. */
  delegation(
    options: {
      appId?: string;
      version?: number;
      partners?: readonly PrivateKey[];
      threshold?: number;
      issuedAt?: Date;
      expires?: Date;
      signers?: readonly PrivateKey[];
    } = {},
  ): SignedDocument<Delegation> {
    return createDelegation(
      {
        appId: options.appId ?? 'com.example.shop',
        version: options.version ?? 1,
        issuedAt: options.issuedAt ?? hoursFromNow(-24),
        expires: options.expires ?? hoursFromNow(24 * 300),
        keys: (options.partners ?? [this.partner]).map((k) => k.publicJwk),
        threshold: options.threshold ?? 1,
      },
      options.signers ?? this.keys.delegation,
    );
  }

  /** Partner signs, server verifies the statement, platform countersigns. */
  publish(
    options: {
      appId?: string;
      versionCode?: number;
      version?: string;
      partner?: PrivateKey;
      minHostVersion?: string;
      releaseKeys?: readonly PrivateKey[];
      issuedAt?: Date;
    } & Partial<Placement> = {},
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
        minHostVersion: options.minHostVersion ?? '1.0.0',
        permissions: ['location'],
        issuedAt: options.issuedAt ?? hoursFromNow(-1),
      },
      options.releaseKeys ?? this.keys.release,
    );
    return {
      packageBytes: bytes,
      statement,
      verified,
      release,
      channel: options.channel ?? 'stable',
      rolloutPercent: options.rolloutPercent ?? 100,
      mandatory: options.mandatory ?? false,
      paused: options.paused ?? false,
    };
  }

  /** The bin entry of an app. */
  static entryOf(spec: AppSpec): AppEntry {
    return {
      delegation: { version: spec.delegation.payload.version, sha256: spec.delegation.sha256 },
      releases: (spec.pin ?? []).map((p) => ({
        channel: p.channel,
        versionCode: p.release.payload.versionCode,
        sha256: p.release.sha256,
        minHostVersion: p.release.payload.minHostVersion,
        rolloutPercent: p.rolloutPercent,
        mandatory: p.mandatory,
        paused: p.paused,
      })),
      revokedReleases: [...(spec.revokedReleases ?? [])],
      revokedKeys: [...(spec.revokedKeys ?? [])],
    };
  }

  /** An index of the given version and a bin for every prefix, each bin at the index's version. */
  snapshot(options: {
    version: number;
    apps?: readonly AppSpec[];
    issuedAt?: Date;
    indexKeys?: readonly PrivateKey[];
    binPrefixLength?: number;
  }): Snapshot {
    const length = options.binPrefixLength ?? this.binPrefixLength;
    const apps = new Map<string, Record<string, AppEntry>>();
    for (const spec of options.apps ?? []) {
      const appId = spec.appId ?? spec.delegation.payload.appId;
      const prefix = binPrefixOf(appId, length);
      apps.set(prefix, { ...(apps.get(prefix) ?? {}), [appId]: ReleaseWorld.entryOf(spec) });
    }
    const keys = options.indexKeys ?? this.keys.index;
    const issuedAt = options.issuedAt ?? hoursFromNow(-1);
    const bins = new Map<string, SignedDocument<Bin>>();
    for (const prefix of allBinPrefixes(length)) {
      bins.set(
        prefix,
        createBin(
          { prefix, version: options.version, issuedAt, apps: apps.get(prefix) ?? {} },
          keys,
        ),
      );
    }
    const index = createIndex(
      {
        version: options.version,
        issuedAt,
        binPrefixLength: length,
        bins: [...bins.values()].map((b) => ({
          prefix: b.payload.prefix,
          version: b.payload.version,
          sha256: b.sha256,
        })),
      },
      keys,
    );
    return {
      index,
      bins,
      binOf: (appId) => bins.get(binPrefixOf(appId, length)) as SignedDocument<Bin>,
    };
  }
}
