import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { components } from '#schemas/generated/distribution/openapi.ts';
import { packDirectory } from '#sdk/package/index.ts';
import { createStatement, type PrivateKey } from '#sdk/signing/index.ts';
import type { Services } from '../services.ts';
import {
  ensureDevAccount,
  newDevDeviceId,
  readDevCredentials,
  reuseOrIssue,
  writeDevCredentials,
  type DevCredentials,
} from './dev-credentials.ts';
import { loadDevPartnerKey } from './dev-partner-key.ts';
import { LoopbackApi, SeedError } from './loopback-api.ts';
import { encodeForm } from '../publish/upload-form.ts';

type Schemas = components['schemas'];

/** The partner that owns the seeded examples; its name is how a restart recognises it. */
export const examplesPartnerName = 'Open Mini-App Examples';

/** The example mini-apps of the repository, seeded in this order. */
export const exampleNames = ['shop', 'places', 'notes'] as const;

/**
 * The products the examples sell, priced on the platform's own price list [API-055] [API-092]: the
 * shop's payment.pay names these ids, and the host shows these prices in its payment sheet [BRG-200].
 */
export const exampleProducts: Readonly<
  Record<
    string,
    readonly { productId: string; kind: 'consumable'; price: { currency: string; minor: number } }[]
  >
> = {
  'dev.openminiapp.examples.shop': [
    { productId: 'croissant', kind: 'consumable', price: { currency: 'EUR', minor: 180 } },
    { productId: 'baguette', kind: 'consumable', price: { currency: 'EUR', minor: 130 } },
    { productId: 'eclair', kind: 'consumable', price: { currency: 'EUR', minor: 320 } },
    { productId: 'lemon-tart', kind: 'consumable', price: { currency: 'EUR', minor: 450 } },
  ],
};

/** The repository's examples folder, found from this file so the working directory does not matter. */
export const defaultExamplesDir = fileURLToPath(new URL('../../../examples/', import.meta.url));

/** What one seeded example ended up as. */
export interface SeededApp {
  appId: string;
  name: string;
  versionCode: number;
  /** True when this run uploaded the version; false when an earlier start had. */
  uploaded: boolean;
  /** True when this run created the stable release. */
  released: boolean;
}

/** The outcome of start-up seeding. */
export type SeedOutcome =
  | { state: 'seeded'; partnerId: string; apps: SeededApp[]; credentials: DevCredentials }
  /** The store holds other partners' apps: a real deployment, left untouched. */
  | { state: 'skipped'; reason: string };

interface ExampleManifest {
  id: string;
  name: string;
  version: string;
  versionCode: number;
  category: string;
}

/**
 * Seeds the example platform through its own HTTP API, in-process: a development partner, admin,
 * reviewer and host credentials, and each example packed, signed, uploaded, reviewed and released on
 * stable at 100%. Runs only on a store without apps, or to finish the examples of an earlier start;
 * every step first looks at what exists, so a second run changes nothing and an interrupted run resumes.
 */
export async function seedPlatform(
  app: FastifyInstance,
  services: Services,
  options: { examplesDir?: string } = {},
): Promise<SeedOutcome> {
  const { db, config } = services;
  const examplesDir = options.examplesDir ?? defaultExamplesDir;
  const existingPartner = await db.query<{ id: string }>(
    'select id from partners where name = $1 order by created_at limit 1',
    [examplesPartnerName],
  );
  const foreignApps = await db.query<{ count: number }>(
    `select count(*)::integer as count from apps
      where partner_id is distinct from $1`,
    [existingPartner.rows[0]?.id ?? null],
  );
  if ((foreignApps.rows[0]?.count ?? 0) > 0) {
    return { state: 'skipped', reason: 'the store already holds apps of other partners' };
  }
  if (!services.trust.delegations.online) {
    // [SIG-072] without the delegation key no example could be released; an operator signs offline.
    return {
      state: 'skipped',
      reason:
        'the delegation key is offline (a production trust root): examples could not be released',
    };
  }

  const api = new LoopbackApi(app);
  const stored = await readDevCredentials(config.dataDir);
  const adminId = await ensureDevAccount(db, 'admin');
  const admin = await reuseOrIssue(db, stored.admin, { kind: 'session', accountId: adminId });
  // The partner is admitted through the admin API, as an operator would.
  const partnerId =
    existingPartner.rows[0]?.id ??
    (
      (
        await api.send('createPartner', {
          method: 'POST',
          url: '/v1/admin/partners',
          token: admin.token,
          // A development platform takes only sandbox payments, which need test principals [API-058].
          json: { name: examplesPartnerName, test: true },
          expect: [201],
        })
      ).json() as Schemas['Partner']
    ).partnerId;
  const developerId = await ensureDevAccount(db, 'partner', partnerId);
  const partner = await reuseOrIssue(db, stored.partner, {
    kind: 'session',
    accountId: developerId,
  });
  const reviewerId = await ensureDevAccount(db, 'reviewer');
  const reviewer = await reuseOrIssue(db, stored.reviewer, {
    kind: 'session',
    accountId: reviewerId,
  });
  const deviceId = stored.hostDevice?.deviceId ?? newDevDeviceId();
  const hostDevice = await reuseOrIssue(db, stored.hostDevice?.token, {
    kind: 'host_device',
    subject: deviceId,
    test: true,
  });
  const userId = stored.hostUser?.userId ?? 'dev-user';
  const hostUser = await reuseOrIssue(db, stored.hostUser?.token, {
    kind: 'host_user',
    subject: userId,
    test: true,
  });
  const credentials: DevCredentials = {
    admin: admin.token,
    reviewer: reviewer.token,
    partner: partner.token,
    hostDevice: { token: hostDevice.token, deviceId },
    hostUser: { token: hostUser.token, userId },
  };
  if ([admin, partner, reviewer, hostDevice, hostUser].some((c) => c.issued)) {
    await writeDevCredentials(config.dataDir, credentials);
  }

  const key = await loadDevPartnerKey(config.dataDir);
  // [API-066] registering the same key again answers 200 with the existing key.
  await api.send('registerPartnerKey', {
    method: 'POST',
    url: '/v1/partner/keys',
    token: partner.token,
    json: { label: 'Development key of the seeded examples', jwk: key.publicJwk },
    expect: [200, 201],
  });
  const apps: SeededApp[] = [];
  for (const name of exampleNames) {
    apps.push(
      await seedExample(api, path.join(examplesDir, name), key, {
        partner: partner.token,
        reviewer: reviewer.token,
      }),
    );
  }
  return { state: 'seeded', partnerId, apps, credentials };
}

async function seedExample(
  api: LoopbackApi,
  dir: string,
  key: PrivateKey,
  tokens: { partner: string; reviewer: string },
): Promise<SeededApp> {
  const manifestBytes = await readFile(path.join(dir, 'manifest.json'));
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as ExampleManifest;
  const appId = manifest.id;
  const appUrl = `/v1/partner/apps/${appId}`;
  const existingApp = await api.read<Schemas['App']>('getPartnerApp', appUrl, tokens.partner);
  if (!existingApp) {
    await api.send('createApp', {
      method: 'POST',
      url: '/v1/partner/apps',
      token: tokens.partner,
      json: { appId, name: manifest.name, category: manifest.category },
      expect: [201],
    });
  }

  let version = await api.read<Schemas['Version']>(
    'getVersion',
    `${appUrl}/versions/${String(manifest.versionCode)}`,
    tokens.partner,
  );
  const uploaded = version === null;
  if (!version) {
    const packed = await packDirectory(dir);
    // [SIG-020] the partner statement binds app id, versionCode, package digest and manifest bytes.
    const statement = createStatement(
      {
        appId,
        version: manifest.version,
        versionCode: manifest.versionCode,
        packageBytes: packed.bytes,
        manifestBytes,
      },
      key,
    );
    const body = await encodeForm([
      { name: 'statement', type: 'application/json', bytes: statement.bytes },
      { name: 'package', type: 'application/miniapp-pkg+zip', bytes: packed.bytes },
    ]);
    const response = await api.send('uploadVersion', {
      method: 'PUT',
      url: `${appUrl}/versions`,
      token: tokens.partner,
      payload: body.payload,
      headers: body.headers,
      expect: [200, 201],
    });
    version = response.json() as Schemas['Version'];
  }
  if (version.reviewStatus === 'queued') {
    // [API-084] the approval countersigns the version before it becomes approved.
    await api.send('decideReview', {
      method: 'POST',
      url: `/v1/review/${appId}/${String(manifest.versionCode)}/decision`,
      token: tokens.reviewer,
      json: { decision: 'approve' },
      expect: [200],
    });
  } else if (version.reviewStatus !== 'approved') {
    throw new SeedError(`review of ${appId}`, 409, `status ${version.reviewStatus}`);
  }

  const releases = await api.read<Schemas['ReleasePage']>(
    'listReleases',
    `${appUrl}/releases`,
    tokens.partner,
  );
  const live = (releases?.items ?? []).some(
    (r) =>
      r.versionCode === manifest.versionCode &&
      r.channel === 'stable' &&
      r.state !== 'rolledBack' &&
      r.state !== 'revoked',
  );
  if (!live) {
    await api.send('createRelease', {
      method: 'POST',
      url: `${appUrl}/releases`,
      token: tokens.partner,
      json: {
        versionCode: manifest.versionCode,
        channel: 'stable',
        rolloutPercent: 100,
        mandatory: false,
      },
      expect: [201],
    });
  }
  // [API-092] the partner prices what the app sells; defining a product again changes nothing.
  for (const product of exampleProducts[appId] ?? []) {
    await api.send('putProduct', {
      method: 'PUT',
      url: `${appUrl}/products/${product.productId}`,
      token: tokens.partner,
      json: { kind: product.kind, price: product.price },
      expect: [200],
    });
  }
  return {
    appId,
    name: manifest.name,
    versionCode: manifest.versionCode,
    uploaded,
    released: !live,
  };
}
