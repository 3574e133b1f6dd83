import { CaseFailure, pass } from '../framework/index.ts';
import { expectInstalled, expectOutcome, hostCase } from '../host/host-case.ts';
import { describe } from '../host/host-session.ts';
import { buildProbe, probeAppId } from '../host/probe/probe-package.ts';
import { probeIn, specOf } from '../signing/host-trust-scenarios.ts';

/**
 * Versions at the host (spec/versioning.md) and the update decisions of spec/distribution.md that a
 * host carries out: ordering by versionCode, incompatible hosts and their screen, the host API
 * version in update checks, mandatory updates, and problems with codes from a newer registry.
 */

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
      'A host applies a mandatory update before it starts the installed version of the app',
    requirements: ['API-035'],
    why: 'A mandatory update fixes something the old version must not run with; starting the old version first defeats it.',
    async run(s) {
      const pkg = await probeIn(s);
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
      expectOutcome(await s.install(pkg.appId), 'installed', 1, 'the first version');
      // A host may keep an index for its max-age: the new index allows no caching, and the host is
      // restarted, so the launch's own check is the first to see the mandatory release.
      s.server.indexMaxAge = 0;
      s.world.addRelease(pkg.appId, specOf(buildProbe({ versionCode: 2 }), { mandatory: true }));
      s.world.publish();
      await s.driver.restart();
      const outcome = await s.launch(`miniapp://${pkg.appId}/`);
      expectOutcome(outcome, 'launched', 2, 'a launch while a mandatory update is available');
      return pass(describe(outcome));
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
