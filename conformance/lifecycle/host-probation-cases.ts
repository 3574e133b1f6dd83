import { CaseFailure, pass } from '../framework/index.ts';
import { launchProbe } from '../bridge/host-bridge-support.ts';
import { expectOutcome, hostCase } from '../host/host-case.ts';
import { describe, type HostSession } from '../host/host-session.ts';
import { buildProbe, probePages } from '../host/probe/probe-package.ts';
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

interface Probation {
  appId: string;
  /** The launch's outcome and how long after the request it came. */
  outcome: Awaited<ReturnType<HostSession['launch']>>;
  elapsedMs: number;
}

/**
 * Version 1 launched and ready, version 2 (never ready) downloaded by `refresh`, the host restarted,
 * then one timed cold start.
 */
async function failedProbation(s: HostSession): Promise<Probation> {
  const { appId } = await launchProbe(s, { marker: 'version 1' });
  const broken = buildProbe({
    versionCode: 2,
    marker: 'version 2',
    extraFiles: { [probePages.entry]: neverReadyPage, 'never-ready.js': neverReadyScript },
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
      // [LIF-201] the failed versionCode is not applied again: not by refresh, not at a cold start.
      await s.command('refresh');
      await s.driver.restart();
      const again = await s.launch(`miniapp://${appId}/`);
      expectOutcome(again, 'launched', 1, 'the next cold start');
      const installed = await s.installedVersion(appId);
      if (installed !== 1)
        throw new CaseFailure(`after the failed update state lists versionCode ${installed}`);
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
];
