import { CaseFailure, pass } from '../framework/index.ts';
import { launchProbe } from '../bridge/host-bridge-support.ts';
import { expectOutcome, hostCase } from '../host/host-case.ts';
import { describe, type HostSession } from '../host/host-session.ts';
import { buildProbe, probeAppId, probePages } from '../host/probe/probe-package.ts';
import { specOf } from '../signing/host-trust-scenarios.ts';

/**
 * Updates on probation (spec/lifecycle.md, LIF-200 to LIF-202): the first cold start of an updated
 * version that never reaches `ready` gives way, after 10 seconds and not before, to the version it
 * replaced, in the same launch; the failed versionCode is never applied again and is reported as an
 * `update.failed` event with code APP_NOT_READY.
 *
 * The broken version's entry page loads a script that inserts another copy of itself before it
 * ends, so a script is always being fetched and the page's `load` event never fires: it never
 * reaches `ready` on any host, while the host's own page stays responsive.
 *
 * The ready that ends a probation must be the new version's own, from this launch: LIF-200 counts
 * the readiness of "the version's entry page". The old version's page cannot be alive during the
 * new version's first cold start (LIF-008 unloads it first), so the case re-sends its signal: the
 * old page records what its document posts on MessagePorts (where a web runtime talks to its host)
 * into the app's own storage, and the never-ready page of the new version posts the same messages
 * again on every port its document uses. A host whose signal travels some other way sees nothing
 * re-sent, and the case then checks the rollback alone (its note says which).
 */

const probationMs = 10_000;

const neverReadyPage =
  '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>never ready</title>\n' +
  '<script src="../never-ready.js"></script>\n</head>\n<body>\n<p>loading</p>\n</body>\n</html>\n';

const neverReadyScript = [
  '// Each run inserts the next copy of this script before it ends; a script that is being fetched',
  '// delays the load event of its document (HTML), so this page never reaches ready.',
  '(function () {',
  "  var next = document.createElement('script');",
  '  next.src = document.currentScript.src;',
  '  document.head.appendChild(next);',
  '})();',
  '',
].join('\n');

/** Where the old page keeps what it posted, and the new page how much it re-sent. */
const recordKey = 'openminiapp-conformance-ready-record';
const replayKey = 'openminiapp-conformance-ready-replayed';

const recorderScript = [
  '// Records every message the code of this document posts on a MessagePort, for a later page.',
  '(function () {',
  '  var sent = [];',
  '  var post = MessagePort.prototype.postMessage;',
  '  MessagePort.prototype.postMessage = function (message) {',
  '    try {',
  '      sent.push(JSON.parse(JSON.stringify(message)));',
  `      localStorage.setItem('${recordKey}', JSON.stringify(sent));`,
  '    } catch (error) {',
  '      // not serialisable, or no storage: nothing to re-send',
  '    }',
  '    return post.apply(this, arguments);',
  '  };',
  '})();',
  '',
].join('\n');

const replayerScript = [
  '// Posts what the old page recorded on every port this document uses, now and again later.',
  '(function () {',
  '  var recorded = [];',
  '  try {',
  `    recorded = JSON.parse(localStorage.getItem('${recordKey}') || '[]');`,
  '  } catch (error) {',
  '    recorded = [];',
  '  }',
  '  var post = MessagePort.prototype.postMessage;',
  '  var ports = [];',
  '  var count = 0;',
  '  function replay(port) {',
  '    for (var i = 0; i < recorded.length; i++) {',
  '      try {',
  '        post.call(port, recorded[i]);',
  '        count++;',
  '      } catch (error) {',
  '        // a closed port',
  '      }',
  '    }',
  `    try { localStorage.setItem('${replayKey}', JSON.stringify({ ports: ports.length, messages: count })); } catch (error) {}`,
  '  }',
  '  function adopt(port) {',
  '    if (!port || ports.indexOf(port) >= 0) return;',
  '    ports.push(port);',
  '    replay(port);',
  '  }',
  '  MessagePort.prototype.postMessage = function () {',
  '    var result = post.apply(this, arguments);',
  '    adopt(this);',
  '    return result;',
  '  };',
  "  window.addEventListener('message', function (event) {",
  '    for (var i = 0; i < (event.ports || []).length; i++) adopt(event.ports[i]);',
  '  }, true);',
  '  setTimeout(function () {',
  '    ports.forEach(replay);',
  '  }, 3000);',
  '})();',
  '',
].join('\n');

/** The old version's entry page: the probe, and the recorder before the load event. */
const recordingPage =
  '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Probe</title>\n' +
  '<script src="../probe.js" data-app-id="APP" data-version-code="1" data-page="pages/index.html"></script>\n' +
  '<script src="../ready-recorder.js"></script>\n</head>\n<body>\n<h1 id="marker">version 1</h1>\n</body>\n</html>\n';

/** The new version's entry page: re-sends the old page's messages, then never gets ready. */
const replayingPage =
  '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>never ready</title>\n' +
  '<script src="../ready-replayer.js"></script>\n<script src="../never-ready.js"></script>\n</head>\n<body>\n<p>loading</p>\n</body>\n</html>\n';

interface Probation {
  appId: string;
  /** The launch's outcome and how long after the request it came. */
  outcome: Awaited<ReturnType<HostSession['launch']>>;
  elapsedMs: number;
}

/**
 * Version 1 launched and ready, version 2 (never ready) downloaded by `refresh`, the host restarted,
 * then one timed cold start. `replay`: version 1 records its messages and version 2 re-sends them.
 */
async function failedProbation(s: HostSession, replay = false): Promise<Probation> {
  const appId = probeAppId;
  const { appId: launched } = await launchProbe(s, {
    marker: 'version 1',
    ...(replay
      ? {
          extraFiles: {
            [probePages.entry]: recordingPage.replace('APP', appId),
            'ready-recorder.js': recorderScript,
          },
        }
      : {}),
  });
  if (launched !== appId) throw new Error(`the probe was built as ${launched}, not ${appId}`);
  const broken = buildProbe({
    versionCode: 2,
    marker: 'version 2',
    extraFiles: {
      [probePages.entry]: replay ? replayingPage : neverReadyPage,
      'never-ready.js': neverReadyScript,
      ...(replay ? { 'ready-replayer.js': replayerScript } : {}),
    },
  });
  s.world.addRelease(appId, specOf(broken));
  s.world.publish();
  const refreshed = await s.command<{
    outcomes: { appId: string; kind: string; versionCode?: number }[];
  }>('refresh');
  const mine = refreshed.outcomes.find((o) => o.appId === appId);
  if (mine?.kind !== 'installed' || mine.versionCode !== 2)
    throw new CaseFailure(`refresh did not download the update: ${JSON.stringify(mine)}`);
  await s.driver.restart();
  const started = Date.now();
  const outcome = await s.launch(`miniapp://${appId}/`);
  const elapsedMs = Date.now() - started;
  s.note(`first cold start of versionCode 2 -> ${describe(outcome)} after ${elapsedMs} ms`);
  return { appId, outcome, elapsedMs };
}

interface FailedEvent {
  type?: string;
  toVersionCode?: number;
  code?: string;
  [member: string]: unknown;
}

/** Every update.failed event the suite's ingestion route received, however nested. */
function updateFailures(batches: unknown[]): FailedEvent[] {
  const found: FailedEvent[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) {
      const v = value as FailedEvent;
      if (v.type === 'update.failed') found.push(v);
      else Object.values(v).forEach(walk);
    }
  };
  walk(batches);
  return found;
}

export const hostProbationCases = [
  hostCase({
    id: 'host.lifecycle.probation-rollback',
    description:
      'A host gives an updated version that never reaches ready 10 seconds, not less, then launches the version it replaced in the same launch and never applies the failed versionCode again',
    requirements: ['LIF-200', 'LIF-201'],
    why: 'An update that cannot start must not lock users out of an app that worked a minute ago, nor be retried at every launch; giving up early would fail updates that are only slow.',
    timeoutMs: 150_000,
    async run(s) {
      const { appId, outcome, elapsedMs } = await failedProbation(s);
      expectOutcome(
        outcome,
        'launched',
        1,
        'the first cold start of a version that never gets ready',
      );
      // [LIF-200] the 10 seconds run from loading the entry page, which follows the request.
      if (elapsedMs < probationMs)
        throw new CaseFailure(
          `the host gave up on versionCode 2 after ${elapsedMs} ms, before its 10 seconds`,
        );
      const shown = await s.probe<number>(appId, '(p) => p.versionCode');
      if (shown !== 1)
        throw new CaseFailure(`the launched document is versionCode ${shown}, not the kept 1`);
      // [LIF-201] the failed versionCode is not applied again: not by an update session, not at a
      // cold start, and not after the super app restarts (CNF-028 keeps what it keeps), so the
      // refresh comes after a restart and its result meets the next cold start.
      await s.driver.restart();
      await s.command('refresh');
      await s.driver.restart();
      const again = await s.launch(`miniapp://${appId}/`);
      expectOutcome(again, 'launched', 1, 'the next cold start');
      const installed = await s.installedVersion(appId);
      if (installed !== 1)
        throw new CaseFailure(`after the failed update state lists versionCode ${installed}`);
      // A host that applied versionCode 2 again rolled it back again, and reports each failure
      // [LIF-202]: two of them mean a second application, even though the outcome names 1.
      await s.command('events');
      await new Promise((r) => setTimeout(r, 1_000));
      const failures = updateFailures(s.server.analytics.map((b) => b.body)).filter(
        (e) => e.toVersionCode === 2,
      );
      if (failures.length > 1)
        throw new CaseFailure(
          `the host applied the failed versionCode 2 again at the next cold start: it reported ${failures.length} update.failed events for it`,
        );
      return pass(`kept version launched after ${elapsedMs} ms; versionCode 2 not applied again`);
    },
  }),
  hostCase({
    id: 'host.lifecycle.probation-failure-event',
    description:
      'A host reports the failed first cold start of an update as an update.failed event naming the failed versionCode with code APP_NOT_READY',
    requirements: ['LIF-202'],
    why: 'The partner learns only from this event that a release does not start on devices, and must stop its rollout.',
    timeoutMs: 150_000,
    async run(s) {
      const { outcome } = await failedProbation(s);
      if (outcome.kind !== 'launched')
        throw new CaseFailure(`the launch answered ${describe(outcome)}`);
      await s.command('events');
      await new Promise((r) => setTimeout(r, 1_000));
      const failures = updateFailures(s.server.analytics.map((b) => b.body));
      const match = failures.find((e) => e.toVersionCode === 2 && e.code === 'APP_NOT_READY');
      if (!match) {
        throw new CaseFailure(
          failures.length === 0
            ? 'no update.failed event reached the ingestion route'
            : `update.failed events name ${failures.map((e) => `${String(e.toVersionCode)} ${String(e.code)}`).join(', ')}, not versionCode 2 with APP_NOT_READY`,
        );
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.lifecycle.probation-ready-replayed',
    description:
      "A host does not let the ready signal of the replaced version's page, re-sent by the new version's page, end the probation of a version whose entry page never gets ready",
    requirements: ['LIF-200', 'LIF-201'],
    why: 'Only the new version can show that it starts on this device: a signal of the old version, re-sent or late, would keep an update that never opens and drop the version that works.',
    timeoutMs: 150_000,
    async run(s) {
      const { appId, outcome, elapsedMs } = await failedProbation(s, true);
      if (outcome.kind === 'launched' && outcome.versionCode === 2)
        throw new CaseFailure(
          `the host launched versionCode 2, whose entry page never reaches ready, after ${elapsedMs} ms: a signal re-sent from the page of versionCode 1 ended its probation`,
        );
      expectOutcome(
        outcome,
        'launched',
        1,
        "the first cold start of a version that never gets ready and re-sends the old page's signal",
      );
      if (elapsedMs < probationMs)
        throw new CaseFailure(
          `the host gave up on versionCode 2 after ${elapsedMs} ms, before its 10 seconds`,
        );
      const shown = await s.probe<number>(appId, '(p) => p.versionCode');
      if (shown !== 1)
        throw new CaseFailure(`the launched document is versionCode ${shown}, not the kept 1`);
      const installed = await s.installedVersion(appId);
      if (installed !== 1)
        throw new CaseFailure(`after the failed update state lists versionCode ${installed}`);
      const replayed = await s.probe<string | null>(
        appId,
        `() => localStorage.getItem('${replayKey}')`,
      );
      const counts = replayed
        ? (JSON.parse(replayed) as { ports: number; messages: number })
        : null;
      return pass(
        counts && counts.messages > 0
          ? `the page of versionCode 2 re-sent ${counts.messages} messages of versionCode 1 on ${counts.ports} ports; the kept version launched after ${elapsedMs} ms`
          : `the host's pages post nothing on MessagePorts that could be re-sent; only the rollback after ${elapsedMs} ms was checked`,
      );
    },
  }),
];
