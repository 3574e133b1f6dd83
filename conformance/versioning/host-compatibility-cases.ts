import { setTimeout as delay } from 'node:timers/promises';
import { CaseFailure, pass } from '../framework/index.ts';
import { expectInstalled, expectOutcome, hostCase } from '../host/host-case.ts';
import { TrustWorld } from '../host/distribution/trust-world.ts';
import { describe, type HostSession, type Outcome } from '../host/host-session.ts';
import { buildProbe, probeAppId } from '../host/probe/probe-package.ts';
import { digestOf, probeIn, specOf } from '../signing/host-trust-scenarios.ts';

/**
 * Versions at the host (spec/versioning.md) and the update decisions of spec/distribution.md that a
 * host carries out: ordering by versionCode, incompatible hosts and their screen, the host API
 * version in update checks, mandatory updates, and problems with codes from a newer registry.
 */

/**
 * How long the suite holds back the bundle of the update once the launch has begun: long enough for
 * a host to decide to start the installed version, and well inside the 10 s before which [SIG-112]
 * lets no host call a bundle download slow, so the update can be downloaded and the exception of
 * [API-035] (an update that cannot be downloaded) does not apply.
 */
const downloadHeldMs = 3_000;

/**
 * A host may keep its start-up screen (and its adapter) until its start-up check has downloaded
 * what it found; if the restart has not come back after this long, the suite releases the bundle
 * so that such a host can finish, still inside the 10 s of [SIG-112] and the 30 s a restart may take.
 */
const restartWaitsMs = 8_000;

/** The probe published as versionCode 1 and installed: where every update case starts. */
async function firstVersionInstalled(s: HostSession) {
  const pkg = await probeIn(s);
  const first = s.world.addRelease(pkg.appId, specOf(pkg));
  s.world.publish();
  expectOutcome(await s.install(pkg.appId), 'installed', 1, 'the first version');
  return { pkg, first };
}

/**
 * Publishes what the case added (the index allows no caching), restarts the host, and launches the
 * app while the suite's server holds back `bundle`, releasing it once the launch has been under way
 * for downloadHeldMs. A host that checks for updates at start-up, at launch, or both, learns of the
 * update before the launch; holding the download means that neither check can have finished it
 * before the launch is decided, so the next cold start applying a staged update (as any update is
 * applied, [LIF-008]) cannot stand in for honouring the mandatory result.
 */
async function launchDuringDownload(
  s: HostSession,
  appId: string,
  bundle: Uint8Array,
): Promise<{ outcome: Outcome; note: string }> {
  const path = TrustWorld.bundlePath(digestOf(bundle));
  let release = (): void => undefined;
  const until = new Promise<void>((resolve) => (release = resolve));
  s.server.deliveries.set(path, { kind: 'held', until });
  // A host may keep an index for its max-age: the new index allows no caching.
  s.server.indexMaxAge = 0;
  s.world.publish();
  let restarted = false;
  let releasedDuringRestart = false;
  const fallback = setTimeout(() => {
    if (restarted) return;
    releasedDuringRestart = true;
    release();
  }, restartWaitsMs);
  try {
    await s.driver.restart();
    restarted = true;
    clearTimeout(fallback);
    if (releasedDuringRestart) {
      // The host applied what its start-up check downloaded before it let anyone launch: nothing
      // of the installed version can start, so the launch only has to name the update.
      const outcome = await s.launch(`miniapp://${appId}/`);
      return {
        outcome,
        note: `the restart waited for the held bundle (released after ${restartWaitsMs} ms), so the launch followed the start-up update session`,
      };
    }
    const launching = s.launch(`miniapp://${appId}/`);
    const early = await Promise.race([
      launching.then(
        () => true,
        () => true,
      ),
      delay(downloadHeldMs, false, { signal: s.signal }),
    ]);
    const held = s.server.requestsTo(path).length;
    release();
    const outcome = await launching;
    return {
      outcome,
      note: early
        ? `the launch ended before the update's bundle was released (${held} request(s) for it held)`
        : `${held} request(s) for the update's bundle were held ${downloadHeldMs} ms into the launch`,
    };
  } finally {
    clearTimeout(fallback);
    release();
  }
}

/** Fails when the launch started the installed version, or anything but the update. */
function expectStartedUpdate(
  outcome: Outcome,
  installed: number,
  update: number,
  what: string,
): void {
  if (outcome.kind === 'launched' && outcome.versionCode === installed) {
    throw new CaseFailure(
      `the host started the installed versionCode ${installed} while ${what} was still downloading; it must apply the update first (the download completes ${downloadHeldMs} ms into the launch)`,
    );
  }
  expectOutcome(outcome, 'launched', update, `a launch while ${what} is available`);
}

function nextMinor(version: string): string {
  const [major = 1, minor = 0] = version.split('.').map(Number);
  return `${major}.${minor + 1}.0`;
}

export const hostCompatibilityCases = [
  hostCase({
    id: 'host.versioning.order-by-version-code',
    description:
      'A host installs the release with the greater versionCode even when its version string is lower',
    requirements: ['VER-003'],
    why: 'Only versionCode orders releases; SemVer precedence ignores build metadata and can disagree with it.',
    async run(s) {
      const pkg = await probeIn(s, { versionCode: 3, version: '2.0.0' });
      s.world.addRelease(pkg.appId, specOf(pkg));
      const newer = buildProbe({ versionCode: 5, version: '1.0.1' });
      s.world.addRelease(pkg.appId, specOf(newer));
      s.world.publish();
      const outcome = await s.install(pkg.appId);
      expectOutcome(outcome, 'installed', 5, 'two installable releases');
      return pass(describe(outcome));
    },
  }),
  hostCase({
    id: 'host.versioning.update-required',
    description:
      'A host does not launch an app whose minHostVersion it does not satisfy and shows its updateRequired screen',
    requirements: ['VER-007', 'VER-008', 'CNF-032'],
    why: 'An app that needs a newer host must not run on an older one; the user is told to update the super app, not shown a generic error.',
    async run(s) {
      const needed = nextMinor(s.hostApiVersion);
      const pkg = await probeIn(s, { minHostVersion: needed });
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
      const outcome = await s.launch(`miniapp://${pkg.appId}/`);
      expectOutcome(outcome, 'updateRequired', undefined, `a release needing host API ${needed}`);
      if (outcome.minHostVersion !== needed) {
        throw new CaseFailure(
          `updateRequired names minHostVersion ${outcome.minHostVersion}, expected ${needed}`,
        );
      }
      const screen = await s.waitForScreen('updateRequired', 5_000);
      if (!screen) {
        throw new CaseFailure(
          'no element marked data-openminiapp-screen="updateRequired" is shown in the top-level document',
        );
      }
      if (screen.text.length === 0)
        throw new CaseFailure('the updateRequired screen shows no text');
      if ((await s.driver.appFrames()).some((f) => f.appId === pkg.appId)) {
        throw new CaseFailure('a frame of the incompatible app is in the document');
      }
      await expectInstalled(s, pkg.appId, undefined, 'after the declined launch');
      return pass(`updateRequired ${needed}; screen text: ${screen.text.slice(0, 80)}`);
    },
  }),
  hostCase({
    id: 'host.versioning.other-major-update-required',
    description: 'A host of major version 1 declines an app whose minHostVersion is 2.0.0',
    requirements: ['VER-007'],
    why: 'A host satisfies an app only within the same major version; a 2.x app is not an upgrade a 1.x host can run.',
    async run(s) {
      const pkg = await probeIn(s, { minHostVersion: '2.0.0' });
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
      const outcome = await s.launch(`miniapp://${pkg.appId}/`);
      expectOutcome(outcome, 'updateRequired', undefined, 'a release needing host API 2.0.0');
      return pass(describe(outcome));
    },
  }),
  hostCase({
    id: 'host.versioning.update-check-names-host-version',
    description: 'Every update check a host sends names the host API version it reported at init',
    requirements: ['VER-013'],
    why: 'The server filters releases by host API version; a check without it (or with another) gets releases the host cannot run.',
    async run(s) {
      const pkg = await probeIn(s);
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
      await s.install(pkg.appId);
      s.world.addRelease(pkg.appId, specOf(buildProbe({ versionCode: 2 })));
      s.world.publish();
      await s.command('refresh');
      const checks = [
        ...s.server.requestsTo('/v1/updates/check').map((r) => {
          try {
            return String(
              (JSON.parse(r.body.toString('utf8')) as { hostApiVersion?: unknown }).hostApiVersion,
            );
          } catch {
            return 'unreadable body';
          }
        }),
        ...s.server
          .requestsTo(/^\/v1\/apps\/[^/]+\/update$/)
          .map((r) => new URLSearchParams(r.query).get('hostApiVersion') ?? 'missing'),
      ];
      const wrong = checks.filter((v) => v !== s.hostApiVersion);
      if (wrong.length > 0) {
        throw new CaseFailure(
          `update checks named host API version ${wrong.join(', ')}; init reported ${s.hostApiVersion}`,
        );
      }
      return pass(
        checks.length === 0
          ? 'the host decided its updates from the verified bin (API-101) and sent no update check'
          : `${checks.length} update check(s), each naming ${s.hostApiVersion}`,
      );
    },
  }),
  hostCase({
    id: 'host.distribution.mandatory-update-before-start',
    description:
      'A host applies a mandatory update before it starts the installed version of the app, even while the update is still downloading when the launch begins',
    requirements: ['API-035'],
    why: 'A mandatory update fixes something the old version must not run with; starting the old version first defeats it.',
    async run(s) {
      const { pkg } = await firstVersionInstalled(s);
      const update = buildProbe({ versionCode: 2 });
      s.world.addRelease(pkg.appId, specOf(update, { mandatory: true }));
      const { outcome, note } = await launchDuringDownload(s, pkg.appId, update.bytes);
      expectStartedUpdate(outcome, 1, 2, 'the mandatory versionCode 2');
      return pass(`${describe(outcome)}; ${note}`);
    },
  }),
  hostCase({
    id: 'host.distribution.mandatory-update-latched',
    description:
      'A host treats an update as mandatory when a skipped release between the installed and the offered one is mandatory, and applies it before it starts the installed version',
    requirements: ['API-035'],
    why: 'Mandatory updates latch (step 3 of the update selection): a host that skips the mandatory release for a newer ordinary one still must not run the version the mandatory release replaced.',
    async run(s) {
      const { pkg } = await firstVersionInstalled(s);
      s.world.addRelease(pkg.appId, specOf(buildProbe({ versionCode: 2 }), { mandatory: true }));
      const offered = buildProbe({ versionCode: 3 });
      s.world.addRelease(pkg.appId, specOf(offered));
      const { outcome, note } = await launchDuringDownload(s, pkg.appId, offered.bytes);
      expectStartedUpdate(
        outcome,
        1,
        3,
        'versionCode 3, mandatory in effect because the skipped versionCode 2 is mandatory',
      );
      return pass(`${describe(outcome)}; ${note}`);
    },
  }),
  hostCase({
    id: 'host.distribution.revoked-installed-replaced-before-start',
    description:
      'A host whose installed version was revoked applies the replacement before it starts the app, and never starts the revoked version',
    requirements: ['API-035'],
    why: 'A release is revoked because it must not run; the update selection answers revoked with a mandatory replacement (step 1), so running the revoked version while the replacement downloads defeats the revocation.',
    async run(s) {
      const { pkg, first } = await firstVersionInstalled(s);
      // [SIG-104] [SIG-105] a revoked release leaves `releases` and its digest enters `revokedReleases`.
      first.listed = false;
      s.world.app(pkg.appId).revokedReleases.push(first.release.sha256);
      const replacement = buildProbe({ versionCode: 2 });
      s.world.addRelease(pkg.appId, specOf(replacement));
      const { outcome, note } = await launchDuringDownload(s, pkg.appId, replacement.bytes);
      expectStartedUpdate(
        outcome,
        1,
        2,
        'the replacement versionCode 2 of the revoked versionCode 1',
      );
      return pass(`${describe(outcome)}; ${note}`);
    },
  }),
  hostCase({
    id: 'host.errors.unknown-problem-code',
    description:
      'A host treats a problem document whose code it does not know as a failure, never as a success',
    requirements: ['ERR-003', 'ERR-002'],
    why: 'A newer server may send codes an older host does not know; mistaking one for success would install without an index.',
    async run(s) {
      const pkg = await probeIn(s);
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
      s.server.deliveries.set('/v1/trust/index.json', {
        kind: 'status',
        status: 503,
        code: 'API_FROM_A_LATER_VERSION',
      });
      s.server.updateProblem = { status: 503, code: 'API_FROM_A_LATER_VERSION' };
      const outcome = await s.install(pkg.appId);
      if (outcome.kind === 'installed' || outcome.kind === 'upToDate') {
        throw new CaseFailure(
          `the host answered ${describe(outcome)} to a problem with an unknown code`,
        );
      }
      await expectInstalled(s, pkg.appId, undefined, 'after the failed session');
      return pass(describe(outcome));
    },
  }),
];

export { probeAppId };
