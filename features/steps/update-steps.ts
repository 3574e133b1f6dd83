import { Given, Then, When } from '@cucumber/cucumber';
import { CaseFailure } from '../../conformance/framework/index.ts';
import {
  describeResult,
  type SelectionQuery,
} from '../../conformance/server/model/update-selection.ts';
import {
  batchCheck,
  mismatch,
  offerProblem,
  singleCheck,
  type UpdateResult,
} from '../../conformance/server/subject/update-checks.ts';
import type { PlatformWorld } from '../support/platform-world.ts';

interface Device {
  token: string;
  deviceId: string;
}

const defaultHostVersion = '1.4.0';

async function device(w: PlatformWorld): Promise<Device> {
  const known = w.noted.get('device') as Device | undefined;
  if (known) return known;
  const d = await w.world.device(w.scope);
  w.noted.set('device', d);
  return d;
}

async function check(w: PlatformWorld, installed: number, hostApiVersion: string): Promise<void> {
  const d = await device(w);
  const appId = w.requireHistory().app.appId;
  const query: Omit<SelectionQuery, 'appId'> = {
    deviceId: d.deviceId,
    hostApiVersion,
    channel: 'stable',
    installedVersionCode: installed,
  };
  const { results } = await batchCheck(w.test, d.token, {
    hostApiVersion,
    channel: 'stable',
    deviceId: d.deviceId,
    apps: [{ appId, versionCode: installed }],
  });
  w.noted.set('query', query);
  w.noted.set('answer', results[0]);
  w.log(`answer: ${describeResult(results[0])}`);
}

Given('a host device', async function (this: PlatformWorld) {
  await device(this);
});

When(
  'the device checks for updates with version {int} installed',
  async function (this: PlatformWorld, installed: number) {
    await check(this, installed, defaultHostVersion);
  },
);

When('the device checks for updates with nothing installed', async function (this: PlatformWorld) {
  await check(this, 0, defaultHostVersion);
});

When(
  'a device of host version {string} checks for updates with version {int} installed',
  async function (this: PlatformWorld, hostApiVersion: string, installed: number) {
    await check(this, installed, hostApiVersion);
  },
);

When(
  'the device checks for updates of an app id that no partner registered',
  async function (this: PlatformWorld) {
    const d = await device(this);
    const { results } = await batchCheck(this.test, d.token, {
      hostApiVersion: defaultHostVersion,
      channel: 'stable',
      deviceId: d.deviceId,
      apps: [{ appId: this.world.appIdFor('neverregistered'), versionCode: 1 }],
    });
    this.noted.set('answer', results[0]);
  },
);

function answer(w: PlatformWorld): UpdateResult {
  const a = w.noted.get('answer') as UpdateResult | undefined;
  if (!a) throw new CaseFailure('the update check gave no result for the app');
  return a;
}

Then('the device is offered version {int}', function (this: PlatformWorld, versionCode: number) {
  const a = answer(this);
  if (a.kind !== 'update' || a.update?.versionCode !== versionCode)
    throw new CaseFailure(`expected an update to ${versionCode}, got ${describeResult(a)}`);
});

Then('the update is mandatory', function (this: PlatformWorld) {
  if (answer(this).update?.mandatory !== true)
    throw new CaseFailure(`expected a mandatory update, got ${describeResult(answer(this))}`);
});

Then('the update is not mandatory', function (this: PlatformWorld) {
  if (answer(this).update?.mandatory !== false)
    throw new CaseFailure(`expected an optional update, got ${describeResult(answer(this))}`);
});

Then('the device is told it is up to date', function (this: PlatformWorld) {
  if (answer(this).kind !== 'upToDate')
    throw new CaseFailure(`expected upToDate, got ${describeResult(answer(this))}`);
});

Then(
  'the device is told its host is too old, host version {string} being needed',
  function (this: PlatformWorld, minHostVersion: string) {
    const a = answer(this);
    if (a.kind !== 'incompatible' || a.minHostVersion !== minHostVersion)
      throw new CaseFailure(
        `expected incompatible (minHostVersion ${minHostVersion}), got ${describeResult(a)}`,
      );
  },
);

Then(
  'the device is told its version is revoked, with version {int} offered in its place',
  function (this: PlatformWorld, versionCode: number) {
    const a = answer(this);
    if (a.kind !== 'revoked' || a.replacement?.versionCode !== versionCode)
      throw new CaseFailure(
        `expected revoked with replacement ${versionCode}, got ${describeResult(a)}`,
      );
  },
);

Then(
  'the device is told its version is revoked, with nothing offered in its place',
  function (this: PlatformWorld) {
    const a = answer(this);
    if (a.kind !== 'revoked' || a.replacement)
      throw new CaseFailure(`expected revoked without replacement, got ${describeResult(a)}`);
  },
);

/** The feature's plain words and the suite's model of update selection must agree with the server. */
Then(
  'the answer is the one the update selection of the specification gives',
  async function (this: PlatformWorld) {
    const history = this.requireHistory();
    const query = this.noted.get('query') as Omit<SelectionQuery, 'appId'>;
    const expected = await history.expected(query);
    const problem = mismatch(expected, answer(this), history, this.subject.baseUrl);
    if (problem) throw new CaseFailure(`update selection: ${problem}`);
  },
);

Then(
  'the offer names the release envelope and the bundle of version {int}, with its length and digest',
  function (this: PlatformWorld, versionCode: number) {
    const offer = answer(this).update;
    if (!offer || offer.versionCode !== versionCode)
      throw new CaseFailure(`no offer of version ${versionCode}`);
    const problem = offerProblem(offer, this.requireHistory(), this.subject.baseUrl);
    if (problem) throw new CaseFailure(problem);
  },
);

When(
  'the device asks the single-app update route the same question',
  async function (this: PlatformWorld) {
    const d = await device(this);
    const query = this.noted.get('query') as Omit<SelectionQuery, 'appId'>;
    const { exchange, result } = await singleCheck(this.test, d.token, {
      appId: this.requireHistory().app.appId,
      hostApiVersion: query.hostApiVersion,
      channel: query.channel,
      deviceId: query.deviceId,
      versionCode: query.installedVersionCode,
    });
    if (exchange.status !== 200)
      throw new CaseFailure(`the single check answered ${exchange.status}`);
    this.noted.set('single answer', result);
  },
);

Then('both routes give the same answer', function (this: PlatformWorld) {
  const single = this.noted.get('single answer') as UpdateResult | undefined;
  const batch = answer(this);
  if (JSON.stringify(single) !== JSON.stringify(batch))
    throw new CaseFailure(
      `the batch answered ${JSON.stringify(batch)}, the single route ${JSON.stringify(single)}`,
    );
});
