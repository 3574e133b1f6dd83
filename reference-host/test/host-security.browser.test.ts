/**
 * The host in real Chromium against a distribution server that serves crafted metadata: every
 * refusal of the trust chain (with its code, and nothing cached), the isolation of mini-apps from the
 * host and from each other, permissions, automatic rollback and offline launches.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { RunningHostServer } from '../server/host-server.ts';
import {
  adapter,
  adapterErrorOf,
  chromiumPath,
  restartHost,
  saveWindowScreenshot,
  startBrowser,
  storedKeys,
  storedValue,
  type Browser,
  type BrowserSession,
} from './support/browser-session.ts';
import {
  countingApp,
  hostileApp,
  neverReadyApp,
  permissionApp,
  plainApp,
  rawBridgeApp,
  victimApp,
} from './support/fixture-apps.ts';
import {
  FixtureDistribution,
  newKey,
  type PublishedRelease,
} from './support/fixture-distribution.ts';
import { startHost } from './support/host-under-test.ts';

const skip = existsSync(chromiumPath) ? false : `${chromiumPath} is absent`;

interface Outcome {
  kind: string;
  code?: string;
  appId?: string | null;
  versionCode?: number;
  minHostVersion?: string;
  page?: string;
  receivedAt?: number;
}

interface AdapterState {
  initialized: boolean;
  trust: { rootVersion: number | null; indexVersion: number | null };
  apps: { appId: string; versionCode: number }[];
  running: { appId: string; versionCode: number; state: string; documentUrl: string } | null;
  permissions: { appId: string; permission: string; decision: string }[];
  deviceId: string | null;
  analytics: boolean;
}

interface StoredRecord {
  current?: { versionCode: number };
  previous?: { versionCode: number };
  pending?: { versionCode: number };
  probation: boolean;
  rejected: number[];
}

interface QueuedEvent {
  type: string;
  appId: string;
  code?: string;
  toVersionCode?: number;
  time: string;
}

/** An outcome without the moment it was received, for comparisons. */
function brief(outcome: Outcome): Outcome {
  const { receivedAt, ...rest } = outcome;
  assert.equal(typeof receivedAt, 'number');
  return rest;
}

/** The version key the runtime gives a version (see SuperApp: digest prefix and versionCode). */
function versionKeyOf(release: PublishedRelease): string {
  return `${release.packageSha256.slice(0, 24)}v${release.versionCode.toString(36)}`;
}

describe('the host against crafted distribution metadata', { skip }, () => {
  let fixture: FixtureDistribution;
  let host: RunningHostServer;
  let session: BrowserSession;
  let browser: Browser;
  let appCounter = 0;

  before(async () => {
    fixture = await FixtureDistribution.start();
    host = await startHost('conformance');
    session = await startBrowser();
    browser = session.browser;
    activeBrowser = browser;
    await browser
      .setViewport({ width: 390, height: 844, devicePixelRatio: 2 })
      .catch(() => undefined);
    await browser.url(`${host.hostOrigin}/`);
  });
  after(async () => {
    await session?.close();
    await host?.close();
    await fixture?.close();
  });

  async function init(target: FixtureDistribution = fixture): Promise<void> {
    await adapter(browser, 'reset');
    const result = await adapter<{ adapterVersion: string; deviceId: string }>(browser, 'init', {
      distributionUrl: target.url,
      trustRoot: target.trustRoot,
      channel: 'stable',
      credentials: { device: 'fixture-device-credential', user: 'fixture-user-session' },
      deviceId: 'fixture-device-0000000001',
    });
    assert.deepEqual(result, {
      adapterVersion: '1.0',
      platform: 'web',
      hostApiVersion: '1.2.0',
      deviceId: 'fixture-device-0000000001',
    });
  }

  const launch = (appId: string): Promise<Outcome> =>
    adapter<Outcome>(browser, 'launch', { link: `miniapp://${appId}/` });
  const state = (): Promise<AdapterState> => adapter<AdapterState>(browser, 'state');
  /** [LIF-200] [LIF-203] a launch refused with APP_NOT_READY, not before its 10 s, leaving nothing running. */
  async function refusedNotReady(appId: string): Promise<void> {
    const began = Date.now();
    const outcome = await launch(appId);
    const waited = Date.now() - began;
    assert.ok(waited >= 10_000, `gave up after ${waited} ms with ${JSON.stringify(outcome)}`);
    assert.deepEqual([outcome.kind, outcome.code], ['refused', 'APP_NOT_READY']);
    assert.equal((await state()).running, null);
  }
  const record = (appId: string): Promise<StoredRecord | undefined> =>
    storedValue<StoredRecord>(browser, `app/${appId}`);
  const restart = (): Promise<void> => restartHost(browser);
  async function queuedEvents(): Promise<QueuedEvent[]> {
    const keys = await storedKeys(browser, 'ana/q/');
    const events: QueuedEvent[] = [];
    for (const key of keys) {
      const event = await storedValue<QueuedEvent>(browser, key);
      if (event) events.push(event);
    }
    return events;
  }
  /** Whether a host screen of that name is marked in the top-level document [CNF-032]. */
  const screenShown = async (name: string): Promise<boolean> =>
    (await browser.$(`[data-openminiapp-screen="${name}"]`).isExisting()) &&
    (await browser.$(`[data-openminiapp-screen="${name}"]`).isDisplayed());
  const nextAppId = (name: string): string => `dev.fixture.${name}${++appCounter}`;

  async function assertNothingCached(appId: string): Promise<void> {
    assert.equal(
      (await state()).apps.find((a) => a.appId === appId),
      undefined,
      'not installed',
    );
    assert.equal(await record(appId), null, 'no install record');
    assert.deepEqual(await storedKeys(browser, 'pkg/'), [], 'no stored package');
  }

  async function inFrame<T>(appId: string, run: () => Promise<T>): Promise<T> {
    await browser.switchFrame(null);
    await browser.switchFrame(await browser.$(`iframe[data-openminiapp-app="${appId}"]`));
    try {
      return await run();
    } finally {
      await browser.switchFrame(null);
    }
  }

  async function probe<T>(appId: string, until?: (value: T) => boolean): Promise<T> {
    let value: T | undefined;
    await browser.waitUntil(
      async () => {
        value = await inFrame(appId, () =>
          browser.execute(
            () =>
              (window as unknown as { __openMiniAppProbe: unknown }).__openMiniAppProbe as never,
          ),
        );
        return value !== undefined && value !== null && (!until || until(value));
      },
      { timeout: 15_000, timeoutMsg: `the probe of ${appId} never finished` },
    );
    return value as T;
  }

  describe('refuses with the code of the failed check and caches nothing', () => {
    it('launches a correctly signed release, fetching each document by the pin of the one before', async () => {
      await init();
      const appId = nextAppId('good');
      await fixture.publish({ appId, versionCode: 1, files: plainApp('good v1') });
      const before = fixture.requests.length;
      const outcome = await launch(appId);
      assert.deepEqual(brief(outcome), {
        kind: 'launched',
        appId,
        versionCode: 1,
        page: 'index.html',
      });
      const seen = fixture.requests.slice(before).map((r) => r.replace(/[0-9a-f]{64}/, '<sha>'));
      const order = [
        '/v1/trust/index.json',
        /^\/v1\/trust\/bins\/[0-9a-f]\/\d+\.bin\.json$/,
        `/v1/delegations/${appId}/1.delegation.json`,
        `/v1/releases/${appId}/1.release.json`,
        `/v1/releases/${appId}/1.statement.json`,
        '/v1/bundles/sha256/<sha>.ma',
      ];
      let at = 0;
      for (const expected of order) {
        const found = seen.findIndex(
          (r, i) => i >= at && (typeof expected === 'string' ? r === expected : expected.test(r)),
        );
        assert.ok(found >= 0, `${String(expected)} after ${seen.slice(0, at).join(', ')}`);
        at = found + 1;
      }
    });

    it('a tampered bundle: SIG_DIGEST_MISMATCH [SIG-041]', async () => {
      await init();
      const appId = nextAppId('tampered');
      await fixture.publish({
        appId,
        versionCode: 1,
        files: plainApp('tampered'),
        serveBundle: (signed) => {
          const copy = Uint8Array.from(signed);
          copy[Math.floor(copy.length / 2)] = (copy[Math.floor(copy.length / 2)] ?? 0) ^ 0x01;
          return copy;
        },
      });
      const outcome = await launch(appId);
      assert.equal(outcome.kind, 'refused');
      assert.equal(outcome.code, 'SIG_DIGEST_MISMATCH');
      await assertNothingCached(appId);
      assert.equal(await screenShown('error'), true);
      assert.equal(
        await browser.$('[data-testid="failure-code"]').getText(),
        'SIG_DIGEST_MISMATCH',
      );
      await shot('host-blocked.png');
    });

    it('release metadata signed by a key the root does not name: SIG_UNKNOWN_KEY [SIG-033]', async () => {
      await init();
      const appId = nextAppId('wrongkey');
      await fixture.publish({
        appId,
        versionCode: 1,
        files: plainApp('wrong key'),
        releaseKey: fixture.keys.stranger,
      });
      const outcome = await launch(appId);
      assert.deepEqual([outcome.kind, outcome.code], ['refused', 'SIG_UNKNOWN_KEY']);
      await assertNothingCached(appId);
    });

    it('a statement signed by a key the delegation does not list: SIG_UNKNOWN_KEY [SIG-091]', async () => {
      await init();
      const appId = nextAppId('undelegated');
      await fixture.publish({
        appId,
        versionCode: 1,
        files: plainApp('undelegated'),
        statementKey: fixture.keys.stranger,
      });
      const before = fixture.requests.length;
      const outcome = await launch(appId);
      assert.deepEqual([outcome.kind, outcome.code], ['refused', 'SIG_UNKNOWN_KEY']);
      await assertNothingCached(appId);
      // [SIG-093] no byte of the package was even requested.
      assert.deepEqual(
        fixture.requests.slice(before).filter((r) => r.startsWith('/v1/bundles/')),
        [],
      );
    });

    it('an expired index: SIG_EXPIRED [SIG-063] [SIG-064]', async () => {
      const appId = nextAppId('staleindex');
      await fixture.publish({ appId, versionCode: 1, files: plainApp('stale') });
      fixture.indexIssuedAt = new Date(Date.now() - 2 * 86_400_000);
      fixture.changed();
      try {
        await init();
        const outcome = await launch(appId);
        assert.deepEqual([outcome.kind, outcome.code], ['refused', 'SIG_EXPIRED']);
        await assertNothingCached(appId);
      } finally {
        fixture.indexIssuedAt = undefined;
        fixture.changed();
      }
    });

    it('an expired delegation: SIG_EXPIRED [SIG-087]', async () => {
      await init();
      const appId = nextAppId('staledelegation');
      fixture.delegate(appId, {
        issuedAt: new Date(Date.now() - 30 * 86_400_000),
        expires: new Date(Date.now() - 86_400_000),
      });
      await fixture.publish({ appId, versionCode: 1, files: plainApp('stale delegation') });
      const outcome = await launch(appId);
      assert.deepEqual([outcome.kind, outcome.code], ['refused', 'SIG_EXPIRED']);
      await assertNothingCached(appId);
    });

    it('installs release metadata of any age while a fresh bin pins it [SIG-095]', async () => {
      await init();
      const appId = nextAppId('oldrelease');
      await fixture.publish({
        appId,
        versionCode: 1,
        files: plainApp('countersigned two years ago'),
        releaseIssuedAt: new Date(Date.now() - 730 * 86_400_000),
      });
      assert.equal((await launch(appId)).kind, 'launched');
    });

    it('accepts release metadata of a later minor version and ignores its new members, with validators compiled ahead of time [SIG-077]', async () => {
      await init();
      const appId = nextAppId('laterminor');
      await fixture.publish({
        appId,
        versionCode: 1,
        files: plainApp('written by 1.4'),
        releaseFromTheFuture: { specVersion: '1.4', members: { hint: { region: 'eu' } } },
      });
      assert.equal((await launch(appId)).kind, 'launched');
    });

    it('refuses a later minor version whose critical member it does not understand: SIG_UNSUPPORTED_VERSION [SIG-078]', async () => {
      await init();
      const appId = nextAppId('critical');
      await fixture.publish({
        appId,
        versionCode: 1,
        files: plainApp('critical'),
        releaseFromTheFuture: {
          specVersion: '1.4',
          members: { geofence: ['DE'], critical: ['/geofence'] },
        },
      });
      const outcome = await launch(appId);
      assert.deepEqual([outcome.kind, outcome.code], ['refused', 'SIG_UNSUPPORTED_VERSION']);
      await assertNothingCached(appId);
    });

    it('a downgraded index: SIG_ROLLBACK [SIG-062]', async () => {
      await init();
      const appId = nextAppId('oldindex');
      const old = fixture.index();
      await fixture.publish({ appId, versionCode: 1, files: plainApp('fresh') });
      assert.equal((await launch(appId)).kind, 'launched');
      await adapter(browser, 'uninstall', { appId });
      fixture.frozenIndex = old;
      // A restarted host verifies a new index (a running one reuses its last for up to 300 s).
      await restart();
      try {
        const outcome = await launch(appId);
        assert.deepEqual([outcome.kind, outcome.code], ['refused', 'SIG_ROLLBACK']);
        await assertNothingCached(appId);
      } finally {
        fixture.frozenIndex = undefined;
      }
    });

    it('a downgraded delegation: SIG_ROLLBACK [SIG-086]', async () => {
      await init();
      const appId = nextAppId('olddelegation');
      await fixture.publish({ appId, versionCode: 1, files: plainApp('delegated twice') });
      assert.equal((await launch(appId)).kind, 'launched');
      // The platform re-signs the delegation; the host trusts version 2 at its next session.
      fixture.delegate(appId);
      await restart();
      assert.equal((await launch(appId)).kind, 'launched');
      const trusted = await storedValue<{ delegations: Record<string, { version: number }> }>(
        browser,
        'trust/state',
      );
      assert.equal(trusted?.delegations[appId]?.version, 2);
      await adapter(browser, 'uninstall', { appId });
      fixture.pinnedDelegation.set(appId, 1);
      fixture.changed();
      await restart();
      const outcome = await launch(appId);
      assert.deepEqual([outcome.kind, outcome.code], ['refused', 'SIG_ROLLBACK']);
      await assertNothingCached(appId);
    });

    it('a bin whose bytes are not the ones the index pins: SIG_DIGEST_MISMATCH [SIG-102]', async () => {
      await init();
      const appId = nextAppId('swappedbin');
      await fixture.publish({ appId, versionCode: 1, files: plainApp('swapped bin') });
      fixture.binTamper = (bytes) => {
        const copy = Uint8Array.from(bytes);
        copy[copy.length - 3] = (copy[copy.length - 3] ?? 0) ^ 0x20;
        return copy;
      };
      try {
        await restart();
        const outcome = await launch(appId);
        assert.deepEqual([outcome.kind, outcome.code], ['refused', 'SIG_DIGEST_MISMATCH']);
        await assertNothingCached(appId);
      } finally {
        fixture.binTamper = undefined;
      }
    });

    it('a release below the installed versionCode: SIG_ROLLBACK [SIG-035]', async () => {
      await init();
      const appId = nextAppId('downgrade');
      await fixture.publish({ appId, versionCode: 2, files: plainApp('v2') });
      assert.equal((await launch(appId)).versionCode, 2);
      await adapter(browser, 'uninstall', { appId });
      // The server now pins only an older, correctly signed release.
      for (const release of fixture.releases) if (release.appId === appId) release.pinned = false;
      await fixture.publish({ appId, versionCode: 1, files: plainApp('v1') });
      await restart();
      const outcome = await launch(appId);
      assert.deepEqual([outcome.kind, outcome.code], ['refused', 'SIG_ROLLBACK']);
      await assertNothingCached(appId);
    });

    it('a download longer than signed: SIG_LENGTH_MISMATCH [SIG-040]', async () => {
      await init();
      const appId = nextAppId('longer');
      await fixture.publish({
        appId,
        versionCode: 1,
        files: plainApp('longer'),
        serveBundle: (signed) => {
          const longer = new Uint8Array(signed.length + 4096);
          longer.set(signed);
          return longer;
        },
      });
      const outcome = await launch(appId);
      assert.deepEqual([outcome.kind, outcome.code], ['refused', 'SIG_LENGTH_MISMATCH']);
      await assertNothingCached(appId);
    });

    it('a revoked release that a faulty server still pins: SIG_REVOKED_RELEASE [SIG-066]', async () => {
      await init();
      const appId = nextAppId('revoked');
      fixture.pinRevoked = true;
      try {
        fixture.revoke(
          await fixture.publish({ appId, versionCode: 1, files: plainApp('revoked') }),
        );
        const outcome = await launch(appId);
        assert.deepEqual([outcome.kind, outcome.code], ['refused', 'SIG_REVOKED_RELEASE']);
        await assertNothingCached(appId);
      } finally {
        fixture.pinRevoked = false;
        fixture.changed();
      }
    });

    it('a release by a revoked partner key that a faulty server still pins: SIG_REVOKED_KEY [SIG-067]', async () => {
      await init();
      const appId = nextAppId('revokedkey');
      const stolen = await newKey();
      fixture.delegate(appId, { keys: [stolen] });
      fixture.pinRevoked = true;
      try {
        await fixture.publish({
          appId,
          versionCode: 1,
          files: plainApp('stolen key'),
          statementKey: stolen,
        });
        fixture.revokeKey(stolen);
        const outcome = await launch(appId);
        assert.deepEqual([outcome.kind, outcome.code], ['refused', 'SIG_REVOKED_KEY']);
        await assertNothingCached(appId);
      } finally {
        fixture.pinRevoked = false;
        fixture.changed();
      }
    });

    it('stops launching an installed release once it is revoked [SIG-066] [API-028]', async () => {
      await init();
      const appId = nextAppId('revokedlater');
      const v1 = await fixture.publish({ appId, versionCode: 1, files: plainApp('v1') });
      assert.equal((await launch(appId)).kind, 'launched');
      fixture.revoke(v1);
      await restart();
      const outcome = await launch(appId);
      assert.deepEqual([outcome.kind, outcome.code], ['refused', 'SIG_REVOKED_RELEASE']);
    });

    it('recovers from a stolen partner key: a new delegation forgets the inflated floor and the stolen version stops [SIG-088] [SIG-089]', async () => {
      await init();
      const appId = nextAppId('recovery');
      const stolen = await newKey();
      fixture.delegate(appId, { keys: [fixture.keys.partner, stolen] });
      // The thief signs a huge versionCode with the stolen key; the host installs it.
      await fixture.publish({
        appId,
        versionCode: 9_000_000,
        files: plainApp('thief'),
        statementKey: stolen,
      });
      assert.equal((await launch(appId)).versionCode, 9_000_000);
      // The partner reports the key: a delegation without it, and a release signed with the kept key.
      for (const release of fixture.releases) if (release.appId === appId) release.pinned = false;
      fixture.delegate(appId, { keys: [fixture.keys.partner] });
      await fixture.publish({ appId, versionCode: 2, files: plainApp('genuine v2') });
      await restart();
      assert.deepEqual(brief(await launch(appId)), {
        kind: 'launched',
        appId,
        versionCode: 2,
        page: 'index.html',
      });
      assert.equal((await probe<{ label: string }>(appId)).label, 'genuine v2');
    });

    it('an incompatible minHostVersion shows the update screen [VER-007] [VER-008]', async () => {
      await init();
      const appId = nextAppId('newer');
      await fixture.publish({
        appId,
        versionCode: 1,
        files: plainApp('needs 1.9'),
        minHostVersion: '1.9.0',
      });
      const outcome = await launch(appId);
      assert.deepEqual(brief(outcome), { kind: 'updateRequired', appId, minHostVersion: '1.9.0' });
      assert.equal(await screenShown('updateRequired'), true);
      await shot('host-update-required.png');
      await assertNothingCached(appId);
    });

    it('an id that no bin lists opens the not-available screen [ADR-008] [SIG-107]', async () => {
      await init();
      const outcome = await launch('dev.fixture.nobody');
      assert.deepEqual(brief(outcome), { kind: 'notAvailable', appId: 'dev.fixture.nobody' });
      assert.equal(await screenShown('notAvailable'), true);
    });
  });

  describe('walks root rotations', () => {
    let rotating: FixtureDistribution;
    before(async () => {
      rotating = await FixtureDistribution.start();
    });
    after(async () => {
      await rotating?.close();
    });

    it('applies successors one by one, at most 32 per session, and continues in the next [SIG-053] [SIG-110]', async () => {
      await init(rotating);
      const appId = nextAppId('rotated');
      await rotating.publish({ appId, versionCode: 1, files: plainApp('rotated') });
      await rotating.rotateRoot(2);
      assert.equal((await launch(appId)).kind, 'launched');
      assert.equal((await state()).trust.rootVersion, 3);
      // Nothing installed, so the restart's update session does not walk them first.
      await adapter(browser, 'uninstall', { appId });
      await rotating.rotateRoot(33);
      const other = nextAppId('rotatedlate');
      await rotating.publish({ appId: other, versionCode: 1, files: plainApp('after 33') });
      await restart();
      const capped = await launch(other);
      assert.deepEqual([capped.kind, capped.code], ['refused', 'SIG_ROOT_ROTATION_LIMIT']);
      await assertNothingCached(other);
      assert.equal((await state()).trust.rootVersion, 35);
      // The next session applies the rest.
      assert.equal((await launch(other)).kind, 'launched');
      assert.equal((await state()).trust.rootVersion, 36);
    });
  });

  describe('answers the conformance adapter as spec/conformance.md defines it', () => {
    it('refuses unknown commands, invalid arguments and commands before init, changing nothing [CNF-023]', async () => {
      await adapter(browser, 'reset');
      assert.deepEqual(await state(), {
        initialized: false,
        trust: { rootVersion: null, indexVersion: null },
        apps: [],
        running: null,
        permissions: [],
        deviceId: null,
        analytics: true,
      });
      const call = (command: string, args: unknown): Promise<unknown> =>
        browser.executeAsync(
          (c: string, a: unknown, done: (value: unknown) => void) => {
            (
              window as unknown as {
                openMiniAppConformance: { call(c: string, a: unknown): Promise<unknown> };
              }
            ).openMiniAppConformance
              .call(c, a)
              .then(
                () => done('resolved'),
                (e: { code: string }) => done(e.code),
              );
          },
          command,
          args,
        );
      assert.equal(await call('restart', {}), 'ADAPTER_UNKNOWN_COMMAND');
      assert.equal(await call('launch', { link: 42 }), 'ADAPTER_INVALID_ARGUMENTS');
      assert.equal(
        await call('init', { distributionUrl: fixture.url, trustRoot: fixture.trustRoot }),
        'ADAPTER_INVALID_ARGUMENTS',
      );
      assert.equal(
        await adapterErrorOf(adapter(browser, 'launch', { link: 'miniapp://dev.fixture.x/' })),
        'ADAPTER_NOT_INITIALIZED',
      );
      assert.equal(await adapterErrorOf(adapter(browser, 'events')), 'ADAPTER_NOT_INITIALIZED');
      assert.equal((await state()).initialized, false);
      await init();
      assert.equal(
        await adapterErrorOf(
          adapter(browser, 'answerPrompt', { decision: 'grant', timeoutMs: 200 }),
        ),
        'ADAPTER_NO_SCREEN',
      );
      assert.equal(await adapterErrorOf(adapter(browser, 'background')), 'ADAPTER_NO_RUNNING_APP');
      assert.equal(await adapterErrorOf(adapter(browser, 'foreground')), 'ADAPTER_NO_RUNNING_APP');
      assert.deepEqual(await adapter(browser, 'outcome'), null);
    });

    it('marks the frame, reports the running app and its document, and keeps everything across the harness restart [CNF-024] [CNF-028]', async () => {
      await init();
      const appId = nextAppId('marked');
      await fixture.publish({ appId, versionCode: 3, files: plainApp('marked') });
      assert.deepEqual(await adapter(browser, 'install', { appId }), {
        kind: 'installed',
        appId,
        versionCode: 3,
      });
      assert.deepEqual(await adapter(browser, 'install', { appId }), {
        kind: 'upToDate',
        appId,
        versionCode: 3,
      });
      const launched = await adapter<Outcome>(browser, 'launch', {
        link: `miniapp://${appId}/index.html?from=test#top`,
      });
      assert.deepEqual(brief(launched), {
        kind: 'launched',
        appId,
        versionCode: 3,
        page: 'index.html',
      });
      const running = (await state()).running;
      assert.equal(running?.state, 'foreground');
      const documentUrl = await inFrame(appId, () => browser.execute(() => location.href));
      assert.equal(running?.documentUrl, documentUrl);
      assert.match(documentUrl, /\/app\/index\.html\?from=test#top$/);
      assert.equal(
        await browser.$(`iframe[data-openminiapp-app="${appId}"]`).getAttribute('sandbox'),
        'allow-scripts allow-same-origin allow-forms',
      );
      await restart();
      const after = await state();
      assert.equal(after.initialized, true);
      assert.deepEqual(
        after.apps.filter((a) => a.appId === appId),
        [{ appId, versionCode: 3 }],
      );
      assert.equal(after.running, null);
      assert.deepEqual(brief(await launch(appId)), {
        kind: 'launched',
        appId,
        versionCode: 3,
        page: 'index.html',
      });
      assert.deepEqual(await adapter(browser, 'uninstall', { appId }), { uninstalled: true });
      assert.deepEqual(await adapter(browser, 'uninstall', { appId }), { uninstalled: false });
    });

    it('gives a page that bundles no client the init message from its parent, with a port [BRG-032] [BRG-034]', async () => {
      await init();
      const appId = nextAppId('raw');
      await fixture.publish({ appId, versionCode: 1, files: rawBridgeApp() });
      assert.equal((await launch(appId)).kind, 'launched');
      const seen = await probe<{
        inits: { fromParent: boolean; origin: string; ports: number; hostApiVersion: string }[];
        answers: Record<
          string,
          { ok: boolean; result?: { hostApiVersion?: string }; error?: { code: string } }
        >;
      }>(appId, (p) => Object.keys(p.answers).length === 2);
      assert.deepEqual(seen.inits, [
        { fromParent: true, origin: host.hostOrigin, ports: 1, hostApiVersion: '1.2.0' },
      ]);
      assert.equal(seen.answers['raw-1']?.ok, true);
      assert.equal(seen.answers['raw-1']?.result?.hostApiVersion, '1.2.0');
      assert.equal(seen.answers['raw-2']?.error?.code, 'BRIDGE_MALFORMED');
    });

    it('sets the clock for every time-based decision, advancing from the moment it was set [CNF-029]', async () => {
      await init();
      const appId = nextAppId('clock');
      await fixture.publish({ appId, versionCode: 1, files: plainApp('clock') });
      // Two days on, the index of a minute ago has expired: nothing new installs.
      await adapter(browser, 'setClock', {
        time: new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 19) + 'Z',
      });
      const late = await launch(appId);
      assert.deepEqual([late.kind, late.code], ['refused', 'SIG_EXPIRED']);
      const set = '2030-01-01T00:00:00Z';
      await adapter(browser, 'setClock', { time: null });
      assert.equal((await launch(appId)).kind, 'launched');
      await adapter(browser, 'setClock', { time: set });
      await adapter(browser, 'background');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await adapter(browser, 'foreground');
      let warm: QueuedEvent | undefined;
      await browser.waitUntil(async () => {
        warm = (await queuedEvents())
          .filter((e) => e.type === 'app.launch' && e.time >= '2030')
          .pop();
        return warm !== undefined;
      });
      assert.ok(warm && warm.time > set && warm.time < '2030-01-01T00:01:00Z', warm?.time);
      await adapter(browser, 'setClock', { time: null });
    });

    it('changes the settings as the user would, and sends the queued events when asked [ANL-007] [ANL-008]', async () => {
      await init();
      const appId = nextAppId('settings');
      await fixture.publish({ appId, versionCode: 1, files: plainApp('settings') });
      assert.equal((await launch(appId)).kind, 'launched');
      const before = fixture.analytics.length;
      const { sent } = await adapter<{ sent: number }>(browser, 'events');
      assert.ok(sent > 0);
      const batch = fixture.analytics.slice(before);
      assert.equal(batch.length, 1);
      assert.equal(batch[0]?.authorization, 'Bearer fixture-device-credential');
      assert.equal(batch[0]?.batch.events.length, sent);
      assert.deepEqual(await storedKeys(browser, 'ana/q/'), []);
      assert.deepEqual(await adapter(browser, 'events'), { sent: 0 });
      const reset = await adapter<{ analytics: boolean; deviceId: string }>(browser, 'settings', {
        analytics: false,
        resetDeviceId: true,
      });
      assert.equal(reset.analytics, false);
      assert.notEqual(reset.deviceId, 'fixture-device-0000000001');
      assert.deepEqual(
        [(await state()).analytics, (await state()).deviceId],
        [false, reset.deviceId],
      );
      await adapter(browser, 'background');
      await adapter(browser, 'foreground');
      assert.deepEqual(await adapter(browser, 'events'), { sent: 0 });
    });
  });

  describe('isolates a hostile mini-app', () => {
    it('blocks every attempt to reach the host, another app, the network or its own runtime', async () => {
      await init();
      const victimId = nextAppId('victim');
      const hostileId = nextAppId('hostile');
      await fixture.publish({ appId: victimId, versionCode: 1, files: victimApp() });
      assert.equal((await launch(victimId)).kind, 'launched');
      const victim = await probe<{ stored: boolean; origin: string }>(victimId, (p) => p.stored);
      await adapter(browser, 'background');
      await fixture.publish({
        appId: hostileId,
        versionCode: 1,
        files: hostileApp({
          victimOrigin: victim.origin,
          hostOrigin: host.hostOrigin,
          distributionUrl: fixture.url,
        }),
        pages: ['index.html', 'page2.html'],
        allowedDomains: ['https://api.fixture.example'],
      });
      assert.equal((await launch(hostileId)).kind, 'launched');
      const { results, violations } = await probe<{
        done: boolean;
        violations: { directive: string; blocked: string }[];
        results: Record<
          string,
          { blocked?: boolean; code?: string; value?: unknown; result?: unknown } & Record<
            string,
            unknown
          >
        >;
      }>(hostileId, (p) => p.done);
      // Storage of other apps: a key is data, never a path [STO-001] [STO-003]; web storage is per origin [STO-002].
      assert.deepEqual(results.bridgeStorage, { result: { exists: false } });
      assert.deepEqual(results.bridgeStorageTraversal, { result: { exists: false } });
      assert.equal(results.localStorage, null);
      assert.equal(String(results.cookies).includes('victim-secret'), false);
      assert.deepEqual(results.indexedDbDatabases, []);
      // The host's and the victim's documents.
      for (const name of [
        'parentDocument',
        'topLocation',
        'parentAdapter',
        'victimFrame',
        'navigateTop',
      ]) {
        assert.equal(results[name]?.blocked, true, name);
      }
      assert.deepEqual(results.openPopup, { blocked: false, value: null });
      assert.equal(results.postMessageBridge, 'ignored');
      assert.equal(new URL(await browser.getUrl()).origin, host.hostOrigin);
      // The network outside allowedDomains [BRG-028] [BRG-030].
      for (const name of [
        'fetchElsewhere',
        'fetchDistribution',
        'fetchVictim',
        'fetchHost',
        'websocket',
      ]) {
        assert.equal(results[name]?.blocked, true, name);
      }
      assert.deepEqual(results.networkRequest, { code: 'DOMAIN_NOT_ALLOWED' });
      // Blocked by the content security policy itself, not by a failed lookup.
      const blockedByPolicy = violations
        .filter((v) => v.directive === 'connect-src')
        .map((v) => new URL(v.blocked).host);
      for (const target of [
        'evil.example',
        new URL(fixture.url).host,
        new URL(victim.origin).host,
        new URL(host.hostOrigin).host,
      ]) {
        assert.ok(blockedByPolicy.includes(target), `connect-src blocked ${target}`);
      }
      // Undeclared permissions: refused at once, no prompt [PRM-005].
      assert.deepEqual(results.location, { code: 'PERMISSION_DENIED' });
      assert.deepEqual(results.profile, { code: 'PERMISSION_DENIED' });
      assert.equal(await browser.$('[data-openminiapp-screen]').isExisting(), false);
      // The runtime: no worker of its own, no forged files, and the verified bytes still served.
      assert.equal(results.registerOwnWorker?.blocked, true);
      assert.equal(results.registerForgedWorker?.blocked, true);
      const narrow = String(results.narrowWorker as unknown);
      assert.ok(
        narrow === 'redundant' || narrow.startsWith('refused'),
        `a worker under a narrower scope: ${narrow}`,
      );
      assert.deepEqual(results.provisionForged, { accepted: 0 });
      assert.equal(results.pageAfterTampering, 'original bytes');
      assert.notEqual(results.bootstrapInFrame, 'Runtime');
      // And the victim's data is still there, untouched.
      await adapter(browser, 'foreground');
    });
  });

  describe('asks for permissions', () => {
    it('prompts with the reason, remembers a grant, answers a refusal, and prompts again after a revocation [PRM-006] to [PRM-015]', async () => {
      await init();
      const appId = nextAppId('perms');
      await fixture.publish({
        appId,
        versionCode: 1,
        files: permissionApp(),
        permissions: {
          userInfo: { reason: 'Greets you by name on the home page.' },
          clipboard: { reason: 'Copies your order number.' },
        },
      });
      assert.equal((await launch(appId)).kind, 'launched');
      await probe(appId);
      const callInApp = (method: string, params: Record<string, unknown> = {}): Promise<number> =>
        inFrame(appId, () =>
          browser.execute(
            (m: string, p: Record<string, unknown>) =>
              (window as unknown as { probeCall(m: string, p: unknown): number }).probeCall(m, p),
            method,
            params,
          ),
        );
      const resultOf = async (
        index: number,
      ): Promise<{ state: string; code?: string; result?: unknown }> => {
        let entry: { state: string; code?: string; result?: unknown } = { state: 'pending' };
        await browser.waitUntil(async () => {
          const probeValue = await probe<{ results: { state: string }[] }>(appId);
          entry = probeValue.results[index] as typeof entry;
          return entry.state !== 'pending';
        });
        return entry;
      };
      const waitPrompt = async (): Promise<void> => {
        await browser.waitUntil(async () => screenShown('permissionPrompt'), {
          timeout: 5000,
          timeoutMsg: 'no prompt',
        });
      };

      // First use: a prompt drawn by the host with the manifest's reason, verbatim.
      const first = await callInApp('user.getProfile');
      await waitPrompt();
      assert.equal(
        await browser.$('[data-testid="prompt-reason"]').getText(),
        'Greets you by name on the home page.',
      );
      await shot('host-permission-prompt.png');
      assert.deepEqual(await adapter(browser, 'answerPrompt', { decision: 'grant' }), {
        screen: 'permissionPrompt',
        appId,
        permission: 'userInfo',
      });
      assert.deepEqual(await resultOf(first), {
        method: 'user.getProfile',
        state: 'ok',
        result: { displayName: 'Alex Rivera' },
      });
      // Remembered: no prompt the second time.
      const second = await callInApp('user.getProfile');
      assert.equal((await resultOf(second)).state, 'ok');
      // A dismissal refuses this call but is not remembered [PRM-013].
      const dismissed = await callInApp('clipboard.write', { text: 'A-1042' });
      await waitPrompt();
      await adapter(browser, 'answerPrompt', { decision: 'dismiss' });
      assert.equal((await resultOf(dismissed)).code, 'PERMISSION_DENIED');
      // A refusal is remembered: denied at once, no prompt [PRM-011].
      const denied = await callInApp('clipboard.write', { text: 'A-1042' });
      await waitPrompt();
      await adapter(browser, 'answerPrompt', { decision: 'deny' });
      assert.equal((await resultOf(denied)).code, 'PERMISSION_DENIED');
      const again = await callInApp('clipboard.write', { text: 'A-1042' });
      assert.equal((await resultOf(again)).code, 'PERMISSION_DENIED');
      assert.equal(await browser.$('[data-openminiapp-screen]').isExisting(), false);
      assert.deepEqual(
        (await state()).permissions.filter((p) => p.appId === appId),
        [
          { appId, permission: 'clipboard', decision: 'denied' },
          { appId, permission: 'userInfo', decision: 'granted' },
        ],
      );
      // Revoked in the settings: the app is told, and the next call prompts again [PRM-014] [PRM-015].
      await adapter(browser, 'background');
      await browser.$('[data-testid="open-settings"]').click();
      await browser.$(`[data-testid="revoke-${appId}-userInfo"]`).click();
      await browser.waitUntil(
        async () => !(await browser.$(`[data-testid="decision-${appId}-userInfo"]`).isExisting()),
      );
      await shot('host-settings-revoked.png');
      await browser.$('[data-testid="settings-back"]').click();
      await adapter(browser, 'foreground');
      const events = (await probe<{ events: unknown[] }>(appId, (p) => p.events.length > 0)).events;
      assert.deepEqual(events, [{ name: 'userInfo', state: 'prompt' }]);
      const afterRevoke = await callInApp('user.getProfile');
      await waitPrompt();
      await adapter(browser, 'answerPrompt', { decision: 'deny' });
      assert.equal((await resultOf(afterRevoke)).code, 'PERMISSION_DENIED');
    });
  });

  describe('runs the lifecycle', () => {
    it('sends app.show before page.show, and page.hide before app.hide [LIF-002] [LIF-006] [LIF-011]', async () => {
      await init();
      const appId = nextAppId('lifecycle');
      await fixture.publish({ appId, versionCode: 1, files: plainApp('lifecycle') });
      assert.equal((await launch(appId)).kind, 'launched');
      await adapter(browser, 'background');
      assert.equal((await state()).running?.state, 'background');
      await adapter(browser, 'foreground');
      assert.deepEqual(brief(await adapter<Outcome>(browser, 'outcome')), {
        kind: 'launched',
        appId,
        versionCode: 1,
        page: 'index.html',
      });
      assert.equal((await state()).running?.state, 'foreground');
      const { events } = await probe<{ events: { name: string; data: { page?: string } }[] }>(
        appId,
        (p) => p.events.length >= 6,
      );
      assert.deepEqual(
        events.map((e) => `${e.name}${e.data.page ? ` ${e.data.page}` : ''}`),
        [
          'app.show',
          'page.show index.html',
          'page.hide index.html',
          'app.hide',
          'app.show',
          'page.show index.html',
        ],
      );
    });
  });

  describe('updates and rolls back', () => {
    it('activates a background update at the next launch and keeps the previous version', async () => {
      await init();
      const appId = nextAppId('update');
      await fixture.publish({ appId, versionCode: 1, files: plainApp('v1') });
      assert.equal((await launch(appId)).versionCode, 1);
      await fixture.publish({ appId, versionCode: 2, files: plainApp('v2') });
      const refreshed = await adapter<{ outcomes: Outcome[] }>(browser, 'refresh');
      assert.deepEqual(refreshed.outcomes, [{ kind: 'installed', appId, versionCode: 2 }]);
      // [LIF-008] the running instance keeps its version; the update waits for a cold start.
      assert.equal((await record(appId))?.pending?.versionCode, 2);
      assert.equal((await state()).running?.versionCode, 1);
      await restart();
      assert.equal((await launch(appId)).versionCode, 2);
      const kept = await record(appId);
      assert.deepEqual(
        [kept?.current?.versionCode, kept?.previous?.versionCode, kept?.probation],
        [2, 1, false],
      );
    });

    it('starts an unchanged version straight from its worker, and never runs a page of another version or unverified bytes: not after an update, nor when the cache was rewritten and the worker restarted', async () => {
      await init();
      const appId = nextAppId('warm');
      /** Launches after a restart of the host; whether the runtime ran its bootstrap page. */
      const relaunch = async (): Promise<{ versionCode?: number; bootstrap: boolean }> => {
        await restart();
        const outcome = await launch(appId);
        const marks = (await browser.execute(() =>
          performance.getEntriesByType('mark').map((m) => m.name),
        )) as string[];
        return {
          versionCode: outcome.versionCode,
          bootstrap: marks.includes(`omp:${appId}:runtime:bootstrap`),
        };
      };
      /**
       * The page running now is `label`'s, and every run recorded since the first `from` was of
       * `label`; returns the runs so far. (How often one version runs is not the point: under load a
       * launch may load its page twice. Which version runs is.)
       */
      const onlySince = async (from: number, label: string): Promise<number> => {
        const { label: running, runs } = await probe<{ label: string; runs: string[] }>(appId);
        assert.equal(running, label, `the page running now: ${runs.join(', ')}`);
        assert.ok(runs.length > from, `no run of ${label} was recorded: ${runs.join(', ')}`);
        assert.deepEqual(
          runs.slice(from).filter((run) => run !== label),
          [],
          `only ${label} may have run since run ${from + 1}: ${runs.join(', ')}`,
        );
        return runs.length;
      };
      await fixture.publish({ appId, versionCode: 1, files: countingApp('v1') });
      assert.equal((await launch(appId)).versionCode, 1);
      // Warm: the worker holds exactly this version.
      assert.deepEqual(await relaunch(), { versionCode: 1, bootstrap: false });
      const beforeUpdate = await onlySince(0, 'v1');
      assert.ok(beforeUpdate >= 2, 'the cold and the warm launch each ran the page');
      // An update: the worker of 1 sends the frame to the bootstrap; no page of 1 runs.
      await fixture.publish({ appId, versionCode: 2, files: countingApp('v2') });
      assert.deepEqual((await adapter<{ outcomes: Outcome[] }>(browser, 'refresh')).outcomes, [
        { kind: 'installed', appId, versionCode: 2 },
      ]);
      assert.deepEqual(await relaunch(), { versionCode: 2, bootstrap: true });
      const afterUpdate = await onlySince(beforeUpdate, 'v2');
      assert.deepEqual(await relaunch(), { versionCode: 2, bootstrap: false });
      // A page rewrites the cache of its worker, which the browser then stops: the restarted worker
      // finds bytes that are not the verified ones, does not vouch for itself, and the bootstrap
      // hands it the verified files again.
      const rewritten = (await inFrame(appId, () =>
        browser.executeAsync((done: (count: number) => void) => {
          void (async () => {
            const names = await caches.keys();
            for (const name of names) {
              const cache = await caches.open(name);
              await cache.put(
                new Request('/app/count.js'),
                new Response("window.__openMiniAppProbe = { label: 'tampered', runs: [] };", {
                  headers: { 'content-type': 'text/javascript' },
                }),
              );
            }
            done(names.length);
          })();
        }),
      )) as number;
      assert.ok(rewritten > 0, 'the worker keeps a cache');
      await stopServiceWorkers(browser);
      assert.deepEqual(await relaunch(), { versionCode: 2, bootstrap: true });
      await onlySince(afterUpdate, 'v2');
      // Its origin's storage cleared (no worker at all): the bootstrap again, then warm once more.
      await stopServiceWorkers(browser);
      await inFrame(appId, () =>
        browser.executeAsync((done: () => void) => {
          void navigator.serviceWorker
            .getRegistrations()
            .then((all) => Promise.all(all.map((r) => r.unregister())))
            .then(() => done());
        }),
      );
      assert.deepEqual(await relaunch(), { versionCode: 2, bootstrap: true });
      assert.deepEqual(await relaunch(), { versionCode: 2, bootstrap: false });
      await onlySince(afterUpdate, 'v2');
    });

    it('after 10 s rolls a version that never signals ready back to the kept one, in the same launch, even when an old page sends a ready signal [LIF-200] [LIF-201] [LIF-202]', async () => {
      await init();
      const appId = nextAppId('rollback');
      const v1 = await fixture.publish({ appId, versionCode: 1, files: plainApp('v1 works') });
      assert.equal((await launch(appId)).versionCode, 1);
      await fixture.publish({ appId, versionCode: 2, files: neverReadyApp(versionKeyOf(v1)) });
      assert.deepEqual((await adapter<{ outcomes: Outcome[] }>(browser, 'refresh')).outcomes, [
        { kind: 'installed', appId, versionCode: 2 },
      ]);
      await restart();
      const began = Date.now();
      const outcome = await launch(appId);
      const waited = Date.now() - began;
      // The first launch of 2 failed: the host went back to 1 by itself, and will not offer 2 again.
      assert.deepEqual(brief(outcome), {
        kind: 'launched',
        appId,
        versionCode: 1,
        page: 'index.html',
      });
      // [LIF-200] not given up before its 10 seconds.
      assert.ok(
        waited >= 10_000,
        `gave up after ${waited} ms: ${JSON.stringify(await queuedEvents())}`,
      );
      const kept = await record(appId);
      assert.deepEqual([kept?.current?.versionCode, kept?.rejected], [1, [2]]);
      assert.equal((await probe<{ label: string }>(appId)).label, 'v1 works');
      assert.ok(
        (await queuedEvents()).some(
          (e) => e.type === 'update.failed' && e.toVersionCode === 2 && e.code === 'APP_NOT_READY',
        ),
      );
      assert.deepEqual((await adapter<{ outcomes: Outcome[] }>(browser, 'refresh')).outcomes, [
        { kind: 'upToDate', appId, versionCode: 1 },
      ]);
      // The next start is warm, from the worker the rollback provisioned with 1, and runs 1.
      await restart();
      assert.equal((await launch(appId)).versionCode, 1);
      assert.equal((await probe<{ label: string }>(appId)).label, 'v1 works');
    });

    it('refuses a first installation that never signals ready with APP_NOT_READY after 10 s, and reports no update failure [LIF-203]', async () => {
      await init();
      const appId = nextAppId('hang');
      // No version was kept before this one: there is nothing to give way to.
      await fixture.publish({ appId, versionCode: 1, files: neverReadyApp('0'.repeat(24) + 'v0') });
      await refusedNotReady(appId);
      assert.equal(
        (await queuedEvents()).some((e) => e.type === 'update.failed' && e.appId === appId),
        false,
      );
    });

    it('refuses with APP_NOT_READY after 10 s when its runtime never finishes loading, and launches again once it does [LIF-200] [LIF-203]', async () => {
      await init();
      const appId = nextAppId('stalled');
      await fixture.publish({
        appId,
        versionCode: 1,
        files: plainApp('loads once the runtime answers'),
      });
      // The runtime server never answers the registration of this launch: loading never ends.
      await browser.switchFrame(null);
      await browser.execute(() => {
        const own = window.fetch.bind(window);
        (window as unknown as { __ompFetch: typeof fetch }).__ompFetch = own;
        window.fetch = (input, init) =>
          String(input instanceof Request ? input.url : input).includes('/__runtime/register')
            ? new Promise<Response>(() => undefined)
            : own(input, init);
      });
      await refusedNotReady(appId);
      // The host is still there: with its runtime answering again, the same app launches.
      await browser.execute(() => {
        window.fetch = (window as unknown as { __ompFetch: typeof fetch }).__ompFetch;
      });
      const again = await launch(appId);
      assert.deepEqual([again.kind, again.versionCode], ['launched', 1]);
      assert.equal((await probe<{ label: string }>(appId)).label, 'loads once the runtime answers');
    });

    it('launches from the verified cache when the distribution server is unreachable', async () => {
      await init();
      const appId = nextAppId('offline');
      await fixture.publish({ appId, versionCode: 1, files: plainApp('offline v1') });
      const notInstalled = nextAppId('never');
      await fixture.publish({
        appId: notInstalled,
        versionCode: 1,
        files: plainApp('never installed'),
      });
      assert.equal((await launch(appId)).kind, 'launched');
      await restart();
      fixture.available = false;
      try {
        assert.deepEqual(brief(await launch(appId)), {
          kind: 'launched',
          appId,
          versionCode: 1,
          page: 'index.html',
        });
        assert.equal((await probe<{ label: string }>(appId)).label, 'offline v1');
        // Not installed and offline: nothing can run.
        const other = await launch(notInstalled);
        assert.deepEqual([other.kind, other.code], ['refused', 'API_UNAVAILABLE']);
      } finally {
        fixture.available = true;
      }
    });
  });
});

/** Stops every service worker of the browser, as the browser does with idle ones (DevTools Protocol). */
async function stopServiceWorkers(browser: Browser): Promise<void> {
  const { protocol = 'http', hostname = '127.0.0.1', port } = browser.options;
  for (const cmd of ['ServiceWorker.enable', 'ServiceWorker.stopAllWorkers']) {
    const response = await fetch(
      `${protocol}://${hostname}:${port}/session/${browser.sessionId}/goog/cdp/execute`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ cmd, params: {} }),
      },
    );
    if (!response.ok)
      throw new Error(`${cmd} failed: HTTP ${response.status} ${await response.text()}`);
  }
}

/** A screenshot once sheets have finished their entrance animation. */
async function shot(name: string): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 350));
  if (activeBrowser) await saveWindowScreenshot(activeBrowser, screenshotPath(name));
}

let activeBrowser: Browser | undefined;

function screenshotPath(name: string): string {
  const dir = process.env.UPDATE_SCREENSHOTS
    ? new URL('../../docs/screenshots/', import.meta.url).pathname
    : `${tmpdir()}/omp-host-screenshots/`;
  mkdirSync(dir, { recursive: true });
  return `${dir}${name}`;
}
