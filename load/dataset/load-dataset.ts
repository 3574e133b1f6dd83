import {
  createStatement,
  generateKeyPair,
  loadPrivateKey,
  signDelegationPayload,
  type AppEntry,
  type Bin,
  type Delegation,
  type PrivateKey,
  type ReleaseIndex,
} from '#sdk/signing/index.ts';
import { eachLimited, LoadSetupError, type LoadApi } from './load-api.ts';
import {
  loadAppId,
  loadPackage,
  verify2mAppId,
  verify2mPackage,
  type LoadPackage,
} from './load-packages.ts';
import type { HostDevice, LoadPrincipals } from './load-principals.ts';

/**
 * The data set of spec/conformance.md ("Server load"), created through the API before any load:
 * one partner, 200 apps `dev.openminiapp.load.a000` to `.a199`, each with versions 1, 2 and 3
 * approved and released on `stable` at 100 %, 1,000 host device credentials, and the 2 MiB
 * reference package of spec/budgets.md released the same way (its bundle is what BUD-011 times).
 *
 * A server that already holds the whole data set (an earlier run) is used as it is: the apps are
 * found in its signed index, and only new device credentials and a new partner are made.
 */

export interface LoadDatasetOptions {
  api: LoadApi;
  principals: LoadPrincipals;
  /** 200 in a certification run; fewer only for quick runs of the project's own CI. */
  apps: number;
  devices: number;
  /** Private keys of the root's delegation role, when the server keeps that role offline. */
  delegationKeys?: readonly PrivateKey[];
  /** Requests of the set-up in flight at once. */
  concurrency?: number;
  progress?: (line: string) => void;
}

/** The bundle BUD-011 times and where the server serves it. */
export interface ReferenceBundle {
  appId: string;
  versionCode: number;
  sha256: string;
  length: number;
  /** Path of the bundle route, from the server's update answer or release metadata. */
  path: string;
}

export interface LoadDataset {
  apps: string[];
  versionsPerApp: number;
  devices: HostDevice[];
  bundle: ReferenceBundle;
  partner: { partnerId: string; token: string; key: PrivateKey };
  reviewer: string;
  /** False when the server already held the data set. */
  created: boolean;
  seconds: number;
}

export const versionsPerApp = 3;
const channel = 'stable';

/** A device id of the data set (`^[A-Za-z0-9_-]{16,128}$`, [API-082]). */
export function loadDeviceId(index: number): string {
  return `load-device-${String(index).padStart(6, '0')}`;
}

/** An upload body: the statement part first, then the package part [API-069]. */
export async function uploadBody(
  pkg: LoadPackage,
  key: PrivateKey,
): Promise<{ body: Uint8Array; contentType: string }> {
  const statement = createStatement(
    {
      appId: pkg.appId,
      version: pkg.version,
      versionCode: pkg.versionCode,
      packageBytes: pkg.bytes,
      manifestBytes: pkg.manifestBytes,
    },
    key,
  );
  const form = new FormData();
  form.append(
    'statement',
    new Blob([new Uint8Array(statement.bytes)], { type: 'application/json' }),
    'statement.json',
  );
  form.append(
    'package',
    new Blob([new Uint8Array(pkg.bytes)], { type: 'application/miniapp-pkg+zip' }),
    'package.ma',
  );
  const encoded = new Response(form);
  return {
    body: new Uint8Array(await encoded.arrayBuffer()),
    contentType: encoded.headers.get('content-type') ?? 'multipart/form-data',
  };
}

/**
 * The payload of a DSSE envelope the server serves, read without verifying it: the set-up only needs
 * to know what the server published (the conformance suite verifies signatures elsewhere).
 */
export function envelopePayload<T>(bytes: Uint8Array): T {
  const envelope = JSON.parse(Buffer.from(bytes).toString('utf8')) as { payload?: unknown };
  if (typeof envelope.payload !== 'string')
    throw new LoadSetupError('a signed document has no payload');
  return JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as T;
}

/** The app entries of every bin of the server's current index (what a host would read). */
export async function publishedApps(api: LoadApi): Promise<Map<string, AppEntry>> {
  const indexBytes = await api.bytes('/v1/trust/index.json');
  const index = envelopePayload<ReleaseIndex>(indexBytes);
  const apps = new Map<string, AppEntry>();
  await eachLimited(index.bins, 8, async (pin) => {
    const prefix = pin.prefix === '' ? 'all' : pin.prefix;
    const bin = envelopePayload<Bin>(
      await api.bytes(`/v1/trust/bins/${prefix}/${String(pin.version)}.bin.json`),
    );
    for (const [appId, entry] of Object.entries(bin.apps)) apps.set(appId, entry);
  });
  return apps;
}

/** Whether an app's entry lists stable releases of versions 1..n at 100 %. */
function complete(entry: AppEntry | undefined, versions: number): boolean {
  if (!entry) return false;
  for (let code = 1; code <= versions; code++) {
    const release = entry.releases.find((r) => r.channel === channel && r.versionCode === code);
    if (!release || release.rolloutPercent !== 100) return false;
  }
  return true;
}

interface VersionAnswer {
  versionCode: number;
  reviewStatus: string;
  package: { sha256: string; length: number };
}

interface PendingDelegation {
  appId: string;
  payload: string;
}

/**
 * Signs the server's pending delegations of `appIds` with the offline delegation keys and imports
 * them, as an operator would with `miniapp trust sign-delegation` [API-108] [API-109].
 */
async function signPendingDelegations(
  admin: LoadApi,
  appIds: ReadonlySet<string>,
  keys: readonly PrivateKey[],
): Promise<number> {
  const pending = (
    await admin.call<{ items: PendingDelegation[] }>('GET', '/v1/admin/delegations/pending')
  ).body.items.filter((item) => appIds.has(item.appId));
  for (const item of pending) {
    const bytes = Buffer.from(item.payload, 'base64');
    const payload = JSON.parse(bytes.toString('utf8')) as Delegation;
    const signed = signDelegationPayload(payload, bytes, keys);
    await admin.call('PUT', `/v1/admin/delegations/${item.appId}`, {
      body: Buffer.from(signed.bytes),
      headers: { 'content-type': 'application/json' },
    });
  }
  return pending.length;
}

/** Uploads one version, approves it when the automated review queued it, and releases it at 100 %. */
async function publish(
  partner: LoadApi,
  reviewer: LoadApi,
  pkg: LoadPackage,
  key: PrivateKey,
): Promise<VersionAnswer> {
  const { body, contentType } = await uploadBody(pkg, key);
  const version = (
    await partner.call<VersionAnswer>('PUT', `/v1/partner/apps/${pkg.appId}/versions`, {
      body: Buffer.from(body),
      headers: { 'content-type': contentType },
      accept: [200, 201],
    })
  ).body;
  if (version.reviewStatus === 'queued') {
    await reviewer.call('POST', `/v1/review/${pkg.appId}/${String(pkg.versionCode)}/decision`, {
      json: { decision: 'approve' },
    });
  } else if (version.reviewStatus !== 'approved') {
    throw new LoadSetupError(
      `the automated review of ${pkg.appId} ${String(pkg.versionCode)} answered ${version.reviewStatus}; the load packages must pass it`,
    );
  }
  await partner.call('POST', `/v1/partner/apps/${pkg.appId}/releases`, {
    json: { versionCode: pkg.versionCode, channel, rolloutPercent: 100 },
    accept: [201],
  });
  return version;
}

/** Creates apps under the partner with its key, each ready for releases (delegated). */
export async function createApps(
  options: Pick<LoadDatasetOptions, 'api' | 'principals' | 'delegationKeys'>,
  partner: LoadApi,
  appIds: readonly string[],
  names: (appId: string) => string,
  concurrency: number,
): Promise<void> {
  await eachLimited(appIds, concurrency, async (appId) => {
    await partner.call('POST', '/v1/partner/apps', {
      json: { appId, name: names(appId), category: 'utilities' },
      accept: [201],
    });
  });
  if (options.delegationKeys?.length) {
    await signPendingDelegations(
      options.api.as(options.principals.adminToken),
      new Set(appIds),
      options.delegationKeys,
    );
  }
}

/** Builds (or finds) the data set; see the module comment. */
export async function buildLoadDataset(options: LoadDatasetOptions): Promise<LoadDataset> {
  const started = performance.now();
  const say = options.progress ?? (() => undefined);
  const concurrency = options.concurrency ?? 4;
  const appIds = Array.from({ length: options.apps }, (_, i) => loadAppId(i));

  const generated = await generateKeyPair('Ed25519');
  const key = loadPrivateKey(generated.privateKeyPem);
  const partnerPrincipal = await options.principals.partner('Load suite partner');
  const partner = options.api.as(partnerPrincipal.token);
  const reviewerToken = await options.principals.reviewer();
  const reviewer = options.api.as(reviewerToken);
  await partner.call('POST', '/v1/partner/keys', {
    json: { jwk: generated.publicJwk, label: 'load suite' },
    accept: [200, 201],
  });

  const published = await publishedApps(options.api);
  const present = [...appIds, verify2mAppId].filter((id) => published.has(id));
  const whole =
    appIds.every((id) => complete(published.get(id), versionsPerApp)) &&
    complete(published.get(verify2mAppId), 1);
  if (!whole && present.length > 0) {
    throw new LoadSetupError(
      `the server already lists ${present.slice(0, 3).join(', ')}${present.length > 3 ? ` and ${String(present.length - 3)} more` : ''} ` +
        'without the whole load data set (three stable releases at 100 % each); run the load suite against a fresh server',
    );
  }
  if (whole) {
    say(
      `data set: the server already holds ${String(options.apps)} apps x ${String(versionsPerApp)} releases; using them`,
    );
  } else {
    say(`data set: creating ${String(options.apps)} apps and the 2 MiB reference package`);
    await createApps(
      options,
      partner,
      [...appIds, verify2mAppId],
      (id) => (id === verify2mAppId ? 'Verification reference, 2 MiB' : `Load app ${id.slice(-4)}`),
      concurrency,
    );
    await publish(partner, reviewer, verify2mPackage(1), key);
    for (let versionCode = 1; versionCode <= versionsPerApp; versionCode++) {
      let done = 0;
      await eachLimited(appIds, concurrency, async (appId) => {
        await publish(partner, reviewer, loadPackage(appId, versionCode), key);
        done += 1;
        if (done % 50 === 0 || done === appIds.length)
          say(
            `data set: version ${String(versionCode)} released for ${String(done)}/${String(appIds.length)} apps`,
          );
      });
    }
  }

  const bundle = await referenceBundle(options.api);
  say(`data set: ${String(options.devices)} host device credentials`);
  const devices = await options.principals.hostDevices(
    Array.from({ length: options.devices }, (_, i) => loadDeviceId(i)),
  );
  return {
    apps: appIds,
    versionsPerApp,
    devices,
    bundle,
    partner: { ...partnerPrincipal, key },
    reviewer: reviewerToken,
    created: !whole,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

/** The bundle of the newest stable release of the 2 MiB reference package, from its public metadata. */
async function referenceBundle(api: LoadApi): Promise<ReferenceBundle> {
  const entry = (await publishedApps(api)).get(verify2mAppId);
  const release = entry?.releases
    .filter((r) => r.channel === channel)
    .sort((a, b) => b.versionCode - a.versionCode)[0];
  if (!release)
    throw new LoadSetupError(`the server's index lists no stable release of ${verify2mAppId}`);
  const metadata = envelopePayload<{ package: { sha256: string; length: number } }>(
    await api.bytes(`/v1/releases/${verify2mAppId}/${String(release.versionCode)}.release.json`),
  );
  const { sha256, length } = metadata.package;
  return {
    appId: verify2mAppId,
    versionCode: release.versionCode,
    sha256,
    length,
    path: `/v1/bundles/sha256/${sha256}.ma`,
  };
}
