import { defineParameterType, Given, Then, When } from '@cucumber/cucumber';
import { CaseFailure } from '../../conformance/framework/index.ts';
import { inCohort } from '../../conformance/server/model/rollout-bucket.ts';
import { bodyOf, expectStatus } from '../../conformance/server/server-case.ts';
import type { TestRelease } from '../../conformance/server/subject/test-world.ts';
import { ReleaseHistory } from '../../conformance/server/subject/update-checks.ts';
import type { PlatformWorld } from '../support/platform-world.ts';

type Action = 'pause' | 'resume' | 'complete' | 'rollback';

defineParameterType({
  name: 'action',
  regexp: /pauses|resumes|completes|rolls back|pause|resume|complete|roll back/,
  transformer: (s: string): Action =>
    s.startsWith('pause')
      ? 'pause'
      : s.startsWith('resume')
        ? 'resume'
        : s.startsWith('complete')
          ? 'complete'
          : 'rollback',
});

defineParameterType({
  name: 'state',
  regexp: /rolling out|paused|completed|rolled back/,
  transformer: (s: string) =>
    ({ 'rolling out': 'rollingOut', paused: 'paused', completed: 'completed' })[s] ?? 'rolledBack',
});

Given('version {int} is approved', async function (this: PlatformWorld, versionCode: number) {
  const history = this.requireHistory();
  const version = await this.world.approvedVersion(this.scope, history.app, { versionCode });
  history.versions.set(versionCode, version);
});

Given(
  'version {int} is approved and needs host version {string}',
  async function (this: PlatformWorld, versionCode: number, minHostVersion: string) {
    const history = this.requireHistory();
    const version = await this.world.approvedVersion(this.scope, history.app, {
      versionCode,
      minHostVersion,
    });
    history.versions.set(versionCode, version);
  },
);

async function releaseVersion(
  w: PlatformWorld,
  versionCode: number,
  channel: string,
  rolloutPercent: number,
  mandatory: boolean,
): Promise<TestRelease> {
  if (channel !== 'stable' && channel !== 'beta') throw new Error(`no channel ${channel}`);
  const history = w.requireHistory();
  const release = await w.world.release(w.scope, w.version(versionCode), {
    channel,
    rolloutPercent,
    mandatory,
  });
  history.add(release);
  return release;
}

Given(
  'version {int} is released on the {word} channel to {float} percent of devices',
  async function (this: PlatformWorld, versionCode: number, channel: string, percent: number) {
    await releaseVersion(this, versionCode, channel, percent, false);
  },
);

Given(
  'version {int} is released on the {word} channel to {float} percent of devices as a mandatory update',
  async function (this: PlatformWorld, versionCode: number, channel: string, percent: number) {
    await releaseVersion(this, versionCode, channel, percent, true);
  },
);

Given('a released app', async function (this: PlatformWorld) {
  this.partner = await this.world.partner(this.scope);
  this.history = new ReleaseHistory(await this.world.freshApp(this.scope, 'rel', this.partner));
  const version = await this.world.approvedVersion(this.scope, this.history.app, {
    versionCode: 1,
  });
  this.history.versions.set(1, version);
  await releaseVersion(this, 1, 'stable', 100, false);
});

When(
  'the partner {action} the release of version {int}',
  async function (this: PlatformWorld, action: Action, versionCode: number) {
    await this.requireHistory().act(this.test, versionCode, action);
  },
);

When(
  'the platform revokes version {int}',
  async function (this: PlatformWorld, versionCode: number) {
    await this.requireHistory().act(this.test, versionCode, 'revoke');
  },
);

Given('a release that is {state}', async function (this: PlatformWorld, state: string) {
  const history = this.requireHistory();
  const version = await this.world.approvedVersion(this.scope, history.app, { versionCode: 1 });
  history.versions.set(1, version);
  const release = await releaseVersion(this, 1, 'stable', state === 'completed' ? 100 : 20, false);
  const path: Record<string, Action[]> = {
    rollingOut: [],
    paused: ['pause'],
    completed: [],
    rolledBack: ['rollback'],
  };
  for (const action of path[state] ?? [])
    expectStatus(await this.world.act(this.scope, release, action), 200);
  this.noted.set('release', release);
});

When('the partner asks to {action} it', async function (this: PlatformWorld, action: Action) {
  this.last = await this.world.act(this.scope, this.noted.get('release') as TestRelease, action);
});

Then(
  'the server answers 200 and the release is {state}',
  function (this: PlatformWorld, state: string) {
    const body = bodyOf<{ state?: string }>(this.last as never);
    if (body.state !== state) throw new CaseFailure(`the release is ${body.state}, not ${state}`);
  },
);

Then(
  'the server refuses with status {int} and code {word}',
  function (this: PlatformWorld, status: number, code: string) {
    expectStatus(this.last as never, status, code);
  },
);

When(
  'the partner releases version {int} on the beta channel to {string} percent of devices',
  async function (this: PlatformWorld, versionCode: number, percent: string) {
    const app = this.requireHistory().app;
    this.last = await this.send({
      method: 'POST',
      path: `/v1/partner/apps/${app.appId}/releases`,
      token: app.partner.token,
      json: { versionCode, channel: 'beta', rolloutPercent: Number(percent) },
    });
  },
);

When(
  'the partner changes the rollout of version {int} to {float} percent',
  async function (this: PlatformWorld, versionCode: number, percent: number) {
    const history = this.requireHistory();
    const entry = history.releases.find((r) => r.versionCode === versionCode);
    if (!entry) throw new Error(`version ${versionCode} has no release`);
    this.last = await this.send({
      method: 'PATCH',
      path: `/v1/partner/apps/${history.app.appId}/releases/${entry.release.releaseId}`,
      token: history.app.partner.token,
      json: { rolloutPercent: percent },
    });
    if (this.last.status === 200) entry.rolloutPercent = percent;
  },
);

Then(
  'the release is rolling out to {float} percent of devices',
  function (this: PlatformWorld, percent: number) {
    const body = bodyOf<{ rolloutPercent?: number; state?: string }>(this.last as never);
    if (body.rolloutPercent !== percent || body.state !== 'rollingOut')
      throw new CaseFailure(`the release reads ${JSON.stringify(body)}`);
  },
);

/** A device id whose rollout bucket ([API-081]) puts it inside or outside a release's cohort. */
Given(
  'a host device {word} the rollout cohort of version {int}',
  async function (this: PlatformWorld, where: string, versionCode: number) {
    if (where !== 'inside' && where !== 'outside') throw new Error(`"${where}": inside or outside`);
    const history = this.requireHistory();
    const entry = history.releases.find((r) => r.versionCode === versionCode);
    if (!entry) throw new Error(`version ${versionCode} has no release`);
    const device = await this.world.device(this.scope);
    for (let i = 0; i < 10_000; i++) {
      const deviceId = `feature-${this.subject.runId}-${where}-${String(i).padStart(6, '0')}`;
      const inside = await inCohort(deviceId, history.app.appId, versionCode, entry.rolloutPercent);
      if (inside === (where === 'inside')) {
        this.noted.set('device', { token: device.token, deviceId });
        return;
      }
    }
    throw new Error(`no device id ${where} a ${entry.rolloutPercent} % cohort in 10,000 tries`);
  },
);
