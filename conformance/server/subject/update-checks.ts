import { CaseFailure } from '../../framework/index.ts';
import {
  describeResult,
  expectedSelection,
  type ExpectedResult,
  type ModelRelease,
  type SelectionQuery,
} from '../model/update-selection.ts';
import type { ServerTest } from '../server-case.ts';
import { describeExchange, jsonOf, type Exchange } from './http-exchange.ts';
import type { TestApp, TestRelease, TestVersion } from './test-world.ts';

export interface Offer {
  versionCode: number;
  version: string;
  releaseUrl: string;
  packageUrl: string;
  length: number;
  sha256: string;
  mandatory: boolean;
}

export interface UpdateResult {
  appId: string;
  kind: string;
  update?: Offer;
  minHostVersion?: string;
  replacement?: Offer;
}

export interface CheckQuery {
  hostApiVersion: string;
  channel: 'stable' | 'beta';
  deviceId: string;
  apps: { appId: string; versionCode: number }[];
}

export async function batchCheck(
  t: ServerTest,
  token: string,
  query: CheckQuery,
  quiet = false,
): Promise<{ exchange: Exchange; results: UpdateResult[] }> {
  const exchange = await t.send({
    method: 'POST',
    path: '/v1/updates/check',
    token,
    json: query,
    quiet,
  });
  if (exchange.status !== 200)
    throw new CaseFailure(`update check failed: ${describeExchange(exchange)}`, [
      new TextDecoder().decode(exchange.body).slice(0, 300),
    ]);
  const body = jsonOf<{ results?: UpdateResult[] }>(exchange);
  if (!Array.isArray(body?.results))
    throw new CaseFailure('the update check answer has no results array');
  return { exchange, results: body.results };
}

export async function singleCheck(
  t: ServerTest,
  token: string,
  q: {
    appId: string;
    hostApiVersion: string;
    channel: string;
    deviceId: string;
    versionCode: number;
  },
  quiet = false,
  headers: Record<string, string> = {},
): Promise<{ exchange: Exchange; result: UpdateResult | undefined }> {
  const exchange = await t.send({
    path: `/v1/apps/${q.appId}/update`,
    token,
    query: {
      hostApiVersion: q.hostApiVersion,
      channel: q.channel,
      deviceId: q.deviceId,
      versionCode: q.versionCode,
    },
    headers,
    quiet,
  });
  return { exchange, result: exchange.status === 200 ? jsonOf<UpdateResult>(exchange) : undefined };
}

/** What the suite knows of an app's releases, kept in step with every action it takes. */
export class ReleaseHistory {
  readonly releases: (ModelRelease & { release: TestRelease })[] = [];
  readonly versions = new Map<number, TestVersion>();
  constructor(readonly app: TestApp) {}

  add(release: TestRelease): void {
    this.versions.set(release.version.versionCode, release.version);
    this.releases.push({
      versionCode: release.version.versionCode,
      channel: release.channel,
      minHostVersion: release.version.minHostVersion,
      rolloutPercent: release.rolloutPercent,
      mandatory: release.mandatory,
      state: release.rolloutPercent >= 100 ? 'completed' : 'rollingOut',
      release,
    });
  }

  async act(
    t: ServerTest,
    versionCode: number,
    action: 'pause' | 'resume' | 'complete' | 'rollback' | 'revoke',
  ): Promise<void> {
    const entries = this.releases.filter((r) => r.versionCode === versionCode);
    if (action === 'revoke') {
      const version = this.versions.get(versionCode);
      if (!version) throw new Error(`no version ${versionCode}`);
      const exchange = await t.world.revoke(t.scope, version, t.adminToken);
      if (exchange.status !== 200)
        throw new CaseFailure(`revoking ${versionCode} failed: ${describeExchange(exchange)}`);
      for (const e of entries) e.state = 'revoked';
      return;
    }
    for (const e of entries) {
      const exchange = await t.world.act(t.scope, e.release, action);
      if (exchange.status !== 200)
        throw new CaseFailure(`${action} of ${versionCode} failed: ${describeExchange(exchange)}`);
      e.state =
        action === 'pause'
          ? 'paused'
          : action === 'resume'
            ? 'rollingOut'
            : action === 'complete'
              ? 'completed'
              : 'rolledBack';
    }
  }

  expected(query: Omit<SelectionQuery, 'appId'>): Promise<ExpectedResult> {
    return expectedSelection(this.releases, { ...query, appId: this.app.appId });
  }
}

/** Why an answer differs from the expected one (null when it matches), checking offer members too. */
export function mismatch(
  expected: ExpectedResult,
  actual: UpdateResult | undefined,
  history?: ReleaseHistory,
  base?: URL,
): string | null {
  if (!actual) return 'no result';
  const got = describeResult(actual);
  const want = describeResult(
    expected.kind === 'revoked'
      ? {
          kind: 'revoked',
          replacement: expected.replacement === null ? null : { versionCode: expected.replacement },
        }
      : expected.kind === 'update'
        ? { kind: 'update', update: expected }
        : expected,
  );
  if (actual.kind !== expected.kind) return `expected ${want}, got ${got}`;
  if (expected.kind === 'incompatible' && actual.minHostVersion !== expected.minHostVersion)
    return `expected ${want}, got ${got}`;
  if (expected.kind === 'update') {
    if (actual.update?.versionCode !== expected.versionCode) return `expected ${want}, got ${got}`;
    if (actual.update.mandatory !== expected.mandatory) return `expected ${want}, got ${got}`;
    const problem = offerProblem(actual.update, history, base);
    if (problem) return problem;
  }
  if (expected.kind === 'revoked') {
    const replacement = actual.replacement?.versionCode ?? null;
    if (replacement !== expected.replacement) return `expected ${want}, got ${got}`;
    if (actual.replacement) {
      const problem = offerProblem(actual.replacement, history, base);
      if (problem) return problem;
    }
  }
  return null;
}

/** The members of an offer [API-026]: URLs of the release envelope and the bundle, digest, length, code. */
export function offerProblem(offer: Offer, history?: ReleaseHistory, base?: URL): string | null {
  const version = history?.versions.get(offer.versionCode);
  if (!version) return null;
  const appId = version.app.appId;
  const release = base ? new URL(offer.releaseUrl, base) : null;
  if (
    release &&
    !release.pathname.endsWith(`/v1/releases/${appId}/${offer.versionCode}.release.json`)
  ) {
    return `releaseUrl ${offer.releaseUrl} does not name the release envelope of ${appId} ${offer.versionCode}`;
  }
  const bundle = base ? new URL(offer.packageUrl, base) : null;
  if (bundle && !bundle.pathname.endsWith(`/v1/bundles/sha256/${version.sha256}.ma`)) {
    return `packageUrl ${offer.packageUrl} does not name the bundle ${version.sha256}`;
  }
  if (offer.sha256 !== version.sha256 || offer.length !== version.pkg.bytes.length) {
    return `offer names sha256 ${offer.sha256} length ${offer.length}, the package is ${version.sha256} length ${version.pkg.bytes.length}`;
  }
  return null;
}
