import { CaseFailure, pass, skip } from '../framework/index.ts';
import { hostCase } from '../host/host-case.ts';
import { echoOrigin, otherOrigin } from '../host/probe/probe-package.ts';
import {
  atLeast,
  describeAnswer,
  expectEchoed,
  expectError,
  expectSuccess,
  launchProbe,
  noScreenShown,
  reasonFor,
  registryMethods,
} from './host-bridge-support.ts';

/** Dispatch order, capability queries, the network rules and the common codes (spec/bridge.md). */

export const hostDispatchCases = [
  hostCase({
    id: 'host.bridge.exact-method-names',
    description:
      'A host matches method names byte for byte and answers near misses with UNKNOWN_METHOD',
    requirements: ['BRG-014'],
    why: 'Trimming or case folding makes the registry ambiguous and lets filters be bypassed by spelling.',
    async run(s) {
      const { appId } = await launchProbe(s);
      for (const name of [
        'Storage.get',
        ' storage.get',
        'storage.get ',
        'storage.ge',
        'storage..get',
        'storage.get\u0000',
      ]) {
        expectError(
          await s.call(appId, name, { key: 'k' }),
          'UNKNOWN_METHOD',
          `method "${JSON.stringify(name)}"`,
        );
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.inherited-names-unknown',
    description:
      'A host answers __proto__, constructor, toString and other inherited property names with UNKNOWN_METHOD',
    requirements: ['BRG-015'],
    why: 'A lookup through an object prototype turns a method name into a call of a built-in.',
    async run(s) {
      const { appId } = await launchProbe(s);
      for (const name of [
        '__proto__',
        'constructor',
        'toString',
        'hasOwnProperty',
        'valueOf',
        '__defineGetter__',
        'storage.__proto__',
      ]) {
        expectError(await s.call(appId, name, {}), 'UNKNOWN_METHOD', `method "${name}"`);
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.newer-method-not-supported',
    description:
      'A host answers a registered method newer than its host API version with NOT_SUPPORTED',
    requirements: ['BRG-016'],
    why: 'A mini-app calling a newer method must get a clear answer, not UNKNOWN_METHOD or a half-implemented call.',
    async run(s) {
      const newer = registryMethods().filter((m) => !atLeast(s.hostApiVersion, m.since));
      if (newer.length === 0) {
        return skip(
          `the host implements host API ${s.hostApiVersion}, the newest of this specification: no registered method is newer`,
        );
      }
      const { appId } = await launchProbe(s);
      for (const method of newer.filter((m) => m.permission === null)) {
        expectError(
          await s.call(appId, method.name, {}),
          'NOT_SUPPORTED',
          `${method.name} (since ${method.since})`,
        );
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.undeclared-permission',
    description:
      'A host answers a call whose permission the manifest does not declare with PERMISSION_DENIED at once, without a prompt, even with invalid params',
    requirements: ['BRG-017', 'PRM-002'],
    why: 'Step 3 of the dispatch order: an undeclared permission is refused before params are read and before the user is asked.',
    async run(s) {
      const { appId } = await launchProbe(s);
      for (const [method, params] of [
        ['location.getCurrent', {}],
        ['user.getProfile', {}],
        ['payment.pay', { productId: 'p-1' }],
        ['location.getCurrent', { accuracy: 'extreme' }],
      ] as const) {
        const started = Date.now();
        const response = await s.call(appId, method, params, 10_000);
        expectError(response, 'PERMISSION_DENIED', `${method} without the permission declared`);
        if (Date.now() - started > 4_000)
          throw new CaseFailure(
            `${method} took ${Date.now() - started} ms: it waited for something`,
          );
        await noScreenShown(s, `after ${method} without its permission`);
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.params-before-prompt',
    description:
      'A host validates params, unknown members included, with INVALID_PARAMS before it prompts for the permission',
    requirements: ['BRG-018', 'PRM-002'],
    why: 'Step 4 comes before the prompt: asking the user about a call that is invalid anyway wastes a decision and leaks timing.',
    async run(s) {
      const { appId } = await launchProbe(s, {
        permissions: { location: reasonFor('location'), userInfo: reasonFor('userInfo') },
      });
      for (const [method, params] of [
        ['location.getCurrent', { accuracy: 'extreme' }],
        ['location.getCurrent', { unknownMember: 1 }],
        ['user.getProfile', { fields: ['name'] }],
        ['storage.get', {}],
        ['storage.set', { key: 'k' }],
      ] as const) {
        const id = await s.startCall(appId, method, params);
        const prompt = await s.raw('answerPrompt', { decision: 'deny', timeoutMs: 1_500 });
        if (prompt.ok)
          throw new CaseFailure(
            `the host prompted for ${method} with invalid params ${JSON.stringify(params)}`,
          );
        expectError(
          await s.awaitResponse(appId, id, 5_000),
          'INVALID_PARAMS',
          `${method}(${JSON.stringify(params)})`,
        );
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.vendor-methods-unknown',
    description:
      'A host answers names outside the registry, vendor names included, with UNKNOWN_METHOD',
    requirements: ['BRG-024'],
    why: 'Vendor methods live on a vendor channel; on the bridge they would make mini-apps silently non-portable.',
    async run(s) {
      const { appId } = await launchProbe(s);
      for (const name of [
        'loyalty.getCard',
        'x-acme.loyalty',
        'host.debug',
        'storage.dump',
        'wx.login',
        'my.getAuthCode',
      ]) {
        expectError(await s.call(appId, name, {}), 'UNKNOWN_METHOD', `method ${name}`);
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.can-i-use',
    description:
      'host.canIUse answers true for every registered method up to the host API version, parameters by their since, and false for anything else',
    requirements: ['BRG-026', 'BRG-023', 'VER-012', 'VER-017', 'VER-018'],
    why: 'Mini-apps guard newer calls with canIUse; a wrong answer makes them call what is missing or skip what exists.',
    async run(s) {
      const { appId } = await launchProbe(s);
      const ask = async (method: string) => {
        const result = expectSuccess(
          'host.canIUse',
          await s.call(appId, 'host.canIUse', { method }),
          `canIUse ${method}`,
        );
        return (result as { available: boolean }).available;
      };
      for (const m of registryMethods()) {
        const expected = atLeast(s.hostApiVersion, m.since);
        if ((await ask(m.name)) !== expected)
          throw new CaseFailure(`canIUse ${m.name} (since ${m.since}) is not ${expected}`);
      }
      for (const query of [
        'payment.pay.nothing',
        'nothing.here',
        'storage',
        'storage.get.key.deeper.still',
        '__proto__',
      ]) {
        if ((await ask(query)) !== false) throw new CaseFailure(`canIUse "${query}" is not false`);
      }
      if ((await ask('storage.get.key')) !== true)
        throw new CaseFailure(
          'canIUse "storage.get.key" (a parameter of a 1.0.0 method) is not true',
        );
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.not-found',
    description: 'A host answers NOT_FOUND for a mini-app to open or a product that does not exist',
    requirements: ['BRG-043'],
    why: 'A missing object is a normal outcome a mini-app must be able to tell apart from a failure.',
    async run(s) {
      const { appId } = await launchProbe(s);
      if (atLeast(s.hostApiVersion, '1.1.0')) {
        expectError(
          await s.call(appId, 'app.openMiniApp', { appId: 'dev.openminiapp.conformance.nowhere' }),
          'NOT_FOUND',
          'app.openMiniApp of an unknown app',
        );
      }
      if (atLeast(s.hostApiVersion, '1.2.0')) {
        expectError(
          await s.call(appId, 'payment.checkEntitlement', { productId: 'no-such-product' }),
          'NOT_FOUND',
          'an unknown product',
        );
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.user-cancelled',
    description:
      'A host answers USER_CANCELLED, never a success, when the user closes a modal or a share sheet',
    requirements: ['BRG-042'],
    why: 'Closing a sheet is the user saying no; reporting it as success would, for a payment, be a lie.',
    async run(s) {
      const { appId } = await launchProbe(s);
      const modal = await s.callAnswering(
        appId,
        'ui.showModal',
        { title: 'Conformance', content: 'dismiss me' },
        ['dismiss'],
      );
      if (modal.screens[0]?.screen !== 'sheet')
        throw new CaseFailure('ui.showModal showed no sheet screen to dismiss');
      expectError(modal.response, 'USER_CANCELLED', 'a dismissed modal');
      if (atLeast(s.hostApiVersion, '1.1.0')) {
        const share = await s.callAnswering(appId, 'share.open', { title: 'Conformance' }, [
          'dismiss',
        ]);
        expectError(share.response, 'USER_CANCELLED', 'a dismissed share sheet');
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.network-outside-allowed-domains',
    description:
      'A host answers network.request to an origin outside allowedDomains with DOMAIN_NOT_ALLOWED without any network activity',
    requirements: ['BRG-028', 'MAN-024'],
    why: 'allowedDomains is the reviewed list of servers; the check happens before a byte leaves the device.',
    async run(s) {
      const { appId } = await launchProbe(s);
      const allowed = await s.call(appId, 'network.request', { url: `${echoOrigin}/echo` }, 20_000);
      expectSuccess('network.request', allowed, 'a request to an allowed origin');
      expectEchoed(s, allowed.result, '/echo');
      expectError(
        await s.call(appId, 'network.request', { url: `${otherOrigin}/echo` }),
        'DOMAIN_NOT_ALLOWED',
        'a request to another origin',
      );
      if (s.subject.echo.requestsFor('other.openminiapp.test').length > 0) {
        throw new CaseFailure(
          'the host sent a request to other.openminiapp.test before refusing it',
        );
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.network-redirect',
    description:
      'A host does not follow a redirect of network.request to an origin outside allowedDomains',
    requirements: ['BRG-029'],
    why: 'An allowed server that redirects elsewhere must not become a way around allowedDomains.',
    async run(s) {
      const { appId } = await launchProbe(s);
      const before = s.subject.echo.requestsFor('echo.openminiapp.test').length;
      const response = await s.call(
        appId,
        'network.request',
        {
          url: `${echoOrigin}/redirect?to=${encodeURIComponent(`${otherOrigin}/echo`)}`,
        },
        20_000,
      );
      // A host that never reached the allowed origin says nothing about redirects it would follow.
      if (
        !s.subject.echo
          .requestsFor('echo.openminiapp.test')
          .slice(before)
          .some((r) => r.path === '/redirect')
      ) {
        throw new CaseFailure(
          `the request to ${echoOrigin}/redirect never reached the suite's echo origin (${describeAnswer(response)}); a host whose traffic leaves from anywhere but the suite's browser applies init.network [CNF-030]`,
        );
      }
      if (s.subject.echo.requestsFor('other.openminiapp.test').length > 0) {
        throw new CaseFailure('the host followed the redirect to other.openminiapp.test');
      }
      if (response.ok && JSON.stringify(response.result).includes('other.openminiapp.test')) {
        throw new CaseFailure('the response carries the body of the other origin');
      }
      return pass(
        response.ok
          ? 'the redirect was returned, not followed'
          : `refused with ${response.error?.code}`,
      );
    },
  }),
  hostCase({
    id: 'host.bridge.content-security-policy',
    description:
      "A host's mini-app documents may connect only to allowedDomains: fetch and WebSocket elsewhere are blocked by connect-src",
    requirements: ['BRG-030', 'MAN-024'],
    why: 'Without a connect-src policy a mini-app reaches any server with fetch and the allowedDomains review means nothing.',
    async run(s) {
      const { appId } = await launchProbe(s);
      const allowed = await s.probe<{ ok: boolean; error?: string }>(
        appId,
        '(p, url) => p.attempt({ kind: "fetch", url })',
        `${echoOrigin}/echo`,
      );
      if (!allowed.ok)
        throw new CaseFailure(`a fetch to the allowed origin failed: ${allowed.error}`);
      for (const url of [`${otherOrigin}/echo`, `${s.server.url}/v1/trust/index.json`]) {
        const attempt = await s.probe<{ ok: boolean; violations: { directive: string }[] }>(
          appId,
          '(p, url) => p.attempt({ kind: "fetch", url })',
          url,
        );
        if (attempt.ok) throw new CaseFailure(`a fetch from the mini-app to ${url} succeeded`);
        if (!attempt.violations.some((v) => /connect-src|default-src/.test(v.directive))) {
          throw new CaseFailure(
            `the fetch to ${url} failed but no connect-src violation was reported: it is not the policy that stops it`,
          );
        }
      }
      const socket = await s.probe<{ ok: boolean }>(
        appId,
        '(p, url) => p.attempt({ kind: "websocket", url })',
        'wss://other.openminiapp.test:8443/socket',
      );
      if (socket.ok) throw new CaseFailure('a WebSocket to another origin opened');
      if (s.subject.echo.requestsFor('other.openminiapp.test').length > 0) {
        throw new CaseFailure('a request reached other.openminiapp.test');
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.origin-comparison',
    description: 'A host compares origins by scheme, lower-cased host and explicit port',
    requirements: ['BRG-031'],
    why: 'A sloppy origin check (prefix match, default ports, case) lets look-alike URLs through.',
    async run(s) {
      const { appId } = await launchProbe(s);
      expectSuccess(
        'network.request',
        await s.call(
          appId,
          'network.request',
          { url: 'https://ECHO.openminiapp.test:8443/echo' },
          20_000,
        ),
        'an upper-case host of an allowed origin',
      );
      for (const url of [
        'https://echo.openminiapp.test/echo',
        'https://echo.openminiapp.test:443/echo',
        'https://echo.openminiapp.test:8443.other.openminiapp.test:8443/echo',
        'https://echo.openminiapp.test:8443@other.openminiapp.test:8443/echo',
      ]) {
        const response = await s.call(appId, 'network.request', { url });
        // A URL with user information may already fail the params schema; it must never succeed.
        if (!(
          response.ok === false &&
          ['DOMAIN_NOT_ALLOWED', 'INVALID_PARAMS'].includes(response.error?.code ?? '')
        )) {
          expectError(response, 'DOMAIN_NOT_ALLOWED', url);
        }
      }
      if (s.subject.echo.requestsFor('other.openminiapp.test').length > 0) {
        throw new CaseFailure('a look-alike URL reached other.openminiapp.test');
      }
      return pass();
    },
  }),
];
