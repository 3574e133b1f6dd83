import { Given, Then, When } from '@cucumber/cucumber';
import { CaseFailure } from '../../conformance/framework/index.ts';
import { generateSigningKey } from '../../conformance/server/crypto/jwk-key.ts';
import { signStatement } from '../../conformance/server/inputs/author-statement.ts';
import { bodyOf, expectStatus } from '../../conformance/server/server-case.ts';
import { jsonOf } from '../../conformance/server/subject/http-exchange.ts';
import { ReleaseHistory } from '../../conformance/server/subject/update-checks.ts';
import type { PlatformWorld } from '../support/platform-world.ts';

/** Steps of publishing and review, shared by every area that needs an app with versions. */

Given('a partner with a registered signing key', async function (this: PlatformWorld) {
  this.partner = await this.world.partner(this.scope);
});

Given('a new partner with a registered signing key', async function (this: PlatformWorld) {
  this.partner = await this.world.newPartner(this.scope, this.world.label('np'));
});

Given('the partner has created an app', async function (this: PlatformWorld) {
  const partner = this.partner ?? (await this.world.partner(this.scope));
  this.partner = partner;
  this.history = new ReleaseHistory(await this.world.freshApp(this.scope, 'feat', partner));
});

Given('a partner app', async function (this: PlatformWorld) {
  this.partner = await this.world.partner(this.scope);
  this.history = new ReleaseHistory(await this.world.freshApp(this.scope, 'feat', this.partner));
});

async function uploadVersion(
  w: PlatformWorld,
  versionCode: number,
  permissions?: Record<string, string>,
): Promise<void> {
  const app = w.requireHistory().app;
  const prepared = await w.world.prepareVersion(app, {
    versionCode,
    ...(permissions ? { permissions } : {}),
  });
  w.prepared.set(versionCode, prepared);
  w.last = await w.world.upload(w.scope, app, prepared);
}

When(
  'the partner uploads version {int} signed with its registered key',
  async function (this: PlatformWorld, versionCode: number) {
    await uploadVersion(this, versionCode);
  },
);

When(
  'the partner uploads version {int} declaring the {word} permission',
  async function (this: PlatformWorld, versionCode: number, permission: string) {
    await uploadVersion(this, versionCode, { [permission]: `The features need ${permission}.` });
  },
);

Given(
  'the partner has uploaded version {int}',
  async function (this: PlatformWorld, versionCode: number) {
    await uploadVersion(this, versionCode);
    expectStatus(this.last as never, 201);
    await this.world.settledVersion(this.scope, this.requireHistory().app, versionCode);
  },
);

When('the partner uploads the same package again', async function (this: PlatformWorld) {
  const [versionCode, prepared] = [...this.prepared.entries()].at(-1) ?? [];
  if (!prepared || versionCode === undefined) throw new Error('nothing was uploaded before');
  this.noted.set('first upload', this.last);
  this.last = await this.world.upload(this.scope, this.requireHistory().app, prepared);
});

When(
  'the partner uploads version {int} with a statement that names another package digest',
  async function (this: PlatformWorld, versionCode: number) {
    const app = this.requireHistory().app;
    const prepared = await this.world.prepareVersion(app, { versionCode });
    const lie = await signStatement(prepared.statement, [app.partner.key], {
      package: { sha256: '0'.repeat(64), length: prepared.pkg.bytes.length },
    });
    this.last = await this.world.upload(this.scope, app, {
      pkg: prepared.pkg,
      statementBytes: lie.bytes,
    });
  },
);

When(
  'the partner uploads version {int} signed with a key it never registered',
  async function (this: PlatformWorld, versionCode: number) {
    const app = this.requireHistory().app;
    const stranger = await generateSigningKey();
    const prepared = await this.world.prepareVersion(app, { versionCode }, [stranger]);
    this.last = await this.world.upload(this.scope, app, prepared);
  },
);

Then('the upload is accepted as a new version', function (this: PlatformWorld) {
  const body = bodyOf<{ versionCode?: number; reviewStatus?: string }>(this.last as never, 201);
  if (typeof body.reviewStatus !== 'string')
    throw new CaseFailure('the new version carries no review status');
});

Then(
  'the server answers with the version it already has, unchanged',
  function (this: PlatformWorld) {
    const first = jsonOf<{ package?: { sha256?: string }; versionCode?: number }>(
      this.noted.get('first upload') as never,
    );
    const again = bodyOf<{ package?: { sha256?: string }; versionCode?: number }>(
      this.last as never,
      200,
    );
    if (
      again.versionCode !== first?.versionCode ||
      again.package?.sha256 !== first?.package?.sha256
    )
      throw new CaseFailure(
        `the repeat answered ${JSON.stringify(again)}, the first upload ${JSON.stringify(first)}`,
      );
  },
);

Then(
  'the request is refused with status {int} and code {word}',
  function (this: PlatformWorld, status: number, code: string) {
    if (!this.last) throw new Error('no request was made');
    expectStatus(this.last, status, code);
  },
);

Then(
  'version {int} waits in the manual review queue',
  async function (this: PlatformWorld, versionCode: number) {
    const version = await this.world.settledVersion(
      this.scope,
      this.requireHistory().app,
      versionCode,
    );
    if (version.reviewStatus !== 'queued')
      throw new CaseFailure(`version ${versionCode} is ${version.reviewStatus}, not queued`);
  },
);

Then(
  'version {int} is rejected by the automated review with finding {word}',
  async function (this: PlatformWorld, versionCode: number, code: string) {
    const app = this.requireHistory().app;
    const version = await this.world.settledVersion(this.scope, app, versionCode);
    const report = bodyOf<{ findings?: { code: string; severity: string }[] }>(
      await this.send({
        path: `/v1/partner/apps/${app.appId}/versions/${versionCode}/review`,
        token: app.partner.token,
      }),
    );
    const found = (report.findings ?? []).some((f) => f.code === code && f.severity === 'error');
    if (version.reviewStatus !== 'rejected' || !found)
      throw new CaseFailure(
        `version ${versionCode} is ${version.reviewStatus}, findings ${JSON.stringify(report.findings)}; expected rejected with ${code}`,
      );
  },
);

When(
  'a reviewer rejects version {int} without feedback',
  async function (this: PlatformWorld, versionCode: number) {
    this.last = await this.world.decide(
      this.scope,
      this.requireHistory().app,
      versionCode,
      'reject',
    );
  },
);

When(
  'a reviewer rejects version {int} with the feedback {string}',
  async function (this: PlatformWorld, versionCode: number, feedback: string) {
    this.last = await this.world.decide(
      this.scope,
      this.requireHistory().app,
      versionCode,
      'reject',
      undefined,
      feedback,
    );
    expectStatus(this.last, 200);
  },
);

When(
  'a reviewer approves version {int}',
  async function (this: PlatformWorld, versionCode: number) {
    this.last = await this.world.decide(
      this.scope,
      this.requireHistory().app,
      versionCode,
      'approve',
    );
    expectStatus(this.last, 200);
  },
);

Then(
  'the partner reads the rejection of version {int} with the feedback {string}, the reviewer and the time',
  async function (this: PlatformWorld, versionCode: number, feedback: string) {
    const app = this.requireHistory().app;
    const report = bodyOf<{
      status: string;
      decisions: { decision: string; reviewer: string; decidedAt: string; feedback?: string }[];
    }>(
      await this.send({
        path: `/v1/partner/apps/${app.appId}/versions/${versionCode}/review`,
        token: app.partner.token,
      }),
    );
    const last = report.decisions.at(-1);
    if (
      report.status !== 'rejected' ||
      last?.decision !== 'reject' ||
      last.feedback !== feedback ||
      !last.reviewer ||
      !last.decidedAt
    )
      throw new CaseFailure(`the report reads ${JSON.stringify(report).slice(0, 300)}`);
  },
);

When(
  'the partner asks to release version {int}',
  async function (this: PlatformWorld, versionCode: number) {
    const app = this.requireHistory().app;
    this.last = await this.send({
      method: 'POST',
      path: `/v1/partner/apps/${app.appId}/releases`,
      token: app.partner.token,
      json: { versionCode, channel: 'stable', rolloutPercent: 100 },
    });
  },
);
