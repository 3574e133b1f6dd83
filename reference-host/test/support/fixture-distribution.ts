/**
 * A test-only distribution server that serves the trust documents of spec/signing.md
 * (1.0.0-draft.2), signed with the sdk's own functions: roots (and rotations), an index over 16 bins,
 * per-app delegations, partner statements, release envelopes and bundles packed by the sdk's packer.
 * A test corrupts one thing at a time: a tampered bundle, a release signed by a key the root does not
 * name, a statement signed by a key the delegation does not list, an expired index or delegation, a
 * downgraded index or delegation, a release below the installed one, a body longer than signed, a
 * revoked release or key, a bin that does not match its pin, an incompatible minHostVersion.
 * It speaks the public trust, release and bundle routes of the HTTP contract and nothing else.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { packDirectory } from '#sdk/package/index.ts';
import {
  allBinPrefixes,
  binPrefixOf,
  createBin,
  createDelegation,
  createIndex,
  createRelease,
  createRoot,
  createStatement,
  generateKeyPair,
  loadPrivateKey,
  payloadTypes,
  sha256Hex,
  signDocument,
  type AppEntry,
  type PrivateKey,
  type PublicJwk,
} from '#sdk/signing/index.ts';

export interface FixtureFiles {
  [path: string]: string | Uint8Array;
}

export interface PublishOptions {
  appId: string;
  versionCode: number;
  version?: string;
  name?: string;
  minHostVersion?: string;
  permissions?: Record<string, { reason: string }>;
  allowedDomains?: string[];
  pages?: string[];
  subpackages?: { root: string; name: string; pages: string[] }[];
  /** Files besides manifest.json and the icon; pages default to a page that loads the probe. */
  files: FixtureFiles;
  channel?: 'stable' | 'beta';
  /** Sign the release metadata with this key instead of the release role's. */
  releaseKey?: PrivateKey;
  /** Sign the partner statement with this key instead of the partner's delegated key. */
  statementKey?: PrivateKey;
  /** Written as a payload of a later minor version with these members added [SIG-077] [SIG-078]. */
  releaseFromTheFuture?: { specVersion: string; members: Record<string, unknown> };
  /** When the platform countersigned it (release metadata never expires, SIG-095). */
  releaseIssuedAt?: Date;
  /** Serve other bytes than the signed ones. */
  serveBundle?: (signed: Uint8Array) => Uint8Array;
  /** Leave it out of the bins (it is published but not pinned). */
  unpinned?: boolean;
  mandatory?: boolean;
  rolloutPercent?: number;
}

export interface PublishedRelease {
  appId: string;
  versionCode: number;
  channel: string;
  minHostVersion: string;
  releaseBytes: Uint8Array;
  releaseSha256: string;
  statementBytes: Uint8Array;
  bundle: Uint8Array;
  served: Uint8Array;
  packageSha256: string;
  keyid: string;
  pinned: boolean;
  mandatory: boolean;
  rolloutPercent: number;
}

interface DelegationVersion {
  version: number;
  bytes: Uint8Array;
  sha256: string;
}

const day = 86_400_000;
/** The smallest valid PNG (1x1), so manifests can name their icon. */
const pixelPng = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk+A8AAQUBAScY42YAAAAASUVORK5CYII=',
    'base64',
  ),
);

const newKey = async (): Promise<PrivateKey> =>
  loadPrivateKey((await generateKeyPair('Ed25519')).privateKeyPem);

export interface FixtureKeys {
  root: PrivateKey;
  delegation: PrivateKey;
  release: PrivateKey;
  index: PrivateKey;
  /** The partner's key every delegation lists by default. */
  partner: PrivateKey;
  /** A key nobody delegates or trusts. */
  stranger: PrivateKey;
}

export class FixtureDistribution {
  readonly releases: PublishedRelease[] = [];
  revokedReleases: string[] = [];
  revokedKeys: string[] = [];
  /** Roots by version; the host ships with the first. */
  readonly roots: Uint8Array[] = [];
  readonly binPrefixLength = 1;
  /** Time the next index is issued at; its expiry follows. */
  indexIssuedAt: Date | undefined;
  indexLifetimeMs = day / 2;
  /** Serve this index instead of the current one (a downgrade of the index). */
  frozenIndex: Uint8Array | undefined;
  /** Keep revoked releases and releases of revoked keys in the bins, as a faulty server would. */
  pinRevoked = false;
  /** Serve other bytes for every bin than the index pins. */
  binTamper: ((signed: Uint8Array) => Uint8Array) | undefined;
  available = true;
  /** Requests seen, for tests that assert what the host asked for. */
  readonly requests: string[] = [];
  /** When each bundle response's last byte was written (epoch ms), in order. */
  readonly bundleEndedAt: number[] = [];
  /** Analytics batches received, with the credential they came with. */
  readonly analytics: { authorization: string | undefined; batch: { events: unknown[] } }[] = [];
  readonly #delegations = new Map<string, DelegationVersion[]>();
  /** Per app: pin this delegation version instead of the newest (a rollback of the delegation). */
  readonly pinnedDelegation = new Map<string, number>();
  readonly #indexes: Uint8Array[] = [];
  readonly #bins = new Map<string, { version: number; content: string; bytes: Uint8Array }[]>();
  #current: Uint8Array | undefined;

  private constructor(
    readonly server: Server,
    readonly url: string,
    readonly keys: FixtureKeys,
    private readonly workDir: string,
  ) {}

  static async start(): Promise<FixtureDistribution> {
    const keys: FixtureKeys = {
      root: await newKey(),
      delegation: await newKey(),
      release: await newKey(),
      index: await newKey(),
      partner: await newKey(),
      stranger: await newKey(),
    };
    const workDir = await mkdtemp(path.join(tmpdir(), 'omp-fixture-distribution-'));
    // The handler is created before the fixture it serves.
    const holder: { fixture?: FixtureDistribution } = {};
    const server = createServer((req, res) => {
      const fixture = holder.fixture;
      if (!fixture || !fixture.available) {
        res.destroy();
        return;
      }
      const url = new URL(req.url ?? '/', 'http://fixture');
      fixture.requests.push(url.pathname);
      if (req.method === 'POST' && url.pathname === '/v1/analytics/events') {
        const parts: Buffer[] = [];
        req.on('data', (chunk: Buffer) => parts.push(chunk));
        req.on('end', () => {
          const batch = JSON.parse(Buffer.concat(parts).toString('utf8')) as { events: unknown[] };
          fixture.analytics.push({ authorization: req.headers.authorization, batch });
          res.writeHead(202, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ accepted: batch.events.length, dropped: [] }));
        });
        return;
      }
      const body = fixture.#route(decodeURIComponent(url.pathname));
      if (!body) {
        res.writeHead(404, { 'content-type': 'application/problem+json' });
        res.end(
          '{"type":"https://openminiapp.dev/errors/API_NOT_FOUND","title":"Not found","status":404,"code":"API_NOT_FOUND"}',
        );
        return;
      }
      res.writeHead(200, { 'content-type': body.type, 'cache-control': 'no-store' });
      // When the last byte of each bundle was sent (the start of spec/budgets.md's verification
      // window), in epoch milliseconds, as the conformance server records it: when the response closed.
      if (url.pathname.startsWith('/v1/bundles/'))
        res.on('close', () => fixture.bundleEndedAt.push(Date.now()));
      res.end(body.bytes);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const fixture = new FixtureDistribution(server, url, keys, workDir);
    fixture.roots.push(fixture.#root(1, keys.root, [keys.root]));
    holder.fixture = fixture;
    return fixture;
  }

  #root(version: number, rootKey: PrivateKey, signers: PrivateKey[]): Uint8Array {
    const role = (key: PrivateKey): { keys: PublicJwk[]; threshold: number } => ({
      keys: [key.publicJwk],
      threshold: 1,
    });
    return createRoot(
      {
        version,
        expires: new Date(Date.now() + 365 * day),
        roles: {
          root: role(rootKey),
          delegation: role(this.keys.delegation),
          release: role(this.keys.release),
          index: role(this.keys.index),
        },
      },
      signers,
    ).bytes;
  }

  /** Publishes `count` successor roots, each signed by the old and the new root key [SIG-052]. */
  async rotateRoot(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const next = await newKey();
      const signers = [this.keys.root, next];
      this.roots.push(this.#root(this.roots.length + 1, next, signers));
      this.keys.root = next;
    }
  }

  #route(pathname: string): { bytes: Uint8Array | string; type: string } | undefined {
    const json = (
      bytes: Uint8Array | undefined,
    ): { bytes: Uint8Array; type: string } | undefined =>
      bytes ? { bytes, type: 'application/json' } : undefined;
    if (pathname === '/v1/trust/root.json') return json(this.roots[this.roots.length - 1]);
    const root = /^\/v1\/trust\/(\d+)\.root\.json$/.exec(pathname);
    if (root) return json(this.roots[Number(root[1]) - 1]);
    if (pathname === '/v1/trust/index.json') return json(this.frozenIndex ?? this.index());
    const index = /^\/v1\/trust\/(\d+)\.index\.json$/.exec(pathname);
    if (index) return json(this.#indexes[Number(index[1]) - 1]);
    const bin = /^\/v1\/trust\/bins\/([0-9a-f]+|all)\/(\d+)\.bin\.json$/.exec(pathname);
    if (bin) {
      const prefix = bin[1] === 'all' ? '' : (bin[1] ?? '');
      const found = this.#bins.get(prefix)?.find((b) => b.version === Number(bin[2]));
      return json(found && (this.binTamper ? this.binTamper(found.bytes) : found.bytes));
    }
    const delegation = /^\/v1\/delegations\/([^/]+)\/(\d+)\.delegation\.json$/.exec(pathname);
    if (delegation) {
      const versions = this.#delegations.get(delegation[1] ?? '');
      return json(versions?.find((d) => d.version === Number(delegation[2]))?.bytes);
    }
    const release = /^\/v1\/releases\/([^/]+)\/(\d+)\.(release|statement)\.json$/.exec(pathname);
    if (release) {
      const found = this.releases.findLast(
        (r) => r.appId === release[1] && r.versionCode === Number(release[2]),
      );
      return json(release[3] === 'release' ? found?.releaseBytes : found?.statementBytes);
    }
    const bundle = /^\/v1\/bundles\/sha256\/([0-9a-f]{64})\.ma$/.exec(pathname);
    if (bundle) {
      const found = this.releases.find((r) => r.packageSha256 === bundle[1]);
      return found && { bytes: found.served, type: 'application/miniapp-pkg+zip' };
    }
    return undefined;
  }

  /** The trust root a host ships with, as the adapter's `init` takes it. */
  get trustRoot(): string {
    return Buffer.from(this.roots[0] ?? new Uint8Array()).toString('base64');
  }

  /**
   * Signs a new delegation version of an app [SIG-080] listing `keys` (the partner's key by
   * default); `issuedAt` and `expires` default to a year of validity from a minute ago.
   */
  delegate(
    appId: string,
    options: { keys?: PrivateKey[]; threshold?: number; issuedAt?: Date; expires?: Date } = {},
  ): number {
    const versions = this.#delegations.get(appId) ?? [];
    const version = versions.length + 1;
    const issuedAt = options.issuedAt ?? new Date(Date.now() - 60_000);
    const signed = createDelegation(
      {
        appId,
        version,
        issuedAt,
        expires: options.expires ?? new Date(issuedAt.getTime() + 365 * day),
        keys: (options.keys ?? [this.keys.partner]).map((k) => k.publicJwk),
        threshold: options.threshold ?? 1,
      },
      [this.keys.delegation],
    );
    versions.push({ version, bytes: signed.bytes, sha256: signed.sha256 });
    this.#delegations.set(appId, versions);
    this.changed();
    return version;
  }

  /** The entry of every app with a delegation, as the bins list them [SIG-104] to [SIG-106]. */
  #entries(): Record<string, AppEntry> {
    const entries: Record<string, AppEntry> = {};
    for (const [appId, versions] of this.#delegations) {
      const wanted = this.pinnedDelegation.get(appId);
      const pinned = versions.find((d) => d.version === wanted) ?? versions[versions.length - 1];
      if (!pinned) continue;
      const own = this.releases.filter((r) => r.appId === appId);
      entries[appId] = {
        delegation: { version: pinned.version, sha256: pinned.sha256 },
        releases: own
          .filter(
            (r) =>
              r.pinned &&
              (this.pinRevoked ||
                (!this.revokedReleases.includes(r.releaseSha256) &&
                  !this.revokedKeys.includes(r.keyid))),
          )
          .map((r) => ({
            channel: r.channel,
            versionCode: r.versionCode,
            sha256: r.releaseSha256,
            minHostVersion: r.minHostVersion,
            rolloutPercent: r.rolloutPercent,
            mandatory: r.mandatory,
            paused: false,
          })),
        revokedReleases: own
          .map((r) => r.releaseSha256)
          .filter((sha) => this.revokedReleases.includes(sha)),
        revokedKeys: [...this.revokedKeys],
      };
    }
    return entries;
  }

  /** The current index; the bins whose content changed and a new index are signed on demand. */
  index(): Uint8Array {
    if (this.#current) return this.#current;
    const entries = this.#entries();
    const issuedAt = this.indexIssuedAt ?? new Date(Date.now() - 60_000);
    const pins = allBinPrefixes(this.binPrefixLength).map((prefix) => {
      const apps = Object.fromEntries(
        Object.entries(entries).filter(
          ([appId]) => binPrefixOf(appId, this.binPrefixLength) === prefix,
        ),
      );
      const content = JSON.stringify(apps);
      const history = this.#bins.get(prefix) ?? [];
      let latest = history[history.length - 1];
      if (!latest || latest.content !== content) {
        const version = (latest?.version ?? 0) + 1;
        const bytes = createBin({ prefix, version, issuedAt, apps }, [this.keys.index]).bytes;
        latest = { version, content, bytes };
        history.push(latest);
        this.#bins.set(prefix, history);
      }
      return { prefix, version: latest.version, sha256: sha256Hex(latest.bytes) };
    });
    const bytes = createIndex(
      {
        version: this.#indexes.length + 1,
        issuedAt,
        expires: new Date(issuedAt.getTime() + this.indexLifetimeMs),
        binPrefixLength: this.binPrefixLength,
        bins: pins,
      },
      [this.keys.index],
    ).bytes;
    this.#indexes.push(bytes);
    this.#current = bytes;
    return bytes;
  }

  /** Signs a new index on the next request. */
  changed(): void {
    this.#current = undefined;
  }

  async publish(options: PublishOptions): Promise<PublishedRelease> {
    if (!this.#delegations.has(options.appId)) this.delegate(options.appId);
    const dir = path.join(
      this.workDir,
      `${options.appId}-${options.versionCode}-${this.releases.length}`,
    );
    const version = options.version ?? `1.0.${options.versionCode}`;
    const pages = options.pages ?? ['index.html'];
    const manifest = {
      specVersion: '1.0',
      id: options.appId,
      name: options.name ?? `Fixture ${options.appId.split('.').pop() ?? ''}`,
      version,
      versionCode: options.versionCode,
      minHostVersion: options.minHostVersion ?? '1.0.0',
      entryPage: pages[0],
      pages,
      ...(options.subpackages ? { subpackages: options.subpackages } : {}),
      ...(options.permissions ? { permissions: options.permissions } : {}),
      ...(options.allowedDomains ? { allowedDomains: options.allowedDomains } : {}),
      icons: [{ src: 'icon.png', sizes: '192x192', type: 'image/png' }],
      category: 'utilities',
      defaultLocale: 'en',
    };
    const files: FixtureFiles = {
      ...options.files,
      'manifest.json': JSON.stringify(manifest, null, 2),
      'icon.png': pixelPng,
    };
    for (const [file, content] of Object.entries(files)) {
      const target = path.join(dir, file);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    const packed = await packDirectory(dir);
    const manifestBytes = new TextEncoder().encode(String(files['manifest.json']));
    const partner = options.statementKey ?? this.keys.partner;
    const statement = createStatement(
      {
        appId: options.appId,
        version,
        versionCode: options.versionCode,
        packageBytes: packed.bytes,
        manifestBytes,
      },
      partner,
    );
    const countersigned = createRelease(
      {
        statement: { statement: statement.payload, keyid: partner.keyid, sha256: statement.sha256 },
        minHostVersion: manifest.minHostVersion,
        permissions: Object.keys(options.permissions ?? {}),
        issuedAt: options.releaseIssuedAt ?? new Date(Date.now() - 60_000),
      },
      [options.releaseKey ?? this.keys.release],
    );
    const future = options.releaseFromTheFuture;
    const release = future
      ? signDocument(
          payloadTypes.release,
          { ...countersigned.payload, specVersion: future.specVersion, ...future.members },
          [options.releaseKey ?? this.keys.release],
        )
      : countersigned;
    const published: PublishedRelease = {
      appId: options.appId,
      versionCode: options.versionCode,
      channel: options.channel ?? 'stable',
      minHostVersion: manifest.minHostVersion,
      releaseBytes: release.bytes,
      releaseSha256: release.sha256,
      statementBytes: statement.bytes,
      bundle: packed.bytes,
      served: options.serveBundle ? options.serveBundle(packed.bytes) : packed.bytes,
      packageSha256: packed.digest.sha256,
      keyid: partner.keyid,
      pinned: options.unpinned !== true,
      mandatory: options.mandatory ?? false,
      rolloutPercent: options.rolloutPercent ?? 100,
    };
    this.releases.push(published);
    this.changed();
    return published;
  }

  revoke(release: PublishedRelease): void {
    this.revokedReleases.push(release.releaseSha256);
    this.changed();
  }

  revokeKey(key: PrivateKey): void {
    this.revokedKeys.push(key.keyid);
    this.changed();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.workDir, { recursive: true, force: true });
  }
}

export { newKey, sha256Hex };
