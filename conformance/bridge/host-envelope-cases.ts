import { CaseFailure, pass, skip } from '../framework/index.ts';
import { hostCase } from '../host/host-case.ts';
import type { BridgeResponse, HostSession } from '../host/host-session.ts';
import { otherOrigin } from '../host/probe/probe-package.ts';
import {
  expectError,
  launchProbe,
  registryEvents,
  responseFaults,
  stackTrace,
} from './host-bridge-support.ts';

/**
 * Envelopes and transports of the bridge (spec/bridge.md, "Envelopes" and "Transport bindings"),
 * observed by the probe: what the host answers to every kind of message, and how the channel is set up.
 */

const request = (id: string, method: string, params: unknown = {}) => ({
  bridge: 'openminiapp',
  v: 1,
  kind: 'request',
  id,
  method,
  params,
});

async function send(
  s: HostSession,
  appId: string,
  message: unknown,
  timeoutMs = 3_000,
): Promise<BridgeResponse | null> {
  return s.probe<BridgeResponse | null>(appId, '(p, m, t) => p.send(m, t)', message, timeoutMs);
}

async function stored(s: HostSession, appId: string, key: string): Promise<unknown> {
  const response = await s.call(appId, 'storage.get', { key });
  return response.ok ? (response.result as { value?: unknown }).value : undefined;
}

async function binding(s: HostSession, appId: string): Promise<string | null> {
  return s.probe<string | null>(appId, '(p) => p.connected(5000).then(() => p.binding())');
}

export const hostEnvelopeCases = [
  hostCase({
    id: 'host.bridge.ignores-non-bridge-messages',
    description:
      'A host ignores without answering messages that are not JSON objects with bridge "openminiapp"',
    requirements: ['BRG-001', 'BRG-009'],
    why: 'Other traffic on the channel is not the bridge; answering it would let any script probe the host.',
    async run(s) {
      const { appId } = await launchProbe(s);
      const junk: unknown[] = [
        'not json at all',
        '[1,2,3]',
        JSON.stringify({
          v: 1,
          kind: 'request',
          id: 'junk-1',
          method: 'storage.get',
          params: { key: 'k' },
        }),
        JSON.stringify({
          bridge: 'other',
          v: 1,
          kind: 'request',
          id: 'junk-2',
          method: 'storage.get',
          params: { key: 'k' },
        }),
        {
          bridge: 'OpenMiniApp',
          v: 1,
          kind: 'request',
          id: 'junk-3',
          method: 'storage.get',
          params: { key: 'k' },
        },
      ];
      for (const message of junk) {
        const answer = await send(s, appId, message, 1_000);
        if (answer)
          throw new CaseFailure(
            `the host answered a non-bridge message: ${JSON.stringify(message).slice(0, 80)}`,
          );
      }
      const others = await s.probe<unknown[]>(
        appId,
        '(p) => p.log.filter((e) => e.kind === "other").map((e) => e.data)',
      );
      if (others.length > 0)
        throw new CaseFailure(
          `the host sent ${others.length} message(s) that are not bridge envelopes`,
        );
      const after = await s.call(appId, 'host.getInfo', {}, 5_000);
      if (after.timedOut || !after.ok)
        throw new CaseFailure('a well-formed request after the junk was not answered within 5 s');
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.malformed-request',
    description:
      'A host answers requests with a wrong v, a missing, extra or mistyped member with BRIDGE_MALFORMED and executes nothing',
    requirements: ['BRG-002', 'BRG-006', 'ERR-001'],
    why: 'A request the host cannot read exactly must not be half-executed; the code tells the client what is wrong.',
    async run(s) {
      const { appId } = await launchProbe(s);
      const cases: [string, Record<string, unknown>][] = [
        ['v 2', { ...request('m-1', 'storage.set', { key: 'm1', value: 1 }), v: 2 }],
        [
          'no method',
          (({ method: _m, ...rest }) => rest)(
            request('m-2', 'storage.set', { key: 'm2', value: 1 }),
          ),
        ],
        [
          'extra member',
          { ...request('m-3', 'storage.set', { key: 'm3', value: 1 }), extra: true },
        ],
        ['params a string', { ...request('m-4', 'storage.set'), params: 'key=m4' }],
        [
          'method a number',
          { ...request('m-5', 'storage.set', { key: 'm5', value: 1 }), method: 5 },
        ],
        // Mistyped, not just wrong: a loose comparison or typeof === 'object' lets these through.
        ['v the string "1"', { ...request('m-6', 'storage.set', { key: 'm6', value: 1 }), v: '1' }],
        ['params an array', { ...request('m-7', 'storage.set'), params: [] }],
        ['params null', { ...request('m-8', 'storage.set'), params: null }],
      ];
      for (const [what, message] of cases) {
        const answer = await send(s, appId, JSON.stringify(message), 3_000);
        if (!answer) throw new CaseFailure(`no answer to a request with ${what}`);
        expectError(answer, 'BRIDGE_MALFORMED', `a request with ${what}`);
        const faults = responseFaults('storage.set', answer);
        if (faults.length > 0) throw new CaseFailure(faults[0] ?? '');
      }
      for (const key of ['m1', 'm2', 'm3', 'm5', 'm6']) {
        const value = await stored(s, appId, key);
        if (value !== null && value !== undefined)
          throw new CaseFailure(
            `a malformed storage.set was executed: ${key} = ${JSON.stringify(value)}`,
          );
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.request-id-syntax',
    description:
      'A host accepts request ids of 1 to 64 letters, digits and . _ : - only, executing nothing for other ids',
    requirements: ['BRG-003'],
    why: 'Ids are echoed into responses and logs; a host that accepts any string carries attacker text around.',
    async run(s) {
      const { appId } = await launchProbe(s);
      const longest = 'a.b_c:d-'.repeat(8);
      const good = await send(s, appId, JSON.stringify(request(longest, 'host.getInfo')), 3_000);
      if (!good?.ok)
        throw new CaseFailure(
          'a request whose id has 64 allowed characters was not answered with a success',
        );
      const bad: [string, string][] = [
        ['empty', ''],
        ['65 characters', `${longest}x`],
        ['a space', 'a b'],
        ['a slash', 'a/b'],
        ['non-ASCII', 'é1'],
      ];
      for (const [what, id] of bad) {
        const answer = await send(
          s,
          appId,
          JSON.stringify(request(id, 'storage.set', { key: `id-${what}`, value: 1 })),
          1_500,
        );
        if (answer && !(answer.ok === false && answer.error?.code === 'BRIDGE_MALFORMED')) {
          throw new CaseFailure(
            `a request whose id is ${what} was answered ${answer.ok ? 'with a success' : answer.error?.code}`,
          );
        }
        if ((await stored(s, appId, `id-${what}`)) != null)
          throw new CaseFailure(`a request whose id is ${what} was executed`);
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.exactly-one-response',
    description:
      'A host answers each of twenty well-formed requests exactly once, with the same id',
    requirements: ['BRG-004', 'BRG-006'],
    why: 'A client matches answers by id; a missing or doubled answer breaks every pending call.',
    async run(s) {
      const { appId } = await launchProbe(s);
      const ids = await s.probe<string[]>(
        appId,
        `(p) => p.connected(5000).then(() => { const ids = []; for (let i = 0; i < 20; i++) ids.push(p.start(i % 2 ? 'host.getInfo' : 'storage.get', i % 2 ? {} : { key: 'k' + i })); return new Promise((r) => setTimeout(() => r(ids), 2500)); })`,
      );
      const responses = await s.probe<BridgeResponse[]>(
        appId,
        '(p) => p.log.filter((e) => e.kind === "response").map((e) => e.data)',
      );
      for (const id of ids) {
        const matching = responses.filter((r) => r.id === id);
        if (matching.length !== 1)
          throw new CaseFailure(`request ${id} got ${matching.length} responses`);
        const faults = responseFaults(
          id.endsWith('1') ? 'host.getInfo' : 'storage.get',
          matching[0] as BridgeResponse,
        );
        if (faults.some((f) => f.includes('envelope'))) throw new CaseFailure(faults[0] ?? '');
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.duplicate-pending-id',
    description:
      'A host answers a request reusing the id of an unanswered one with BRIDGE_DUPLICATE_ID and still answers the first',
    requirements: ['BRG-005'],
    why: 'A duplicate must never run twice, and the call that owns the id must still complete.',
    async run(s) {
      const { appId } = await launchProbe(s);
      const first = await s.startCall(appId, 'ui.showModal', {
        title: 'Conformance',
        content: 'duplicate id',
      });
      const duplicate = await send(
        s,
        appId,
        JSON.stringify(request(first, 'storage.set', { key: 'dup', value: 1 })),
        3_000,
      );
      if (!duplicate) throw new CaseFailure('no answer to the request that reused a pending id');
      expectError(duplicate, 'BRIDGE_DUPLICATE_ID', 'the duplicate request');
      await s.command('answerPrompt', { decision: 'grant', timeoutMs: 5_000 });
      const owner = await s.probe<BridgeResponse[]>(
        appId,
        '(p, id) => new Promise((r) => setTimeout(() => r(p.responses(id)), 1000))',
        first,
      );
      if (!owner.some((r) => r.ok === true))
        throw new CaseFailure('the first request (the modal) was not answered after the duplicate');
      if ((await stored(s, appId, 'dup')) != null)
        throw new CaseFailure('the duplicate storage.set was executed');
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.request-ids-per-app',
    description:
      "A host executes a request whose id equals the id of another app's request still in flight, and answers each app its own response",
    requirements: ['BRG-004', 'BRG-005'],
    why: 'Request ids are unique per mini-app only (clients count them from 1 in every app); a host that keeps one set of ids in flight, or routes answers by id alone, refuses or misdelivers the calls of one app because of another.',
    async run(s) {
      const { appId: first } = await launchProbe(s);
      // A modal waits for the user: the call stays in flight until the suite answers it.
      const id = await s.startCall(first, 'ui.showModal', {
        title: 'Conformance',
        content: 'request ids per app',
      });
      const second = 'dev.openminiapp.conformance.neighbour';
      await launchProbe(s, { appId: second });
      const answer = await send(
        s,
        second,
        JSON.stringify(request(id, 'storage.set', { key: 'same-id', value: 1 })),
        5_000,
      );
      const early = await s.probe<BridgeResponse[]>(first, '(p, id) => p.responses(id)', id);
      if (early.length > 0)
        return skip(
          `the first app's modal was answered (${early[0]?.ok ? 'ok' : early[0]?.error?.code}) before the second app's request: no id was in flight`,
        );
      if (!answer) throw new CaseFailure(`the second app's request ${id} was not answered`);
      if (!answer.ok)
        throw new CaseFailure(
          `the second app's request ${id} was answered ${answer.error?.code}: the first app has a request with that id in flight, but ids are unique per app`,
        );
      if ((await stored(s, second, 'same-id')) !== 1)
        throw new CaseFailure("the second app's storage.set was answered but not executed");
      // Back to the first app: its modal is answered, once, with its own response.
      await s.launchProbe(first);
      await s.command('answerPrompt', { decision: 'grant', timeoutMs: 5_000 });
      const owner = await s.awaitResponse(first, id, 10_000);
      if (owner.timedOut)
        throw new CaseFailure(`the first app's ui.showModal ${id} was never answered`);
      const faults = responseFaults('ui.showModal', owner);
      if (faults.length > 0) throw new CaseFailure(faults[0] ?? '');
      const all = await s.probe<BridgeResponse[]>(first, '(p, id) => p.responses(id)', id);
      if (all.length !== 1)
        throw new CaseFailure(`the first app received ${all.length} responses to ${id}`);
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.message-too-large',
    description:
      'A host refuses a message of more than 2 MiB with BRIDGE_TOO_LARGE and keeps answering',
    requirements: ['BRG-007', 'BRG-009'],
    why: 'The size limit bounds what the host parses; a 2 MiB value plus envelope is the largest message the protocol allows.',
    async run(s) {
      const { appId } = await launchProbe(s);
      const answer = await s.probe<BridgeResponse | null>(
        appId,
        `(p) => p.send(JSON.stringify({ bridge: 'openminiapp', v: 1, kind: 'request', id: 'big-1', method: 'storage.set', params: { key: 'big', value: 'x'.repeat(2 * 1024 * 1024 + 16) } }), 8000)`,
      );
      if (!answer) throw new CaseFailure('no answer to a 2 MiB message that carries a usable id');
      expectError(answer, 'BRIDGE_TOO_LARGE', 'a message above 2 MiB');
      if ((await stored(s, appId, 'big')) != null)
        throw new CaseFailure('the oversized write was executed');
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.events-well-formed',
    description: 'Every event a host sends carries a registered name and a data object',
    requirements: ['BRG-008', 'BRG-024'],
    why: 'Clients dispatch on event names; an unregistered name or a missing data object breaks them.',
    async run(s) {
      const { appId } = await launchProbe(s);
      await s.command('background');
      await new Promise((r) => setTimeout(r, 500));
      await s.command('foreground');
      await new Promise((r) => setTimeout(r, 1_000));
      const events = await s.probe<{ name: string; data: unknown }[]>(
        appId,
        '(p) => p.log.filter((e) => e.kind === "event").map((e) => e.data)',
      );
      if (events.length === 0)
        throw new CaseFailure('no event reached the probe across background and foreground');
      const names = new Set(registryEvents());
      for (const event of events) {
        if (!names.has(event.name))
          throw new CaseFailure(`the host sent the unregistered event ${event.name}`);
        if (!event.data || typeof event.data !== 'object' || Array.isArray(event.data)) {
          throw new CaseFailure(`the event ${event.name} has no data object`);
        }
      }
      return pass(`${events.length} events`);
    },
  }),
  hostCase({
    id: 'host.bridge.keeps-answering',
    description:
      'A host answers a well-formed request within 5 seconds after any malformed message, and no response carries a stack trace',
    requirements: ['BRG-009', 'BRG-021'],
    why: 'Fuzzed input must not wedge the bridge, and errors must not leak internals.',
    async run(s) {
      const { appId } = await launchProbe(s);
      const hostile: unknown[] = [
        '{"bridge":"openminiapp","v":1,"kind":"request","id":"h-1","method":"storage.get","params":{"key":',
        JSON.stringify(request('h-2', 'storage.get', { key: { toString: 'x' } })),
        JSON.stringify({
          bridge: 'openminiapp',
          v: 1,
          kind: 'request',
          id: 'h-3',
          method: 'storage.set',
          params: { key: 'deep', value: JSON.parse('['.repeat(500) + ']'.repeat(500)) },
        }),
        JSON.stringify(request('h-4', 'network.request', { url: 'https://\u0000/' })),
        JSON.stringify({
          bridge: 'openminiapp',
          v: 1,
          kind: 'response',
          id: 'h-5',
          ok: true,
          result: {},
        }),
        JSON.stringify(request('h-6', 'app.openMiniApp', { appId: '../../..' })),
        JSON.stringify(request('h-7', 'auth.getToken', { scopes: ['x'.repeat(10_000)] })),
      ];
      const texts: string[] = [];
      for (const message of hostile) {
        const answer = await send(s, appId, message, 1_500);
        if (answer) texts.push(JSON.stringify(answer));
        const started = Date.now();
        const probe = await s.call(appId, 'host.getInfo', {}, 5_000);
        if (probe.timedOut || !probe.ok)
          throw new CaseFailure(`no answer within 5 s after ${String(message).slice(0, 60)}`);
        if (Date.now() - started > 5_500)
          throw new CaseFailure('the host took more than 5 s to answer after a malformed message');
      }
      const leaking = texts.find(stackTrace);
      if (leaking)
        throw new CaseFailure('a response carries a stack trace or a source path', [
          leaking.slice(0, 300),
        ]);
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.init-to-exact-origin',
    description:
      'A web host sends the init message from its own window, with one port, and never to a document of another origin in the frame',
    requirements: ['BRG-032'],
    why: 'Posting init to "*" hands the bridge port to whatever document the frame holds, including one of another origin.',
    async run(s) {
      if (s.driver.binding === 'native') {
        return skip('a native host has no init message (bridge.md, iOS and Android bindings)');
      }
      // Records what frames post to the host, so that a document of another origin can say the same.
      await s.driver.execute(
        'window.__suiteHeard = []; window.addEventListener("message", (e) => { if (e.source !== window) { try { window.__suiteHeard.push(JSON.parse(JSON.stringify(e.data))); } catch (x) {} } }, true); return true;',
      );
      const { appId } = await launchProbe(s);
      if ((await binding(s, appId)) !== 'port') {
        throw new CaseFailure(
          'the probe received no init message with a port from its parent window',
        );
      }
      const inits = await s.probe<{ origin: string; fromParent: boolean; ports: number }[]>(
        appId,
        '(p) => p.inits',
      );
      const top = new URL(await s.driver.topUrl()).origin;
      const first = inits[0];
      if (!first || !first.fromParent || first.ports !== 1 || first.origin !== top) {
        throw new CaseFailure(
          `the init message came from ${first?.origin} (parent: ${first?.fromParent}, ${first?.ports} ports); expected ${top}, one port`,
        );
      }
      const said = await s.driver.execute<unknown[]>('return window.__suiteHeard || [];');
      await s.probe(
        appId,
        '(p, url) => { setTimeout(() => { location.href = url; }, 50); return true; }',
        `${otherOrigin}/listener.html`,
      );
      await new Promise((r) => setTimeout(r, 2_000));
      // The other origin repeats every message the mini-app's documents sent to the host.
      await s.driver.inApp(appId, () =>
        s.driver.execute(
          'for (const m of arguments[0]) { try { parent.postMessage(m, "*"); } catch (x) {} } return true;',
          said,
        ),
      );
      await new Promise((r) => setTimeout(r, 3_000));
      const heard = await s.driver.inApp(appId, () =>
        s.driver.execute<string | null>(
          'return document.getElementById("heard") ? document.getElementById("heard").textContent : null',
        ),
      );
      if (heard.found && heard.value && /"kind":"init"/.test(heard.value)) {
        throw new CaseFailure(
          'a document of another origin in the mini-app frame received the init message',
          [heard.value.slice(0, 300)],
        );
      }
      return pass(
        heard.value === null
          ? 'the frame did not show the listener (navigation blocked)'
          : `the listener repeated ${said.length} message(s) and heard no init`,
      );
    },
  }),
  hostCase({
    id: 'host.bridge.ignores-window-post-message',
    description:
      'A web host ignores bridge requests that arrive by window.postMessage instead of its port',
    requirements: ['BRG-033'],
    why: 'After init only the port is trusted; window messages can come from any frame or script.',
    async run(s) {
      const { appId } = await launchProbe(s);
      await s.probe(
        appId,
        `(p) => { window.parent.postMessage(${JSON.stringify(JSON.stringify(request('pm-1', 'storage.set', { key: 'pm', value: 'window' })))}, '*'); window.parent.postMessage(${JSON.stringify(request('pm-2', 'storage.set', { key: 'pm2', value: 'window' }))}, '*'); return new Promise((r) => setTimeout(r, 1500)); }`,
      );
      const answered = await s.probe<unknown[]>(
        appId,
        '(p) => p.log.filter((e) => e.kind === "response" && (e.data.id === "pm-1" || e.data.id === "pm-2"))',
      );
      if (answered.length > 0)
        throw new CaseFailure('the host answered a request sent by window.postMessage');
      for (const key of ['pm', 'pm2']) {
        if ((await stored(s, appId, key)) != null)
          throw new CaseFailure(`a request sent by window.postMessage was executed (${key})`);
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.bridge.native-bindings',
    description:
      'An iOS or Android host offers its named binding, answers through __openminiappDispatch exactly once, and locks top-level navigation',
    requirements: ['BRG-035', 'BRG-036', 'BRG-037', 'BRG-038', 'BRG-039', 'BRG-041'],
    why: 'Native bindings replace the port; the dispatch function must get the JSON as a string literal, once per request.',
    async run(s) {
      if (s.subject.driver.binding !== 'native') {
        return skip(
          'applies to iOS and Android hosts; this host is driven through the web binding',
        );
      }
      const { appId } = await launchProbe(s);
      const kind = await binding(s, appId);
      const platform = String(s.subject.driver.device['platform']).toLowerCase();
      if (platform === 'ios' && kind !== 'webkit')
        throw new CaseFailure('no window.webkit.messageHandlers.openminiapp (BRG-035)');
      if (platform === 'android' && kind !== 'android')
        throw new CaseFailure('no window.OpenMiniAppNative (BRG-038)');
      const ids = await s.probe<string[]>(
        appId,
        `(p) => { const a = p.start('host.getInfo', {}); return new Promise((r) => setTimeout(() => r([a]), 1500)); }`,
      );
      const responses = await s.probe<unknown[]>(appId, '(p, id) => p.responses(id)', ids[0]);
      if (responses.length !== 1)
        throw new CaseFailure(
          `a request got ${responses.length} responses through the dispatch function`,
        );
      const malformed = await send(
        s,
        appId,
        '{"bridge":"openminiapp","v":1,"kind":"request","id":"n-1",',
        2_000,
      );
      if (malformed && malformed.ok !== false)
        throw new CaseFailure('malformed JSON text was answered with a success (BRG-041)');
      await s.probe(
        appId,
        '(p, url) => p.attempt({ kind: "navigateTop", url })',
        `${otherOrigin}/listener.html`,
      );
      const state = await s.state();
      if (
        !state.running?.documentUrl ||
        new URL(state.running.documentUrl).origin === otherOrigin
      ) {
        throw new CaseFailure('the mini-app web view navigated to another origin (BRG-039)');
      }
      return pass();
    },
  }),
];
