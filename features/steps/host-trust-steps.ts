import { Given, Then, When, type World } from '@cucumber/cucumber';
import { CaseFailure } from '../../conformance/framework/index.ts';
import { signPayload, timestamp } from '../../conformance/host/distribution/signed-document.ts';
import { expectInstalled, expectOutcome, expectRefused } from '../../conformance/host/host-case.ts';
import { describe } from '../../conformance/host/host-session.ts';
import { buildProbe } from '../../conformance/host/probe/probe-package.ts';
import { probeIn, specOf } from '../../conformance/signing/host-trust-scenarios.ts';
import { hostOf, type HostScenario } from '../support/host-world.ts';

/**
 * What a host refuses (spec/signing.md): the host suite's conformance distribution server publishes
 * a world that a conforming server would publish except for one fault, as its trust cases do.
 */

const encoder = new TextEncoder();

async function theApp(h: HostScenario) {
  const known = h.apps.get('the app');
  if (known) return known;
  const pkg = await probeIn(h.session);
  h.apps.set('the app', pkg);
  return pkg;
}

async function installVersion1(h: HostScenario, indexVersion?: number): Promise<void> {
  const pkg = await theApp(h);
  h.session.world.addRelease(pkg.appId, specOf(pkg));
  h.session.world.publish(indexVersion === undefined ? {} : { indexVersion });
  expectOutcome(await h.session.install(pkg.appId), 'installed', 1, 'the valid version 1');
}

Given(
  "a host that trusts the conformance distribution server's root",
  async function (this: World) {
    const h = hostOf(this);
    // init handed the host the suite's root envelope (version 1) in place of its own [CNF-027].
    const state = await h.session.state();
    if (!state.initialized)
      throw new CaseFailure('state says the host is not initialized after init');
    if (state.trust.rootVersion !== null && state.trust.rootVersion !== 1)
      throw new CaseFailure(
        `state reports root version ${state.trust.rootVersion}; init gave it version 1`,
      );
  },
);

Given('the host installed version 1 of an app', { timeout: 120_000 }, async function (this: World) {
  await installVersion1(hostOf(this));
});

Given(
  'the server serves version 2 of the app with bundle bytes that differ from the signed digest',
  async function (this: World) {
    const h = hostOf(this);
    const next = buildProbe({ versionCode: 2 });
    const published = h.session.world.addRelease(next.appId, specOf(next));
    // One byte flipped in the middle: the same length, another digest [SIG-041].
    const tampered = new Uint8Array(next.bytes);
    const at = Math.floor(tampered.length / 2);
    tampered[at] = (tampered[at] ?? 0) ^ 0x01;
    published.served = tampered;
    h.session.world.publish();
    h.log(
      `version 2 signed over ${next.bytes.length} bytes; byte ${at} of the served bundle flipped`,
    );
  },
);

When(/^the host (?:updates|installs) the app$/, { timeout: 120_000 }, async function (this: World) {
  const h = hostOf(this);
  h.outcome = await h.session.install((await theApp(h)).appId);
});

Then(/^the (?:update|install) fails with code ([A-Z_]+)$/, function (this: World, code: string) {
  const h = hostOf(this);
  if (!h.outcome) throw new Error('the host was not asked to install anything');
  expectRefused(h.outcome, [code], 'the faulty release');
});

Then('the host still runs version 1', { timeout: 120_000 }, async function (this: World) {
  const h = hostOf(this);
  const appId = (await theApp(h)).appId;
  await expectInstalled(h.session, appId, 1, 'after the refused update');
  const launched = await h.session.launchProbe(appId);
  const running = await h.session.probe<number>(appId, '(p) => p.versionCode');
  if (launched.versionCode !== 1 || running !== 1)
    throw new CaseFailure(
      `the app launched as versionCode ${launched.versionCode} and its page says ${running}; version 1 should run`,
    );
});

Given(
  'a host that trusted index version {int}',
  { timeout: 120_000 },
  async function (this: World, version: number) {
    const h = hostOf(this);
    await installVersion1(h, version);
    const trusted = (await h.session.state()).trust.indexVersion;
    if (trusted !== version)
      throw new CaseFailure(
        `after installing from index version ${version}, state reports index version ${trusted}`,
      );
    h.noted.set('trusted index', version);
  },
);

When(
  'the server serves index version {int}, which offers version 2 of the app',
  function (this: World, version: number) {
    const h = hostOf(this);
    const next = buildProbe({ versionCode: 2 });
    h.session.world.addRelease(next.appId, specOf(next));
    h.session.world.publish({ indexVersion: version });
    h.log(`index version ${version} published, offering versionCode 2`);
  },
);

Then('the host refuses the index and installs nothing', async function (this: World) {
  const h = hostOf(this);
  if (!h.outcome) throw new Error('the host was not asked to update');
  expectRefused(h.outcome, undefined, 'an index older than the trusted one');
  const state = await h.session.state();
  const trusted = h.noted.get('trusted index') as number;
  if (state.trust.indexVersion !== trusted)
    throw new CaseFailure(
      `after the refusal state reports index version ${state.trust.indexVersion}, not the trusted ${trusted}`,
    );
  await expectInstalled(h.session, (await theApp(h)).appId, 1, 'after the refused index');
});

Given(
  'the server serves a statement whose bytes differ from the digest in the release metadata, and package bytes that are not an archive',
  async function (this: World) {
    const h = hostOf(this);
    const pkg = await theApp(h);
    const junk = encoder.encode(
      'not a zip archive: a host must not find out before the statement verified\n'.repeat(20),
    );
    // The release metadata and the statement sign these bytes, so only the statement digest is wrong.
    const published = h.session.world.addRelease(pkg.appId, specOf(pkg, { bundle: junk }));
    const app = h.session.world.app(pkg.appId);
    // Another statement, validly signed by the app's own partner key, whose bytes the release does not pin [SIG-090].
    published.statement = signPayload(
      'statement',
      { ...published.statement.payload, createdAt: timestamp(new Date(Date.now() - 3_600_000)) },
      app.partnerKeys,
    );
    h.session.world.publish();
    h.log(
      'release pins one statement; the server serves another, validly signed; the package is no ZIP',
    );
  },
);

Then('the host lists no installed version of the app', async function (this: World) {
  const h = hostOf(this);
  await expectInstalled(h.session, (await theApp(h)).appId, undefined, 'after the refusal');
  h.log(`outcome ${describe(h.outcome)}; state lists no version`);
});
