import { CaseFailure, pass, skip } from '../framework/index.ts';
import {
  expectEchoed,
  expectSuccess,
  launchProbe,
  reasonFor,
} from '../bridge/host-bridge-support.ts';
import { hostCase } from '../host/host-case.ts';
import type { HostSession } from '../host/host-session.ts';
import { answerProblems } from '../host/host-session.ts';
import { probeAppId } from '../host/probe/probe-package.ts';

/** The host adapter itself (spec/conformance.md, "Host adapter"): bindings, commands, sessions, errors. */

async function expectAdapterError(
  s: HostSession,
  command: string,
  args: unknown,
  code: string,
): Promise<void> {
  const answer = await s.raw(command, args);
  if (answer.ok || answer.error?.code !== code) {
    throw new CaseFailure(
      `${command} ${JSON.stringify(args).slice(0, 80)} was answered ${answer.ok ? 'with a success' : answer.error?.code}; expected ${code}`,
    );
  }
}

export const hostAdapterCases = [
  hostCase({
    id: 'host.adapter.web-binding',
    description:
      'A web host exposes window.openMiniAppConformance.call in its top-level document, returning a promise',
    requirements: ['CNF-020'],
    why: 'The suite reaches the host only through this object; without it nothing can be certified.',
    session: false,
    async run(s) {
      if (s.driver.binding !== 'web')
        return skip('a native host is driven through the deep-link binding');
      const shape = await s.driver.execute<{ object: boolean; call: boolean; promise: boolean }>(
        `const a = window.openMiniAppConformance; const r = a && typeof a.call === 'function' ? a.call('state', {}) : null; return { object: !!a, call: !!a && typeof a.call === 'function', promise: !!r && typeof r.then === 'function' };`,
      );
      if (!shape.object || !shape.call || !shape.promise)
        throw new CaseFailure(`the adapter object is ${JSON.stringify(shape)}`);
      return pass();
    },
  }),
  hostCase({
    id: 'host.adapter.native-binding',
    description:
      'A native host accepts commands by the openminiapp-conformance deep link and shows each answer with its id',
    requirements: ['CNF-021'],
    why: 'Native hosts have no page to script; the deep link and the result element are their adapter.',
    session: false,
    async run(s) {
      if (s.driver.binding !== 'native')
        return skip('applies to native hosts; this host is driven through the web binding');
      await s.command('state');
      return pass('the driver matched the answer to its command id');
    },
  }),
  hostCase({
    id: 'host.adapter.every-command',
    description:
      'A host answers every command of the adapter table with a result valid against its schema',
    requirements: ['CNF-022', 'ERR-001'],
    why: 'Every case builds on these commands; one that answers in another shape makes the host uncertifiable.',
    timeoutMs: 180_000,
    async run(s) {
      const { appId } = await launchProbe(s, { permissions: { userInfo: reasonFor('userInfo') } });
      const sequence: [string, unknown][] = [
        ['state', {}],
        ['outcome', {}],
        ['refresh', {}],
        ['background', {}],
        ['foreground', {}],
        [
          'setClock',
          { time: new Date(Date.now() + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
        ],
        ['setClock', { time: null }],
        ['settings', { analytics: true }],
        ['events', {}],
        ['answerPrompt', { decision: 'dismiss', timeoutMs: 300 }],
      ];
      for (const [command, args] of sequence) {
        const answer = await s.raw(command, args);
        if (
          !answer.ok &&
          !(command === 'answerPrompt' && answer.error?.code === 'ADAPTER_NO_SCREEN')
        ) {
          throw new CaseFailure(
            `${command} failed with ${answer.error?.code}: ${answer.error?.message}`,
          );
        }
      }
      const id = await s.startCall(appId, 'user.getProfile', {});
      const prompt = await s.command<{ screen: string }>('answerPrompt', {
        decision: 'grant',
        timeoutMs: 8_000,
      });
      if (prompt.screen !== 'permissionPrompt')
        throw new CaseFailure(`answerPrompt answered ${prompt.screen} for a permission prompt`);
      expectSuccess('user.getProfile', await s.awaitResponse(appId, id), 'the granted call');
      const removed = await s.command<{ uninstalled: boolean }>('uninstall', { appId });
      if (!removed.uninstalled)
        throw new CaseFailure('uninstall of an installed app answered uninstalled: false');
      const again = await s.command<{ uninstalled: boolean }>('uninstall', { appId });
      if (again.uninstalled)
        throw new CaseFailure(
          'uninstall of an app that is not installed answered uninstalled: true',
        );
      return pass();
    },
  }),
  hostCase({
    id: 'host.adapter.errors',
    description:
      'A host answers unknown commands, invalid arguments and commands before init with the adapter error codes, changing nothing',
    requirements: ['CNF-023'],
    why: 'The suite must tell a host that refused a command from one that misunderstood it.',
    session: { noInit: true },
    async run(s) {
      await expectAdapterError(s, 'install', { appId: probeAppId }, 'ADAPTER_NOT_INITIALIZED');
      await expectAdapterError(
        s,
        'launch',
        { link: `miniapp://${probeAppId}/` },
        'ADAPTER_NOT_INITIALIZED',
      );
      const before = await s.raw('state', {});
      if (!before.ok || (before.result as { initialized: boolean }).initialized)
        throw new CaseFailure('state before init does not say initialized: false');
      await s.start();
      await expectAdapterError(s, 'teleport', {}, 'ADAPTER_UNKNOWN_COMMAND');
      await expectAdapterError(s, 'install', { appId: 5 }, 'ADAPTER_INVALID_ARGUMENTS');
      await expectAdapterError(
        s,
        'install',
        { appId: probeAppId, extra: true },
        'ADAPTER_INVALID_ARGUMENTS',
      );
      await expectAdapterError(
        s,
        'setClock',
        { time: '2026-03-01 12:00' },
        'ADAPTER_INVALID_ARGUMENTS',
      );
      await expectAdapterError(
        s,
        'answerPrompt',
        { decision: 'allow' },
        'ADAPTER_INVALID_ARGUMENTS',
      );
      const state = await s.state();
      if (state.apps.length > 0) throw new CaseFailure('a refused command installed something');
      return pass();
    },
  }),
  hostCase({
    id: 'host.adapter.app-frame',
    description:
      'A web host shows the running mini-app in an iframe of its top-level document marked data-openminiapp-app, outside closed shadow roots',
    requirements: ['CNF-024'],
    why: 'WebDriver enters the mini-app through that frame; without the marker no frame case can run.',
    async run(s) {
      if (s.driver.binding !== 'web')
        return skip('a native host exposes its web view as a WEBVIEW context');
      const { appId } = await launchProbe(s);
      const frames = await s.driver.appFrames();
      const frame = frames.find((f) => f.appId === appId);
      if (!frame)
        throw new CaseFailure(
          `no element carries data-openminiapp-app="${appId}" (found ${JSON.stringify(frames)})`,
        );
      if (frame.tag !== 'iframe')
        throw new CaseFailure(`the marked element is a ${frame.tag}, not an iframe`);
      if (frame.inShadowRoot) throw new CaseFailure('the marked frame is inside a shadow root');
      return pass();
    },
  }),
  hostCase({
    id: 'host.adapter.reset-forgets',
    description:
      'After reset and init a host holds nothing of the earlier session: apps, storage, decisions, trust state, queued events, settings, clock',
    requirements: ['CNF-026'],
    why: 'Every case starts from a clean host; a leak from one case decides the next.',
    async run(s) {
      const { appId } = await launchProbe(s, { permissions: { userInfo: reasonFor('userInfo') } });
      await s.callAnswering(appId, 'user.getProfile', {}, ['grant']);
      await s.call(appId, 'storage.set', { key: 'leak', value: 'earlier session' });
      await s.command('settings', { analytics: false });
      await s.command('setClock', {
        time: new Date(Date.now() + 3 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      });
      await s.start();
      const state = await s.state();
      const faults: string[] = [];
      if (state.apps.length > 0) faults.push(`apps ${JSON.stringify(state.apps)}`);
      if (state.permissions.length > 0) faults.push('permission decisions');
      if (state.trust.indexVersion !== null)
        faults.push(`index version ${state.trust.indexVersion}`);
      if (state.trust.rootVersion !== null && state.trust.rootVersion !== 1)
        faults.push(`root version ${state.trust.rootVersion}`);
      if (!state.analytics) faults.push('the analytics opt-out');
      if (faults.length > 0)
        throw new CaseFailure(`after reset the host still holds ${faults.join(', ')}`);
      await s.command('events');
      if (s.server.analytics.length > 0)
        throw new CaseFailure('events queued before the reset were sent after it');
      const { appId: again } = await launchProbe(s, {
        permissions: { userInfo: reasonFor('userInfo') },
      });
      const value = await s.call(again, 'storage.get', { key: 'leak' });
      if (
        value.ok &&
        (value.result as { value?: unknown }).value !== null &&
        (value.result as { value?: unknown }).value !== undefined
      ) {
        throw new CaseFailure('bridge storage of the earlier session survived the reset');
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.adapter.restart-keeps',
    description:
      "A host keeps init's configuration, installed apps, storage and decisions across the harness's restart",
    requirements: ['CNF-028'],
    why: 'A restart of the super app is not a reset; cold-start and persistence cases depend on the difference.',
    async run(s) {
      const { appId } = await launchProbe(s, { permissions: { userInfo: reasonFor('userInfo') } });
      await s.callAnswering(appId, 'user.getProfile', {}, ['grant']);
      await s.call(appId, 'storage.set', { key: 'kept', value: 42 });
      const before = await s.state();
      await s.driver.restart();
      const after = await s.state();
      if (!after.initialized) throw new CaseFailure('after restart the host is not initialised');
      if (JSON.stringify(after.apps) !== JSON.stringify(before.apps))
        throw new CaseFailure('installed apps changed across the restart');
      if (!after.permissions.some((p) => p.appId === appId && p.decision === 'granted'))
        throw new CaseFailure('the grant was lost across the restart');
      await s.launchProbe(appId);
      const value = await s.call(appId, 'storage.get', { key: 'kept' });
      if (!value.ok || (value.result as { value?: unknown }).value !== 42)
        throw new CaseFailure('storage was lost across the restart');
      return pass();
    },
  }),
  hostCase({
    id: 'host.adapter.no-screen-no-app',
    description:
      'A host answers answerPrompt without a screen with ADAPTER_NO_SCREEN, and background or foreground without a running app with ADAPTER_NO_RUNNING_APP',
    requirements: ['CNF-031'],
    why: 'The suite must tell "nothing to answer" from a hang or a wrong screen.',
    async run(s) {
      const started = Date.now();
      await expectAdapterError(
        s,
        'answerPrompt',
        { decision: 'grant', timeoutMs: 500 },
        'ADAPTER_NO_SCREEN',
      );
      if (Date.now() - started > 10_000)
        throw new CaseFailure('answerPrompt with timeoutMs 500 took more than 10 s');
      await expectAdapterError(s, 'background', {}, 'ADAPTER_NO_RUNNING_APP');
      await expectAdapterError(s, 'foreground', {}, 'ADAPTER_NO_RUNNING_APP');
      return pass();
    },
  }),
  hostCase({
    id: 'host.adapter.network-overrides',
    description:
      "A host resolves the names of init.network, connects to its ports and trusts its certificate authorities for mini-app traffic that does not leave from the suite's browser",
    requirements: ['CNF-030'],
    why: "The suite's network origins exist only through this mapping, wherever the host sends a mini-app's requests from: a device, or a web host's own server.",
    session: false,
    async run(s) {
      await s.start();
      const { appId } = await launchProbe(s);
      const reached = await s.call(
        appId,
        'network.request',
        { url: 'https://echo.openminiapp.test:8443/echo' },
        20_000,
      );
      if (!reached.ok)
        throw new CaseFailure(`the mapped echo origin was not reached: ${reached.error?.code}`);
      expectEchoed(s, reached.result, '/echo');
      return pass();
    },
  }),
];

export { answerProblems };
