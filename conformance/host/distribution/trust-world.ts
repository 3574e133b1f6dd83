import {
  jwkThumbprint,
  sha256Hex,
  type PrivateKey,
  type SigningAlgorithm,
} from '#sdk/signing/index.ts';
import {
  digestOf,
  newKey,
  pooledKey,
  signPayload,
  timestamp,
  type DocumentKind,
  type SignedBytes,
} from './signed-document.ts';

/**
 * What the conformance distribution server publishes, as a platform would (spec/signing.md): a root
 * chain, one delegation per app, partner statements, release metadata, bins and an index. A case
 * builds a world, changes the one thing its scenario names, and publishes it; everything else stays
 * as a conforming server would make it (CNF-040).
 */

export type RoleName = 'root' | 'delegation' | 'release' | 'index';
export const roleNames: readonly RoleName[] = ['root', 'delegation', 'release', 'index'];

export interface RoleKeys {
  keys: PrivateKey[];
  threshold: number;
}

const day = 24 * 60 * 60 * 1000;

export interface ReleaseSpec {
  versionCode: number;
  version?: string;
  channel?: 'stable' | 'beta';
  minHostVersion?: string;
  rolloutPercent?: number;
  mandatory?: boolean;
  paused?: boolean;
  permissions?: string[];
  /** The package bytes and the exact bytes of their manifest. */
  bundle: Uint8Array;
  manifestBytes: Uint8Array;
  /** Partner keys that sign the statement (default: the app's delegated keys up to its threshold). */
  statementSigners?: PrivateKey[];
  issuedAt?: Date;
}

export interface PublishedRelease {
  spec: Required<Omit<ReleaseSpec, 'statementSigners' | 'issuedAt'>>;
  statement: SignedBytes;
  release: SignedBytes;
  /** The bytes the bundle route serves (the signed bytes unless a case tampers with them). */
  served: Uint8Array;
  /** Listed in the bin's releases (a case may hide or add entries). */
  listed: boolean;
}

export interface AppState {
  appId: string;
  partnerKeys: PrivateKey[];
  threshold: number;
  delegations: SignedBytes[];
  /** The delegation the bin pins (by default the newest). */
  pinnedDelegation?: SignedBytes;
  releases: PublishedRelease[];
  revokedReleases: string[];
  revokedKeys: string[];
}

export interface BinEntryPayload {
  delegation: { version: number; sha256: string };
  releases: {
    channel: string;
    versionCode: number;
    sha256: string;
    minHostVersion: string;
    rolloutPercent: number;
    mandatory: boolean;
    paused: boolean;
  }[];
  revokedReleases: string[];
  revokedKeys: string[];
}

/** Hooks of one publication: each changes one document the way the running case names. */
export interface PublishFaults {
  /** Changes the payload of a bin before it is signed. */
  binPayload?(prefix: string, payload: Record<string, unknown>): Record<string, unknown>;
  binSigners?: PrivateKey[];
  /** Replaces a bin's envelope bytes after signing (served at its pinned address). */
  binBytes?(prefix: string, signed: SignedBytes): Uint8Array;
  /** Changes the index payload before it is signed. */
  indexPayload?(payload: Record<string, unknown>): Record<string, unknown>;
  indexSigners?: PrivateKey[];
  indexExpires?: Date;
  indexIssuedAt?: Date;
  /** Index version to publish instead of the next one. */
  indexVersion?: number;
}

export interface Publication {
  index: SignedBytes;
  bins: Map<string, SignedBytes>;
}

export class TrustWorld {
  readonly roots: SignedBytes[] = [];
  readonly apps = new Map<string, AppState>();
  readonly binPrefixLength: number;
  /** Immutable routes published so far (consistent snapshots), by path. */
  readonly routes = new Map<string, { body: Uint8Array; type: string; cache: string }>();
  current: Publication | undefined;
  nextIndexVersion = 1;
  readonly binVersions = new Map<string, number>();
  private readonly binSignerIds = new Map<string, string>();

  private constructor(
    public roles: Record<RoleName, RoleKeys>,
    readonly algorithm: SigningAlgorithm,
    binPrefixLength: number,
  ) {
    this.binPrefixLength = binPrefixLength;
  }

  static async create(
    options: {
      algorithm?: SigningAlgorithm;
      thresholds?: Partial<Record<RoleName, { keys: number; threshold: number }>>;
      rootExpires?: Date;
      binPrefixLength?: number;
    } = {},
  ): Promise<TrustWorld> {
    const algorithm = options.algorithm ?? 'Ed25519';
    const roles = {} as Record<RoleName, RoleKeys>;
    for (const name of roleNames) {
      const shape = options.thresholds?.[name] ?? { keys: 1, threshold: 1 };
      const keys = await Promise.all(
        Array.from({ length: shape.keys }, (_, i) => pooledKey(algorithm, `${name}-${i}`)),
      );
      roles[name] = { keys, threshold: shape.threshold };
    }
    const world = new TrustWorld(roles, algorithm, options.binPrefixLength ?? 1);
    world.pushRoot(
      world.rootPayload(1, roles, options.rootExpires ?? new Date(Date.now() + 365 * day)),
      roles.root.keys.slice(0, roles.root.threshold),
    );
    return world;
  }

  /** The root payload of a set of role keys. */
  rootPayload(
    version: number,
    roles: Record<RoleName, RoleKeys>,
    expires: Date,
  ): Record<string, unknown> {
    const keys: Record<string, unknown> = {};
    const roleEntries: Record<string, unknown> = {};
    for (const name of roleNames) {
      const role = roles[name];
      for (const key of role.keys) keys[key.keyid] = key.publicJwk;
      roleEntries[name] = { keyids: role.keys.map((k) => k.keyid), threshold: role.threshold };
    }
    return {
      _type: 'root',
      specVersion: '1.0',
      version,
      expires: timestamp(expires),
      keys,
      roles: roleEntries,
    };
  }

  /** Adds a root to the chain as given; `signers` sign it (both thresholds on a genuine rotation). */
  pushRoot(payload: Record<string, unknown>, signers: readonly PrivateKey[]): SignedBytes {
    const signed = signPayload('root', payload, signers);
    this.roots.push(signed);
    this.routes.set(`/v1/trust/${String(payload['version'])}.root.json`, {
      body: signed.bytes,
      type: 'application/json',
      cache: 'public, max-age=31536000, immutable',
    });
    return signed;
  }

  /** A genuine rotation [SIG-052]: new keys for the named roles, signed by old and new root keys. */
  async rotate(
    options: { replace?: RoleName[]; expires?: Date; signers?: 'both' | 'old' | 'new' } = {},
  ): Promise<SignedBytes> {
    const old = this.roles;
    const next = { ...old };
    for (const name of options.replace ?? ['root']) {
      const keys = await Promise.all(old[name].keys.map(() => newKey(this.algorithm)));
      next[name] = { keys, threshold: old[name].threshold };
    }
    const version = this.roots.length + 1;
    const payload = this.rootPayload(
      version,
      next,
      options.expires ?? new Date(Date.now() + 365 * day),
    );
    const oldSigners = old.root.keys.slice(0, old.root.threshold);
    const newSigners = next.root.keys.slice(0, next.root.threshold);
    const mode = options.signers ?? 'both';
    const signers = [
      ...(mode === 'new' ? [] : oldSigners),
      ...(mode === 'old' ? [] : newSigners.filter((k) => !oldSigners.includes(k))),
    ];
    this.roles = next;
    return this.pushRoot(payload, signers);
  }

  /** The root envelope a host is initialised with (version 1), base64 as `init.trustRoot` wants. */
  get trustRoot(): string {
    return Buffer.from(this.roots[0]?.bytes ?? new Uint8Array()).toString('base64');
  }

  /** Adds an app with its partner keys and a first delegation. */
  async addApp(
    appId: string,
    options: { partnerKeys?: number; threshold?: number; partnerAlgorithm?: SigningAlgorithm } = {},
  ): Promise<AppState> {
    const slot = this.apps.size;
    const partnerKeys = await Promise.all(
      Array.from({ length: options.partnerKeys ?? 1 }, (_, i) =>
        pooledKey(options.partnerAlgorithm ?? this.algorithm, `partner-${slot}-${i}`),
      ),
    );
    const app: AppState = {
      appId,
      partnerKeys,
      threshold: options.threshold ?? 1,
      delegations: [],
      releases: [],
      revokedReleases: [],
      revokedKeys: [],
    };
    this.apps.set(appId, app);
    this.delegate(app);
    return app;
  }

  app(appId: string): AppState {
    const app = this.apps.get(appId);
    if (!app) throw new Error(`the world has no app ${appId}`);
    return app;
  }

  /** The payload of the next delegation of an app for its current partner keys. */
  delegationPayload(
    app: AppState,
    options: { version?: number; issuedAt?: Date; expires?: Date } = {},
  ): Record<string, unknown> {
    const issuedAt = options.issuedAt ?? new Date(Date.now() - 60_000);
    const keys: Record<string, unknown> = {};
    for (const key of app.partnerKeys) keys[jwkThumbprint(key.publicJwk)] = key.publicJwk;
    return {
      _type: 'delegation',
      specVersion: '1.0',
      appId: app.appId,
      version: options.version ?? app.delegations.length + 1,
      issuedAt: timestamp(issuedAt),
      expires: timestamp(options.expires ?? new Date(issuedAt.getTime() + 365 * day)),
      keys,
      threshold: app.threshold,
    };
  }

  /** Signs and stores a delegation (by default the next version over the app's current keys). */
  delegate(
    app: AppState,
    payload: Record<string, unknown> = this.delegationPayload(app),
    signers: readonly PrivateKey[] = this.signersOf('delegation'),
  ): SignedBytes {
    const signed = signPayload('delegation', payload, signers);
    app.delegations.push(signed);
    app.pinnedDelegation = signed;
    this.routes.set(`/v1/delegations/${app.appId}/${String(payload['version'])}.delegation.json`, {
      body: signed.bytes,
      type: 'application/json',
      cache: 'public, max-age=31536000, immutable',
    });
    return signed;
  }

  signersOf(role: RoleName): PrivateKey[] {
    return this.roles[role].keys.slice(0, this.roles[role].threshold);
  }

  statementPayload(app: AppState, spec: ReleaseSpec): Record<string, unknown> {
    const version = spec.version ?? `1.0.${spec.versionCode}`;
    return {
      _type: 'statement',
      specVersion: '1.0',
      appId: app.appId,
      version,
      versionCode: spec.versionCode,
      package: { sha256: digestOf(spec.bundle), length: spec.bundle.length },
      manifestSha256: digestOf(spec.manifestBytes),
      createdAt: timestamp(new Date(Date.now() - 60_000)),
    };
  }

  releasePayload(
    app: AppState,
    spec: ReleaseSpec,
    statement: SignedBytes,
    keyid: string,
  ): Record<string, unknown> {
    const s = statement.payload;
    return {
      _type: 'release',
      specVersion: '1.0',
      appId: app.appId,
      version: s['version'],
      versionCode: s['versionCode'],
      minHostVersion: spec.minHostVersion ?? '1.0.0',
      package: { ...(s['package'] as object) },
      manifestSha256: s['manifestSha256'],
      permissions: spec.permissions ?? [],
      statement: { sha256: statement.sha256, keyid },
      issuedAt: timestamp(spec.issuedAt ?? new Date(Date.now() - 30_000)),
    };
  }

  /** Adds a release the way a server would after review: statement, then release metadata. */
  addRelease(
    appId: string,
    spec: ReleaseSpec,
    hooks: {
      statement?(payload: Record<string, unknown>): SignedBytes | Record<string, unknown>;
      release?(
        payload: Record<string, unknown>,
        statement: SignedBytes,
      ): SignedBytes | Record<string, unknown>;
    } = {},
  ): PublishedRelease {
    const app = this.app(appId);
    const signers = spec.statementSigners ?? app.partnerKeys.slice(0, app.threshold);
    let statementPayload = this.statementPayload(app, spec);
    let statement: SignedBytes;
    const hooked = hooks.statement?.(statementPayload);
    if (hooked && 'bytes' in hooked) statement = hooked as SignedBytes;
    else {
      statementPayload = (hooked as Record<string, unknown> | undefined) ?? statementPayload;
      statement = signPayload('statement', statementPayload, signers);
    }
    const keyid = signers[0]?.keyid ?? app.partnerKeys[0]?.keyid ?? '';
    let release: SignedBytes;
    const releasePayload = this.releasePayload(app, spec, statement, keyid);
    const hookedRelease = hooks.release?.(releasePayload, statement);
    if (hookedRelease && 'bytes' in hookedRelease) release = hookedRelease as SignedBytes;
    else {
      release = signPayload(
        'release',
        (hookedRelease as Record<string, unknown> | undefined) ?? releasePayload,
        this.signersOf('release'),
      );
    }
    const published: PublishedRelease = {
      spec: {
        versionCode: spec.versionCode,
        version: spec.version ?? `1.0.${spec.versionCode}`,
        channel: spec.channel ?? 'stable',
        minHostVersion: spec.minHostVersion ?? '1.0.0',
        rolloutPercent: spec.rolloutPercent ?? 100,
        mandatory: spec.mandatory ?? false,
        paused: spec.paused ?? false,
        permissions: spec.permissions ?? [],
        bundle: spec.bundle,
        manifestBytes: spec.manifestBytes,
      },
      statement,
      release,
      served: spec.bundle,
      listed: true,
    };
    app.releases.push(published);
    return published;
  }

  /** The path of a release's documents and bundle (API-040, API-105, API-042). */
  static releasePath(appId: string, versionCode: number): string {
    return `/v1/releases/${appId}/${versionCode}.release.json`;
  }
  static statementPath(appId: string, versionCode: number): string {
    return `/v1/releases/${appId}/${versionCode}.statement.json`;
  }
  static bundlePath(sha256: string): string {
    return `/v1/bundles/sha256/${sha256}.ma`;
  }

  binPrefixOf(appId: string): string {
    return sha256Hex(new TextEncoder().encode(appId)).slice(0, this.binPrefixLength);
  }

  entryOf(app: AppState): BinEntryPayload {
    const pinned = app.pinnedDelegation ?? app.delegations.at(-1);
    return {
      delegation: {
        version: Number(pinned?.payload['version'] ?? 0),
        sha256: pinned?.sha256 ?? '',
      },
      releases: app.releases
        .filter((r) => r.listed)
        .map((r) => ({
          channel: r.spec.channel,
          versionCode: r.spec.versionCode,
          sha256: r.release.sha256,
          minHostVersion: r.spec.minHostVersion,
          rolloutPercent: r.spec.rolloutPercent,
          mandatory: r.spec.mandatory,
          paused: r.spec.paused,
        })),
      revokedReleases: [...new Set(app.revokedReleases)].sort(),
      revokedKeys: [...new Set(app.revokedKeys)].sort(),
    };
  }

  /** Every prefix of the index's length [SIG-100]. */
  prefixes(): string[] {
    if (this.binPrefixLength === 0) return [''];
    const count = 16 ** this.binPrefixLength;
    return Array.from({ length: count }, (_, i) =>
      i.toString(16).padStart(this.binPrefixLength, '0'),
    );
  }

  /**
   * Signs a new index and the bins it pins (every bin whose content changed gets a new version
   * [SIG-103]), and serves them at their consistent-snapshot addresses.
   */
  publish(faults: PublishFaults = {}): Publication {
    const now = new Date(Date.now() - 5_000);
    const bins = new Map<string, SignedBytes>();
    const pins: { prefix: string; version: number; sha256: string }[] = [];
    for (const prefix of this.prefixes()) {
      const apps: Record<string, BinEntryPayload> = {};
      for (const app of [...this.apps.values()].sort((a, b) => (a.appId < b.appId ? -1 : 1))) {
        if (this.binPrefixOf(app.appId) === prefix) apps[app.appId] = this.entryOf(app);
      }
      const previous = this.current?.bins.get(prefix);
      const version = (this.binVersions.get(prefix) ?? 0) + 1;
      let payload: Record<string, unknown> = {
        _type: 'bin',
        specVersion: '1.0',
        prefix,
        version,
        issuedAt: timestamp(now),
        apps,
      };
      payload = faults.binPayload?.(prefix, payload) ?? payload;
      const signers = faults.binSigners ?? this.signersOf('index');
      const signerIds = signers.map((k) => k.keyid).join(',');
      const unchanged =
        previous &&
        !faults.binPayload &&
        this.binSignerIds.get(prefix) === signerIds &&
        JSON.stringify(previous.payload['apps']) === JSON.stringify(apps);
      let signed: SignedBytes;
      if (unchanged) signed = previous;
      else {
        this.binVersions.set(prefix, version);
        this.binSignerIds.set(prefix, signerIds);
        signed = signPayload('bin', payload, signers);
      }
      const served = faults.binBytes?.(prefix, signed) ?? signed.bytes;
      const binVersion = Number(signed.payload['version']);
      const pathPrefix = prefix === '' ? 'all' : prefix;
      this.routes.set(`/v1/trust/bins/${pathPrefix}/${binVersion}.bin.json`, {
        body: served,
        type: 'application/json',
        cache: 'public, max-age=31536000, immutable',
      });
      bins.set(prefix, signed);
      pins.push({ prefix, version: binVersion, sha256: signed.sha256 });
    }
    const version = faults.indexVersion ?? this.nextIndexVersion;
    this.nextIndexVersion = Math.max(this.nextIndexVersion, version) + 1;
    const issuedAt = faults.indexIssuedAt ?? now;
    let indexPayload: Record<string, unknown> = {
      _type: 'index',
      specVersion: '1.0',
      version,
      issuedAt: timestamp(issuedAt),
      expires: timestamp(faults.indexExpires ?? new Date(issuedAt.getTime() + 12 * 60 * 60 * 1000)),
      binPrefixLength: this.binPrefixLength,
      bins: pins,
    };
    indexPayload = faults.indexPayload?.(indexPayload) ?? indexPayload;
    const index = signPayload(
      'index',
      indexPayload,
      faults.indexSigners ?? this.signersOf('index'),
    );
    this.routes.set(`/v1/trust/${String(indexPayload['version'])}.index.json`, {
      body: index.bytes,
      type: 'application/json',
      cache: 'public, max-age=31536000, immutable',
    });
    for (const app of this.apps.values()) {
      for (const r of app.releases) {
        const code = r.spec.versionCode;
        this.routes.set(TrustWorld.releasePath(app.appId, code), {
          body: r.release.bytes,
          type: 'application/json',
          cache: 'public, max-age=31536000, immutable',
        });
        this.routes.set(TrustWorld.statementPath(app.appId, code), {
          body: r.statement.bytes,
          type: 'application/json',
          cache: 'public, max-age=31536000, immutable',
        });
        this.routes.set(TrustWorld.bundlePath(digestOf(r.spec.bundle)), {
          body: r.served,
          type: 'application/miniapp-pkg+zip',
          cache: 'public, max-age=31536000, immutable',
        });
      }
    }
    this.current = { index, bins };
    return this.current;
  }

  /** Signs any document with the keys of a role (for cases that re-sign one document). */
  sign(kind: DocumentKind, payload: Record<string, unknown>, role: RoleName): SignedBytes {
    return signPayload(kind, payload, this.signersOf(role));
  }
}
