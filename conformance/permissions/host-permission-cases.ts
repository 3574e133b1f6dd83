import { CaseFailure, pass } from '../framework/index.ts';
import {
  atLeast,
  expectError,
  expectSuccess,
  launchProbe,
  noScreenShown,
  reasonFor,
} from '../bridge/host-bridge-support.ts';
import { expectRefused, hostCase } from '../host/host-case.ts';
import type { HostSession } from '../host/host-session.ts';
import { buildProbe, probeAppId } from '../host/probe/probe-package.ts';
import { specOf } from '../signing/host-trust-scenarios.ts';

/** Consent, memory and revocation of permissions (spec/permissions.md), through prompts the adapter answers. */

const reason = 'Shows your name on the <b>receipt</b> & in "greetings" (conformance).';

async function noPrompt(s: HostSession, what: string): Promise<void> {
  const answer = await s.raw('answerPrompt', { decision: 'deny', timeoutMs: 1_500 });
  if (answer.ok) throw new CaseFailure(`${what}: the host prompted`);
}

async function query(
  s: HostSession,
  appId: string,
  names: string[],
): Promise<Record<string, string>> {
  const result = expectSuccess(
    'permissions.query',
    await s.call(appId, 'permissions.query', { names }),
    'permissions.query',
  ) as { states: Record<string, string> };
  return result.states;
}

export const hostPermissionCases = [
  hostCase({
    id: 'host.permissions.prompt-before-first-use',
    description:
      "A host asks in its permissionPrompt screen before the first use of a permission, naming the app and showing the manifest's reason verbatim",
    requirements: ['PRM-006', 'PRM-007', 'CNF-032'],
    why: 'Consent is asked by the host, outside the mini-app, at the moment of use, with the reason the reviewer saw.',
    async run(s) {
      const { appId } = await launchProbe(s, { permissions: { userInfo: reason } });
      const id = await s.startCall(appId, 'user.getProfile', {});
      const screen = await s.waitForScreen('permissionPrompt', 8_000);
      if (!screen)
        throw new CaseFailure(
          'no element marked data-openminiapp-screen="permissionPrompt" appeared',
        );
      if (!screen.text.includes(reason)) {
        throw new CaseFailure(
          'the prompt does not show the manifest reason verbatim as plain text',
          [screen.text.slice(0, 300)],
        );
      }
      if (!screen.text.includes('Conformance probe'))
        throw new CaseFailure('the prompt does not name the mini-app ("Conformance probe")');
      if (screen.text.replace(reason, '').replace('Conformance probe', '').trim().length < 8) {
        throw new CaseFailure(
          "the prompt says nothing in the host's words about what the permission guards",
        );
      }
      const answered = await s.command<{ screen: string; permission?: string }>('answerPrompt', {
        decision: 'grant',
        timeoutMs: 5_000,
      });
      if (answered.screen !== 'permissionPrompt' || answered.permission !== 'userInfo') {
        throw new CaseFailure(
          `answerPrompt answered ${answered.screen} for ${answered.permission}`,
        );
      }
      expectSuccess('user.getProfile', await s.awaitResponse(appId, id), 'the granted call');
      return pass();
    },
  }),
  hostCase({
    id: 'host.permissions.refusal-remembered',
    description:
      'A host answers PERMISSION_DENIED when the user refuses, and answers later calls the same way without prompting again',
    requirements: ['PRM-008', 'PRM-011'],
    why: 'A refusal is remembered so that a mini-app cannot wear the user down with repeated prompts.',
    async run(s) {
      const { appId } = await launchProbe(s, { permissions: { userInfo: reason } });
      const first = await s.callAnswering(appId, 'user.getProfile', {}, ['deny']);
      if (first.screens[0]?.screen !== 'permissionPrompt')
        throw new CaseFailure('the first call showed no permission prompt');
      expectError(first.response, 'PERMISSION_DENIED', 'a refused prompt');
      const id = await s.startCall(appId, 'user.getProfile', {});
      await noPrompt(s, 'after a remembered refusal');
      expectError(
        await s.awaitResponse(appId, id, 5_000),
        'PERMISSION_DENIED',
        'a call after a remembered refusal',
      );
      return pass();
    },
  }),
  hostCase({
    id: 'host.permissions.dismissal-not-remembered',
    description:
      'A host answers a dismissed prompt with PERMISSION_DENIED and prompts again at the next call',
    requirements: ['PRM-013', 'PRM-008'],
    why: 'Closing a prompt without a choice is not a decision; remembering it would silently refuse forever.',
    async run(s) {
      const { appId } = await launchProbe(s, { permissions: { userInfo: reason } });
      const first = await s.callAnswering(appId, 'user.getProfile', {}, ['dismiss']);
      expectError(first.response, 'PERMISSION_DENIED', 'a dismissed prompt');
      const second = await s.callAnswering(appId, 'user.getProfile', {}, ['grant']);
      if (second.screens[0]?.screen !== 'permissionPrompt')
        throw new CaseFailure('the call after a dismissal did not prompt again');
      expectSuccess('user.getProfile', second.response, 'the call granted after a dismissal');
      return pass();
    },
  }),
  hostCase({
    id: 'host.permissions.one-prompt-for-waiting-calls',
    description:
      'A host shows one prompt for two waiting calls of the same permission and answers both with the one decision',
    requirements: ['PRM-010'],
    why: 'Stacked prompts for one permission confuse users and can be answered inconsistently.',
    async run(s) {
      const { appId } = await launchProbe(s, { permissions: { userInfo: reason } });
      const a = await s.startCall(appId, 'user.getProfile', {});
      const b = await s.startCall(appId, 'user.getProfile', {});
      await s.command('answerPrompt', { decision: 'grant', timeoutMs: 8_000 });
      await noPrompt(s, 'after answering the first prompt');
      expectSuccess('user.getProfile', await s.awaitResponse(appId, a), 'the first waiting call');
      expectSuccess('user.getProfile', await s.awaitResponse(appId, b), 'the second waiting call');
      return pass();
    },
  }),
  hostCase({
    id: 'host.permissions.remembered-across-versions',
    description:
      'A host remembers a grant across versions of the app, and a permission a new version declares first starts in prompt',
    requirements: ['PRM-009', 'PRM-018'],
    why: 'Decisions belong to the app, not one build of it; a new permission has never been decided.',
    async run(s) {
      const { appId } = await launchProbe(s, { permissions: { userInfo: reason } });
      await s.callAnswering(appId, 'user.getProfile', {}, ['grant']);
      const next = buildProbe({
        versionCode: 2,
        permissions: { userInfo: reason, location: reasonFor('location') },
      });
      s.world.addRelease(appId, specOf(next));
      s.world.publish();
      const updated = await s.install(appId);
      if (updated.kind !== 'installed' || updated.versionCode !== 2)
        throw new CaseFailure(`the update to version 2 was not installed: ${updated.kind}`);
      await s.driver.restart();
      const launched = await s.launchProbe(appId);
      if (launched.versionCode !== 2)
        throw new CaseFailure(
          `after a restart the app launched as versionCode ${launched.versionCode}, not the update 2`,
        );
      const states = await query(s, appId, ['userInfo', 'location']);
      if (states['userInfo'] !== 'granted')
        throw new CaseFailure(
          `userInfo is ${states['userInfo']} in version 2; it was granted in version 1`,
        );
      if (states['location'] !== 'prompt')
        throw new CaseFailure(`location, new in version 2, is ${states['location']}, not prompt`);
      const id = await s.startCall(appId, 'user.getProfile', {});
      await noPrompt(s, 'a call of a permission granted in version 1');
      expectSuccess('user.getProfile', await s.awaitResponse(appId, id), 'the remembered grant');
      return pass();
    },
  }),
  hostCase({
    id: 'host.permissions.query-without-prompt',
    description:
      'permissions.query reports prompt, granted or denied without prompting, and denied for a name the manifest does not declare',
    requirements: ['PRM-016'],
    why: 'Mini-apps adapt their UI to the state; querying must never itself ask the user.',
    async run(s) {
      const { appId } = await launchProbe(s, { permissions: { userInfo: reason } });
      let states = await query(s, appId, ['userInfo', 'location']);
      await noScreenShown(s, 'after permissions.query');
      if (states['userInfo'] !== 'prompt' || states['location'] !== 'denied') {
        throw new CaseFailure(
          `query answered userInfo ${states['userInfo']} (expected prompt) and undeclared location ${states['location']} (expected denied)`,
        );
      }
      await s.callAnswering(appId, 'user.getProfile', {}, ['grant']);
      states = await query(s, appId, ['userInfo']);
      if (states['userInfo'] !== 'granted')
        throw new CaseFailure(`after a grant query answers ${states['userInfo']}`);
      return pass();
    },
  }),
  hostCase({
    id: 'host.permissions.settings-revoke',
    description:
      'A host lists remembered decisions in its settings, revokes one, sends permissions.change, prompts again at the next call, and still has it revoked after a restart',
    requirements: ['PRM-014', 'PRM-015'],
    why: 'Users must be able to take back a grant; it takes effect at the next call and the running app is told.',
    async run(s) {
      const { appId } = await launchProbe(s, { permissions: { userInfo: reason } });
      await s.callAnswering(appId, 'user.getProfile', {}, ['grant']);
      const before = await s.state();
      if (
        !before.permissions.some(
          (p) => p.appId === appId && p.permission === 'userInfo' && p.decision === 'granted',
        )
      ) {
        throw new CaseFailure(
          'state does not list the userInfo grant among the remembered decisions',
        );
      }
      await s.command('settings', { revoke: [{ appId, permission: 'userInfo' }] });
      const after = await s.state();
      if (after.permissions.some((p) => p.appId === appId && p.permission === 'userInfo')) {
        throw new CaseFailure('state still lists userInfo after the revocation');
      }
      if (atLeast(s.hostApiVersion, '1.1.0')) {
        const change = await s.probe<unknown>(
          appId,
          '(p) => p.waitForEvent("permissions.change", 5000)',
        );
        if (!change) throw new CaseFailure('the running app received no permissions.change event');
      }
      // Dismissed, not refused: the revocation itself, not a new decision, must be what remains.
      const again = await s.callAnswering(appId, 'user.getProfile', {}, ['dismiss']);
      if (again.screens[0]?.screen !== 'permissionPrompt')
        throw new CaseFailure('the next call after a revocation did not prompt');
      expectError(again.response, 'PERMISSION_DENIED', 'the dismissed call after a revocation');
      // [CNF-028] decisions survive a restart, so a revocation must too: one kept only in memory
      // hands the grant back at the next start of the super app.
      await s.driver.restart();
      const restarted = await s.state();
      if (
        restarted.permissions.some(
          (p) => p.appId === appId && p.permission === 'userInfo' && p.decision === 'granted',
        )
      ) {
        throw new CaseFailure('after a restart state lists the revoked userInfo grant again');
      }
      await s.launchProbe(appId);
      const states = await query(s, appId, ['userInfo']);
      if (states['userInfo'] === 'granted')
        throw new CaseFailure(
          'after a restart permissions.query reports the revoked userInfo as granted',
        );
      return pass(`after a restart userInfo is ${states['userInfo']}`);
    },
  }),
  hostCase({
    id: 'host.permissions.uninstall-forgets',
    description: "A host deletes an app's remembered decisions when it is uninstalled",
    requirements: ['PRM-017'],
    why: 'A reinstalled app is a new relationship; old grants must not carry over.',
    async run(s) {
      const { appId } = await launchProbe(s, { permissions: { userInfo: reason } });
      await s.callAnswering(appId, 'user.getProfile', {}, ['grant']);
      const removed = await s.command<{ uninstalled: boolean }>('uninstall', { appId });
      if (!removed.uninstalled)
        throw new CaseFailure('uninstall answered that the app was not installed');
      if ((await s.state()).permissions.some((p) => p.appId === appId))
        throw new CaseFailure('state lists decisions of the uninstalled app');
      await s.launchProbe(appId);
      const states = await query(s, appId, ['userInfo']);
      if (states['userInfo'] !== 'prompt')
        throw new CaseFailure(`after reinstalling, userInfo is ${states['userInfo']}, not prompt`);
      return pass();
    },
  }),
  hostCase({
    id: 'host.permissions.link-changes-nothing',
    description: 'A host grants nothing and skips no prompt because of what a link says',
    requirements: ['ADR-013'],
    why: 'Links come through untrusted channels; their contents must not touch security decisions.',
    async run(s) {
      const pkg = await s.publishProbe({ permissions: { userInfo: reason } });
      await s.launchProbe(
        pkg.appId,
        'pages/index.html?permission=granted&userInfo=granted&skipPrompt=1#grant=userInfo',
      );
      const states = await query(s, pkg.appId, ['userInfo']);
      if (states['userInfo'] !== 'prompt')
        throw new CaseFailure(`after a link asking for it, userInfo is ${states['userInfo']}`);
      const call = await s.callAnswering(pkg.appId, 'user.getProfile', {}, ['deny']);
      if (call.screens[0]?.screen !== 'permissionPrompt')
        throw new CaseFailure('the host skipped the prompt for a link that asked it to');
      return pass();
    },
  }),
  hostCase({
    id: 'host.permissions.unknown-permission-refused',
    description:
      'A host refuses to install a package that declares a permission name outside the registry',
    requirements: ['PRM-001'],
    why: 'An unknown permission could be granted by a host that guesses; only registry names exist.',
    async run(s) {
      const pkg = await s.publishProbe({ permissions: { teleport: 'Moves you elsewhere.' } });
      const outcome = await s.install(pkg.appId);
      expectRefused(outcome, undefined, 'a package declaring "teleport"');
      return pass(outcome.code);
    },
  }),
];

export { probeAppId };
