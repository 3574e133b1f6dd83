/**
 * A test-only distribution server that serves crafted metadata: a real trust root, index and release
 * metadata signed with the sdk's signing functions, and bundles packed by the sdk's packer, each of
 * which a test can corrupt in one precise way (a tampered bundle, a signature by the wrong key,
 * expired metadata, a downgrade, a body longer than signed, a revoked release, an incompatible
 * minHostVersion). It speaks the trust and bundle routes of the HTTP contract and nothing else.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { packDirectory } from '#sdk/package/index.ts';
import {
  createIndex,
  createRelease,
  createRoot,
  createStatement,
  generateKeyPair,
  loadPrivateKey,
  sha256Hex,
  type PrivateKey,
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
  /** Release metadata that expired already. */
  releaseExpired?: boolean;
  /** Serve other bytes than the signed ones. */
  serveBundle?: (signed: Uint8Array) => Uint8Array;
  /** Leave it out of the next index (it is published but not pinned). */
  unpinned?: boolean;
}

export interface PublishedRelease {
  appId: string;
  versionCode: number;
  channel: string;
  releaseBytes: Uint8Array;
  releaseSha256: string;
  bundle: Uint8Array;
  served: Uint8Array;
  packageSha256: string;
  keyid: string;
  pinned: boolean;
}

const day = 86_400_000;
/** The smallest valid PNG (1x1), so manifests can name their icon. */
const pixelPng = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk+A8AAQUBAScY42YAAAAASUVORK5CYII=',
    'base64',
  ),
);

export class FixtureDistribution {
  readonly releases: PublishedRelease[] = [];
  revokedReleases: string[] = [];
  revokedKeys: string[] = [];
  indexVersion = 0;
  /** Time the next index is issued at; its expiry follows. */
  indexIssuedAt: Date | undefined;
  indexLifetimeMs = day / 2;
  /** Serve this index version instead of a new one (a downgrade of the index). */
  frozenIndex: Uint8Array | undefined;
  #indexBytes: Uint8Array | undefined;
  available = true;
  /** Requests seen, for tests that assert what the host asked for. */
  readonly requests: string[] = [];

  private constructor(
    readonly server: Server,
    readonly url: string,
    readonly rootBytes: Uint8Array,
    readonly keys: {
      root: PrivateKey;
      release: PrivateKey;
      index: PrivateKey;
      partner: PrivateKey;
      stranger: PrivateKey;
    },
    private readonly workDir: string,
  ) {}

  static async start(): Promise<FixtureDistribution> {
    const load = async (): Promise<PrivateKey> =>
      loadPrivateKey((await generateKeyPair('Ed25519')).privateKeyPem);
    const keys = {
      root: await load(),
      release: await load(),
      index: await load(),
      partner: await load(),
      stranger: await load(),
    };
    const root = createRoot(
      {
        version: 1,
        expires: new Date(Date.now() + 365 * day),
        roles: {
          root: { keys: [keys.root.publicJwk], threshold: 1 },
          release: { keys: [keys.release.publicJwk], threshold: 1 },
          index: { keys: [keys.index.publicJwk], threshold: 1 },
        },
      },
      [keys.root],
    );
    const workDir = await mkdtemp(path.join(tmpdir(), 'omp-fixture-distribution-'));
    // The handler is created before the fixture it serves.
    const holder: { fixture?: FixtureDistribution } = {};
    const server = createServer((req, res) => {
      const fixture = holder.fixture;
      const url = new URL(req.url ?? '/', 'http://fixture');
      fixture?.requests.push(url.pathname);
      const send = (status: number, body: Uint8Array | string, type = 'application/json'): void => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      };
      if (!fixture || !fixture.available) {
        res.destroy();
        return;
      }
      if (url.pathname === '/v1/trust/root.json' || url.pathname === '/v1/trust/1.root.json')
        return send(200, fixture.rootBytes);
      if (/^\/v1\/trust\/\d+\.root\.json$/.test(url.pathname))
        return send(404, '{"code":"API_NOT_FOUND"}');
      if (url.pathname === '/v1/trust/index.json')
        return send(200, fixture.frozenIndex ?? fixture.index());
      const release = /^\/v1\/releases\/([^/]+)\/(\d+)\.release\.json$/.exec(url.pathname);
      if (release) {
        const found = fixture.releases.find(
          (r) =>
            r.appId === decodeURIComponent(release[1] ?? '') &&
            r.versionCode === Number(release[2]),
        );
        return found ? send(200, found.releaseBytes) : send(404, '{"code":"API_NOT_FOUND"}');
      }
      const bundle = /^\/v1\/bundles\/sha256\/([0-9a-f]{64})\.ma$/.exec(url.pathname);
      if (bundle) {
        const found = fixture.releases.find((r) => r.packageSha256 === bundle[1]);
        return found
          ? send(200, found.served, 'application/miniapp-pkg+zip')
          : send(404, '{"code":"API_NOT_FOUND"}');
      }
      return send(404, '{"code":"API_NOT_FOUND"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    holder.fixture = new FixtureDistribution(server, url, root.bytes, keys, workDir);
    return holder.fixture;
  }

  /** The trust root a host ships with, as the adapter's `init` takes it. */
  get trustRoot(): string {
    return Buffer.from(this.rootBytes).toString('base64');
  }

  /** The current index; a new version is signed whenever something changed. */
  index(): Uint8Array {
    if (!this.#indexBytes) {
      this.indexVersion++;
      const issuedAt = this.indexIssuedAt ?? new Date(Date.now() - 60_000);
      this.#indexBytes = createIndex(
        {
          version: this.indexVersion,
          issuedAt,
          expires: new Date(issuedAt.getTime() + this.indexLifetimeMs),
          releases: this.releases
            .filter((r) => r.pinned)
            .map((r) => ({
              appId: r.appId,
              channel: r.channel,
              versionCode: r.versionCode,
              sha256: r.releaseSha256,
            })),
          revokedReleases: this.revokedReleases,
          revokedKeys: this.revokedKeys,
        },
        [this.keys.index],
      ).bytes;
    }
    return this.#indexBytes;
  }

  /** Signs a new index on the next request. */
  changed(): void {
    this.#indexBytes = undefined;
  }

  async publish(options: PublishOptions): Promise<PublishedRelease> {
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
    const statement = createStatement(
      {
        appId: options.appId,
        version,
        versionCode: options.versionCode,
        packageBytes: packed.bytes,
        manifestBytes,
      },
      this.keys.partner,
    );
    const issuedAt = options.releaseExpired
      ? new Date(Date.now() - 3 * day)
      : new Date(Date.now() - 60_000);
    const expires = options.releaseExpired
      ? new Date(Date.now() - day)
      : new Date(Date.now() + 180 * day);
    const release = createRelease(
      {
        statement: {
          statement: statement.payload,
          keyid: this.keys.partner.keyid,
          sha256: statement.sha256,
        },
        minHostVersion: manifest.minHostVersion,
        permissions: Object.keys(options.permissions ?? {}),
        issuedAt,
        expires,
      },
      [options.releaseKey ?? this.keys.release],
    );
    const published: PublishedRelease = {
      appId: options.appId,
      versionCode: options.versionCode,
      channel: options.channel ?? 'stable',
      releaseBytes: release.bytes,
      releaseSha256: release.sha256,
      bundle: packed.bytes,
      served: options.serveBundle ? options.serveBundle(packed.bytes) : packed.bytes,
      packageSha256: packed.digest.sha256,
      keyid: this.keys.partner.keyid,
      pinned: options.unpinned !== true,
    };
    this.releases.push(published);
    this.changed();
    return published;
  }

  revoke(release: PublishedRelease): void {
    this.revokedReleases.push(release.releaseSha256);
    this.changed();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.workDir, { recursive: true, force: true });
  }
}

export { sha256Hex };
