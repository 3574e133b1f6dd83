import { zipSync } from 'fflate';
import {
  createStatement,
  generateKeyPair,
  loadPrivateKey,
  verifyStatement,
  type PrivateKey,
} from '#sdk/signing/index.ts';
import type { TestServer } from '../test-server.ts';

const encoder = new TextEncoder();
const partnerKeys = new Map<string, PrivateKey>();

/** The signing key of a partner, made once per partner and registered for it by createApp. */
async function signingKey(partnerId: string): Promise<PrivateKey> {
  let key = partnerKeys.get(partnerId);
  if (!key) {
    key = loadPrivateKey((await generateKeyPair('Ed25519')).privateKeyPem);
    partnerKeys.set(partnerId, key);
  }
  return key;
}

/**
 * Registers an app of the partner directly in the store, with the partner's signing key, and lets the
 * (development) server delegate the app to that key, so its versions can be released [API-112].
 */
export async function createApp(
  server: Pick<TestServer, 'services'>,
  partnerId: string,
  appId: string,
): Promise<void> {
  const key = await signingKey(partnerId);
  await server.services.db.query('insert into apps (app_id, partner_id) values ($1, $2)', [
    appId,
    partnerId,
  ]);
  await server.services.db.query(
    'insert into partner_keys (keyid, partner_id, jwk) values ($1, $2, $3) on conflict (keyid) do nothing',
    [key.keyid, partnerId, JSON.stringify(key.publicJwk)],
  );
  await server.services.trust.delegations.sync([appId]);
}

/** The key a partner's statements are signed with in these tests. */
export async function partnerKeyOf(
  server: Pick<TestServer, 'services'>,
  appId: string,
): Promise<PrivateKey> {
  const { rows } = await server.services.db.query<{ partner_id: string }>(
    'select partner_id from apps where app_id = $1',
    [appId],
  );
  const partnerId = rows[0]?.partner_id;
  if (!partnerId) throw new Error(`no app ${appId}; create it with createApp first`);
  return signingKey(partnerId);
}

export interface PublishedVersion {
  appId: string;
  versionCode: number;
  sha256: string;
  length: number;
  bytes: Uint8Array;
  releaseSha256: string;
}

/**
 * An uploaded version with a real package in the bundle store, a real partner statement and a real
 * platform countersignature, in the given review status (approved by default).
 */
export async function publishVersion(
  server: Pick<TestServer, 'services'>,
  input: {
    appId: string;
    versionCode: number;
    minHostVersion?: string;
    status?: 'approved' | 'queued';
    name?: string;
    category?: string;
    i18n?: Record<string, Record<string, string>>;
  },
): Promise<PublishedVersion> {
  const version = `1.${String(input.versionCode)}.0`;
  const manifest = {
    specVersion: '1.0',
    id: input.appId,
    name: input.name ?? `App ${input.appId}`,
    version,
    versionCode: input.versionCode,
    minHostVersion: input.minHostVersion ?? '1.0.0',
    entryPage: 'pages/index.html',
    pages: ['pages/index.html'],
    icons: [{ src: 'icon.png', sizes: '192x192' }],
    category: input.category ?? 'shopping',
    defaultLocale: 'en',
  };
  const manifestBytes = encoder.encode(JSON.stringify(manifest));
  const files: Record<string, Uint8Array> = {
    'manifest.json': manifestBytes,
    'pages/index.html': encoder.encode(`<p>version ${version}</p>`),
    'icon.png': new Uint8Array(64),
  };
  for (const [locale, strings] of Object.entries(input.i18n ?? {})) {
    files[`i18n/${locale}.json`] = encoder.encode(JSON.stringify(strings));
  }
  const bytes = zipSync(files, { mtime: new Date('2026-01-01T00:00:00Z') });
  const key = await partnerKeyOf(server, input.appId);
  const statement = createStatement(
    {
      appId: input.appId,
      version,
      versionCode: input.versionCode,
      packageBytes: bytes,
      manifestBytes,
    },
    key,
  );
  const verified = verifyStatement(
    statement.bytes,
    { [key.keyid]: key.publicJwk },
    {
      appId: input.appId,
      package: { sha256: statement.payload.package.sha256, length: bytes.length },
    },
  );
  const stored = await server.services.bundles.put(
    bytes,
    bytes.length,
    () => new Error('too large'),
  );
  const release = await server.services.trust.countersign({
    statement: verified,
    minHostVersion: manifest.minHostVersion,
    permissions: [],
    url: `${server.services.config.publicUrl}/v1/bundles/sha256/${stored.sha256}.ma`,
  });
  await server.services.db.query(
    `insert into versions (app_id, version_code, version, package_sha256, package_length, manifest, statement,
                           statement_sha256, statement_keyid, status, review_report, release_envelope, release_sha256)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '{}'::jsonb, $11, $12)`,
    [
      input.appId,
      input.versionCode,
      version,
      stored.sha256,
      stored.length,
      JSON.stringify(manifest),
      Buffer.from(statement.bytes),
      statement.sha256,
      verified.keyid,
      input.status ?? 'approved',
      input.status === 'queued' ? null : Buffer.from(release.bytes),
      input.status === 'queued' ? null : release.sha256,
    ],
  );
  return {
    appId: input.appId,
    versionCode: input.versionCode,
    sha256: stored.sha256,
    length: stored.length,
    bytes,
    releaseSha256: release.sha256,
  };
}
