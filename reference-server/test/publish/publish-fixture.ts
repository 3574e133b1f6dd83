import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import { packDirectory } from '#sdk/package/index.ts';
import {
  createStatement,
  generateKeyPair,
  loadPrivateKey,
  type PrivateKey,
} from '#sdk/signing/index.ts';
import { configurePublishing } from '../../src/publish/publish-settings.ts';
import { registerUploadParsing } from '../../src/publish/upload-parsing.ts';
import { encodeForm } from '../../src/publish/upload-form.ts';
import { bearer } from '../contract-assertions.ts';
import type { TestServer } from '../test-server.ts';

/** What a test needs of a server: the app to inject into and its services. */
export type PublishServer = Pick<TestServer, 'app' | 'services'>;

/** A partner as TestServer.partner() returns it. */
export interface FixturePartner {
  partnerId: string;
  token: string;
}

/** The files of a tiny mini-app; every member can be changed to build a bad one. */
export interface TinyAppOptions {
  appId: string;
  versionCode: number;
  version?: string;
  permissions?: Record<string, { reason: string }>;
  /** Replaces members of manifest.json (e.g. another id). */
  manifest?: Record<string, unknown>;
  /** Extra or replaced files, by package path. */
  files?: Record<string, string | Uint8Array>;
}

/** A packed package and the exact manifest bytes inside it. */
export interface TinyPackage {
  bytes: Uint8Array;
  manifestBytes: Uint8Array;
  sha256: string;
}

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** A solid-colour PNG, so the fixture's icon is a real image of the size the manifest states. */
export function solidPng(size: number): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(size * 3, 0x3c)]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: size }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', new Uint8Array()),
  ]);
}

/** Packs a tiny valid mini-app (or a deliberately altered one) with the toolkit's packer. */
export async function tinyPackage(options: TinyAppOptions): Promise<TinyPackage> {
  const dir = await mkdtemp(path.join(tmpdir(), 'miniapp-tiny-'));
  try {
    const manifest = {
      specVersion: '1.0',
      id: options.appId,
      name: 'Tiny',
      version: options.version ?? `1.0.${options.versionCode}`,
      versionCode: options.versionCode,
      minHostVersion: '1.0.0',
      entryPage: 'pages/index.html',
      pages: ['pages/index.html'],
      ...(options.permissions ? { permissions: options.permissions } : {}),
      icons: [{ src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' }],
      category: 'utilities',
      defaultLocale: 'en',
      ...options.manifest,
    };
    const files: Record<string, string | Uint8Array> = {
      'manifest.json': `${JSON.stringify(manifest, null, 2)}\n`,
      'pages/index.html':
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Tiny</title></head>' +
        '<body style="background:#2a6"><h1>Tiny app</h1></body></html>\n',
      'icons/icon-192.png': solidPng(192),
      ...options.files,
    };
    for (const [file, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), content);
    }
    const packed = await packDirectory(dir);
    return {
      bytes: packed.bytes,
      manifestBytes: Buffer.from(String(files['manifest.json'])),
      sha256: packed.digest.sha256,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const partnerKeys = new WeakMap<PublishServer['services'], Map<string, PrivateKey>>();

/** An Ed25519 key registered for the partner with SQL (one per partner and server, reused). */
export async function partnerSigningKey(
  server: PublishServer,
  partnerId: string,
): Promise<PrivateKey> {
  let keys = partnerKeys.get(server.services);
  if (!keys) {
    keys = new Map();
    partnerKeys.set(server.services, keys);
  }
  const known = keys.get(partnerId);
  if (known) return known;
  const key = await unregisteredKey();
  await server.services.db.query(
    'insert into partner_keys (keyid, partner_id, jwk) values ($1, $2, $3)',
    [key.keyid, partnerId, JSON.stringify(key.publicJwk)],
  );
  keys.set(partnerId, key);
  // [SIG-080] the (development) server delegates the partner's apps to the new key.
  await server.services.trust.delegations.partnerKeysChanged(partnerId);
  return key;
}

/** A fresh key no server knows. */
export async function unregisteredKey(): Promise<PrivateKey> {
  return loadPrivateKey((await generateKeyPair('Ed25519')).privateKeyPem);
}

/** The app row for a partner, created with SQL when missing. */
export async function ensureApp(
  server: PublishServer,
  partnerId: string,
  appId: string,
): Promise<void> {
  await server.services.db.query(
    'insert into apps (app_id, partner_id) values ($1, $2) on conflict (app_id) do nothing',
    [appId, partnerId],
  );
  await server.services.trust.delegations.sync([appId]);
}

/** Every file below `dir` (none when it does not exist), to show what an upload left on disk. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** A multipart/form-data body with the given parts in the given order (Node's FormData). */
export const multipartBody = encodeForm;

/** Makes the upload route readable on a server whose app.ts does not register the parser yet. */
export function prepareForUploads(server: PublishServer, screenshots = false): void {
  registerUploadParsing(server.app);
  configurePublishing(server.services, { screenshots });
}

/** PUTs a statement and a package, in that order, as the partner. */
export async function uploadPackage(
  server: PublishServer,
  token: string,
  appId: string,
  statementBytes: Uint8Array,
  packageBytes: Uint8Array,
): Promise<LightMyRequestResponse> {
  const body = await multipartBody([
    { name: 'statement', type: 'application/json', bytes: statementBytes },
    { name: 'package', type: 'application/miniapp-pkg+zip', bytes: packageBytes },
  ]);
  return server.app.inject({
    method: 'PUT',
    url: `/v1/partner/apps/${appId}/versions`,
    headers: { ...bearer(token), ...body.headers },
    payload: body.payload,
  });
}

/** Packs, signs and uploads one version of a tiny app as the partner; returns the raw response. */
export async function uploadTinyVersion(
  server: PublishServer,
  partner: FixturePartner,
  options: TinyAppOptions,
): Promise<{ response: LightMyRequestResponse; pkg: TinyPackage }> {
  await ensureApp(server, partner.partnerId, options.appId);
  const key = await partnerSigningKey(server, partner.partnerId);
  const pkg = await tinyPackage(options);
  const manifest = JSON.parse(Buffer.from(pkg.manifestBytes).toString('utf8')) as {
    version: string;
    versionCode: number;
  };
  const statement = createStatement(
    {
      appId: options.appId,
      version: manifest.version,
      versionCode: manifest.versionCode,
      packageBytes: pkg.bytes,
      manifestBytes: pkg.manifestBytes,
    },
    key,
  );
  const response = await uploadPackage(
    server,
    partner.token,
    options.appId,
    statement.bytes,
    pkg.bytes,
  );
  return { response, pkg };
}

/** What publishApprovedVersion returns. */
export interface PublishedVersion {
  versionCode: number;
  packageSha256: string;
  releaseSha256: string;
  /** The exact .ma bytes. */
  bytes: Uint8Array;
}

/**
 * Creates the app if needed, registers a partner key, packs a tiny valid mini-app, signs its statement,
 * uploads it through the API and approves it through the API as a reviewer (unless it was approved
 * without review [REV-015]). Other groups' tests use this to get a released-ready version.
 */
export async function publishApprovedVersion(
  server: PublishServer & Partial<Pick<TestServer, 'reviewer'>>,
  options: TinyAppOptions & { partner: FixturePartner; reviewerToken?: string },
): Promise<PublishedVersion> {
  if (!server.app.hasContentTypeParser('multipart/form-data')) prepareForUploads(server);
  configurePublishing(server.services, { screenshots: false });
  const { partner, reviewerToken, ...app } = options;
  const { response, pkg } = await uploadTinyVersion(server, partner, app);
  if (response.statusCode !== 201 && response.statusCode !== 200) {
    throw new Error(`upload answered ${response.statusCode}: ${response.body}`);
  }
  const version = response.json() as { reviewStatus: string };
  if (version.reviewStatus === 'queued') {
    let token = reviewerToken;
    if (!token) {
      if (!server.reviewer) throw new Error('pass reviewerToken or a TestServer with reviewer()');
      token = (await server.reviewer()).token;
    }
    const decision = await server.app.inject({
      method: 'POST',
      url: `/v1/review/${app.appId}/${app.versionCode}/decision`,
      headers: bearer(token),
      payload: { decision: 'approve' },
    });
    if (decision.statusCode !== 200) {
      throw new Error(`approval answered ${decision.statusCode}: ${decision.body}`);
    }
  } else if (version.reviewStatus !== 'approved') {
    throw new Error(`the version is ${version.reviewStatus}: ${response.body}`);
  }
  const { rows } = await server.services.db.query<{ release_sha256: string }>(
    'select release_sha256 from versions where app_id = $1 and version_code = $2',
    [app.appId, app.versionCode],
  );
  const releaseSha256 = rows[0]?.release_sha256;
  if (!releaseSha256) throw new Error('the approved version has no release envelope');
  return {
    versionCode: app.versionCode,
    packageSha256: pkg.sha256,
    releaseSha256,
    bytes: pkg.bytes,
  };
}
