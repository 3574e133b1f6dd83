import { CaseFailure } from '../../framework/index.ts';
import { utf8 } from '../crypto/byte-encoding.ts';
import { sha256Hex } from '../crypto/digest.ts';
import { generateSigningKey, type SigningKey } from '../crypto/jwk-key.ts';
import {
  signStatement,
  statementFieldsFor,
  type StatementFields,
} from '../inputs/author-statement.ts';
import { multipartBody, type FormPart } from '../inputs/multipart-body.ts';
import { buildPackage, type BuiltPackage, type PackageSpec } from '../inputs/test-package.ts';
import { CaseSkip } from './case-skip.ts';
import { describeExchange, jsonOf, type Exchange } from './http-exchange.ts';
import type { CaseScope, HttpDriver } from './http-driver.ts';
import type { Principal, PrincipalRole, PrincipalSource } from './test-principals.ts';
import type { DelegationSigner } from './delegation-signer.ts';

/** A partner the suite created, with a portal session and a registered signing key. */
export interface TestPartner {
  partnerId: string;
  principal: Principal;
  token: string;
  key: SigningKey;
}

export interface TestApp {
  appId: string;
  partner: TestPartner;
}

/** A version the suite uploaded, with what it knows of it. */
export interface TestVersion {
  app: TestApp;
  versionCode: number;
  pkg: BuiltPackage;
  sha256: string;
  statement: StatementFields;
  statementBytes: Uint8Array;
  minHostVersion: string;
}

export interface TestRelease {
  releaseId: string;
  version: TestVersion;
  channel: 'stable' | 'beta';
  rolloutPercent: number;
  mandatory: boolean;
  state: string;
}

export interface ReleaseOptions {
  channel?: 'stable' | 'beta';
  rolloutPercent?: number;
  mandatory?: boolean;
}

export interface Version {
  appId: string;
  versionCode: number;
  reviewStatus: 'checking' | 'queued' | 'approved' | 'rejected';
  package: { sha256: string; length: number };
  signedBy: string;
}

/** Fails the running case with the exchange as evidence. */
export function unexpected(what: string, exchange: Exchange): never {
  throw new CaseFailure(`${what}: ${describeExchange(exchange)}`, [
    new TextDecoder().decode(exchange.body).slice(0, 400),
  ]);
}

/**
 * The test data of a run, created through the server's own routes and shared between cases where
 * sharing cannot hide a fault: partners, principals, apps, versions and releases. Ids carry the run's
 * nonce, so runs against one server never collide.
 */
export class TestWorld {
  private readonly memo = new Map<string, Promise<unknown>>();
  private labels = 0;

  /** Set when the server keeps its delegation role offline and the credentials file lends its keys. */
  delegationSigner: DelegationSigner | undefined;
  adminToken = '';

  constructor(
    readonly driver: HttpDriver,
    readonly principals: PrincipalSource,
    readonly runId: string,
  ) {}

  /** Creates once and shares; a failed creation is forgotten so the next case tries again. */
  once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make();
      this.memo.set(key, p);
      p.catch(() => this.memo.delete(key));
    }
    return p;
  }

  send(scope: CaseScope, spec: Parameters<HttpDriver['send']>[0]): Promise<Exchange> {
    return this.driver.send(spec, scope);
  }

  /** A fresh label unique in this run: letters and digits only. */
  label(prefix: string): string {
    this.labels += 1;
    return `${prefix}${this.labels}`;
  }

  appIdFor(label: string): string {
    return `dev.certify${this.runId}.${label}`;
  }

  async newPartner(scope: CaseScope, label: string, test = true): Promise<TestPartner> {
    const partnerId = await this.principals.createPartner(
      `Certification ${this.runId} ${label}`,
      test,
      scope,
    );
    const principal = await this.principals.create('partner', { partnerId }, scope);
    const key = await generateSigningKey();
    await this.registerKey(scope, principal.credential, key);
    return { partnerId, principal, token: principal.credential, key };
  }

  async registerKey(scope: CaseScope, token: string, key: SigningKey): Promise<Exchange> {
    const exchange = await this.send(scope, {
      method: 'POST',
      path: '/v1/partner/keys',
      token,
      json: { label: `certify ${key.keyid.slice(0, 8)}`, jwk: key.publicJwk },
    });
    if (exchange.status !== 201 && exchange.status !== 200)
      unexpected('registering a partner key failed', exchange);
    return exchange;
  }

  /** Partner `a` owns most test apps; partner `b` attacks them. */
  partner(scope: CaseScope, slot: 'a' | 'b' = 'a'): Promise<TestPartner> {
    return this.once(`partner:${slot}`, () => this.newPartner(scope, slot));
  }

  principal(scope: CaseScope, role: PrincipalRole, slot = 'main', test = true): Promise<Principal> {
    return this.once(`principal:${role}:${slot}`, () =>
      this.principals.create(role, { test }, scope),
    );
  }

  reviewer(scope: CaseScope): Promise<Principal> {
    return this.principal(scope, 'reviewer');
  }

  /** A host device credential and a device id of its own. */
  async device(scope: CaseScope, slot = 'main'): Promise<{ token: string; deviceId: string }> {
    const p = await this.principal(scope, 'hostDevice', slot);
    return {
      token: p.credential,
      // A server may bind a device id to the credential; the suite then uses that one.
      deviceId: p.deviceId ?? `certify-${this.runId}-${slot}-0000000000`.slice(0, 128),
    };
  }

  async user(scope: CaseScope, slot = 'main', test = true): Promise<Principal> {
    return this.principal(scope, 'hostUser', slot, test);
  }

  async createApp(
    scope: CaseScope,
    partner: TestPartner,
    label: string,
    name = `Probe ${label}`,
  ): Promise<TestApp> {
    const appId = this.appIdFor(label);
    const exchange = await this.send(scope, {
      method: 'POST',
      path: '/v1/partner/apps',
      token: partner.token,
      json: { appId, name, category: 'utilities' },
    });
    if (exchange.status !== 201) unexpected(`creating app ${appId} failed`, exchange);
    return { appId, partner };
  }

  /** A new app of partner `a` (or the given partner) with a fresh id. */
  async freshApp(scope: CaseScope, prefix = 'app', partner?: TestPartner): Promise<TestApp> {
    return this.createApp(scope, partner ?? (await this.partner(scope)), this.label(prefix));
  }

  /** Builds and signs a version; overrides change the statement after the fact. */
  async prepareVersion(
    app: TestApp,
    spec: Omit<PackageSpec, 'appId'>,
    keys: SigningKey[] = [app.partner.key],
    overrides: Record<string, unknown> = {},
  ): Promise<{ pkg: BuiltPackage; statement: StatementFields; statementBytes: Uint8Array }> {
    const pkg = buildPackage({ ...spec, appId: app.appId });
    const statement = await statementFieldsFor(pkg.bytes, pkg.manifest, pkg.manifestBytes);
    const signed = await signStatement(statement, keys, overrides);
    return { pkg, statement, statementBytes: signed.bytes };
  }

  uploadParts(
    scope: CaseScope,
    appId: string,
    token: string,
    parts: FormPart[],
    quiet = false,
  ): Promise<Exchange> {
    const { contentType, body } = multipartBody(parts);
    return this.send(scope, {
      method: 'PUT',
      path: `/v1/partner/apps/${appId}/versions`,
      token,
      body,
      contentType,
      quiet,
    });
  }

  upload(
    scope: CaseScope,
    app: TestApp,
    prepared: { pkg: BuiltPackage; statementBytes: Uint8Array },
    token = app.partner.token,
  ): Promise<Exchange> {
    return this.uploadParts(scope, app.appId, token, [
      { name: 'statement', contentType: 'application/json', bytes: prepared.statementBytes },
      {
        name: 'package',
        contentType: 'application/miniapp-pkg+zip',
        bytes: prepared.pkg.bytes,
        filename: 'app.ma',
      },
    ]);
  }

  /** Polls the version until the automated checks are done. */
  async settledVersion(scope: CaseScope, app: TestApp, versionCode: number): Promise<Version> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const exchange = await this.send(scope, {
        path: `/v1/partner/apps/${app.appId}/versions/${versionCode}`,
        token: app.partner.token,
        quiet: true,
      });
      if (exchange.status !== 200) unexpected(`reading version ${versionCode} failed`, exchange);
      const version = jsonOf<Version>(exchange) as Version;
      if (version.reviewStatus !== 'checking') return version;
      if (Date.now() > deadline)
        throw new CaseFailure(`version ${versionCode} stayed in checking for 60 s`);
      if (scope.signal?.aborted)
        throw new CaseFailure('timed out waiting for the automated review');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async decide(
    scope: CaseScope,
    app: TestApp,
    versionCode: number,
    decision: 'approve' | 'reject',
    token?: string,
    feedback?: string,
  ): Promise<Exchange> {
    const reviewer = token ?? (await this.reviewer(scope)).credential;
    return this.send(scope, {
      method: 'POST',
      path: `/v1/review/${app.appId}/${versionCode}/decision`,
      token: reviewer,
      json: { decision, ...(feedback === undefined ? {} : { feedback }) },
    });
  }

  /** Uploads a version and brings it to `approved`, approving it in review when it was queued. */
  async approvedVersion(
    scope: CaseScope,
    app: TestApp,
    spec: Omit<PackageSpec, 'appId'>,
  ): Promise<TestVersion> {
    const prepared = await this.prepareVersion(app, spec);
    const exchange = await this.upload(scope, app, prepared);
    if (exchange.status !== 201 && exchange.status !== 200)
      unexpected(`uploading versionCode ${spec.versionCode} failed`, exchange);
    let version = await this.settledVersion(scope, app, spec.versionCode);
    if (version.reviewStatus === 'queued') {
      const decision = await this.decide(scope, app, spec.versionCode, 'approve');
      if (decision.status !== 200)
        unexpected(`approving versionCode ${spec.versionCode} failed`, decision);
      version = await this.settledVersion(scope, app, spec.versionCode);
    }
    if (version.reviewStatus !== 'approved') {
      throw new CaseFailure(
        `versionCode ${spec.versionCode} ended ${version.reviewStatus}, not approved`,
      );
    }
    return {
      app,
      versionCode: spec.versionCode,
      pkg: prepared.pkg,
      sha256: await sha256Hex(prepared.pkg.bytes),
      statement: prepared.statement,
      statementBytes: prepared.statementBytes,
      minHostVersion: spec.minHostVersion ?? '1.0.0',
    };
  }

  async release(
    scope: CaseScope,
    version: TestVersion,
    options: ReleaseOptions = {},
  ): Promise<TestRelease> {
    const channel = options.channel ?? 'stable';
    const rolloutPercent = options.rolloutPercent ?? 100;
    const mandatory = options.mandatory ?? false;
    const exchange = await this.send(scope, {
      method: 'POST',
      path: `/v1/partner/apps/${version.app.appId}/releases`,
      token: version.app.partner.token,
      json: { versionCode: version.versionCode, channel, rolloutPercent, mandatory },
    });
    if (exchange.status !== 201)
      unexpected(`releasing versionCode ${version.versionCode} failed`, exchange);
    const body = jsonOf<{ releaseId: string; state: string }>(exchange);
    return {
      releaseId: String(body?.releaseId),
      version,
      channel,
      rolloutPercent,
      mandatory,
      state: String(body?.state),
    };
  }

  async act(scope: CaseScope, release: TestRelease, action: string): Promise<Exchange> {
    return this.send(scope, {
      method: 'POST',
      path: `/v1/partner/apps/${release.version.app.appId}/releases/${release.releaseId}/${action}`,
      token: release.version.app.partner.token,
    });
  }

  async revoke(scope: CaseScope, version: TestVersion, adminToken: string): Promise<Exchange> {
    return this.send(scope, {
      method: 'POST',
      path: `/v1/admin/releases/${version.app.appId}/${version.versionCode}/revoke`,
      token: adminToken,
      json: { reason: 'conformance suite: revocation under test' },
    });
  }

  /**
   * One app of partner `a` with versionCode 1 approved and released on stable at 100 %: the read-only
   * subject of the bundle, catalog, release-envelope and caching cases, which never change it.
   */
  sharedRelease(scope: CaseScope): Promise<TestRelease> {
    return this.once('shared-release', async () => {
      const app = await this.createApp(
        scope,
        await this.partner(scope),
        // A fresh label on every attempt: a failed attempt may have left its app behind.
        this.label('shared'),
        this.sharedName('en'),
      );
      const version = await this.approvedVersion(scope, app, {
        versionCode: 1,
        name: this.sharedName('en'),
        locales: { en: { name: this.sharedName('en') }, fr: { name: this.sharedName('fr') } },
      });
      return this.release(scope, version);
    });
  }

  /** The localised names of the shared app; they carry the run id, so a search finds it alone. */
  sharedName(locale: 'en' | 'fr'): string {
    return locale === 'en' ? `Shared probe ${this.runId}` : `Sonde partagée ${this.runId}`;
  }

  skipUnlessComplete(): void {
    if (!this.principals.complete)
      throw new CaseSkip('needs principals the interim development credentials do not have');
  }
}

export { utf8 };
