import { CaseFailure, pass, skip } from '../framework/index.ts';
import { launchProbe } from '../bridge/host-bridge-support.ts';
import { hostCase } from '../host/host-case.ts';
import type { HostSession } from '../host/host-session.ts';
import { buildProbe, probePages } from '../host/probe/probe-package.ts';
import { specOf } from '../signing/host-trust-scenarios.ts';

/** App and page states and their events (spec/lifecycle.md), as the probe receives them. */

interface SeenEvent {
  at: number;
  name: string;
  data: { page?: string } & Record<string, unknown>;
}

async function events(s: HostSession, appId: string): Promise<SeenEvent[]> {
  return s.probe<SeenEvent[]>(appId, '(p) => p.events()');
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** [LIF-006] no app.show twice without app.hide between, and the reverse. */
function alternationFaults(list: SeenEvent[]): string[] {
  const faults: string[] = [];
  let last: string | undefined;
  for (const e of list.filter((x) => x.name === 'app.show' || x.name === 'app.hide')) {
    if (e.name === last) faults.push(`${e.name} twice without the other in between`);
    last = e.name;
  }
  return faults;
}

export const hostLifecycleCases = [
  hostCase({
    id: 'host.lifecycle.show-hide-order',
    description:
      'Leaving and returning to the foreground sends page.hide then app.hide, and app.show then page.show, as state reports the moves',
    requirements: ['LIF-001', 'LIF-002', 'LIF-003', 'LIF-006', 'LIF-010', 'LIF-011', 'BRG-027'],
    why: 'Apps pause work on hide and refresh on show; the order tells them whether the page or the app changed.',
    async run(s) {
      const { appId } = await launchProbe(s);
      await settle(500);
      if ((await s.state()).running?.state !== 'foreground')
        throw new CaseFailure('after launch, state does not report foreground');
      const start = (await events(s, appId)).length;
      await s.command('background');
      const hidden = await s.state();
      if (hidden.running && !['background', 'suspended'].includes(hidden.running.state)) {
        throw new CaseFailure(`after background, state reports ${hidden.running.state}`);
      }
      await settle(800);
      await s.command('foreground');
      await settle(1_000);
      if ((await s.state()).running?.state !== 'foreground')
        throw new CaseFailure('after foreground, state does not report foreground');
      const all = await events(s, appId);
      const seen = all.slice(start).map((e) => `${e.name}${e.data.page ? `(${e.data.page})` : ''}`);
      const names = all
        .slice(start)
        .map((e) => e.name)
        .filter((n) => n.startsWith('app.') || n.startsWith('page.'));
      const expected = ['page.hide', 'app.hide', 'app.show', 'page.show'];
      if (names.join(',') !== expected.join(',')) {
        throw new CaseFailure(
          `events across background and foreground were ${seen.join(', ') || 'none'}; expected ${expected.join(', ')}`,
        );
      }
      for (const e of all.slice(start).filter((x) => x.name.startsWith('page.'))) {
        if (e.data.page !== probePages.entry)
          throw new CaseFailure(
            `${e.name} names page ${String(e.data.page)}, not ${probePages.entry}`,
          );
      }
      const faults = alternationFaults(all);
      if (faults.length > 0) throw new CaseFailure(faults[0] ?? '');
      const times = all.map((e) => e.at);
      if (times.some((t, i) => i > 0 && t < (times[i - 1] ?? 0)))
        throw new CaseFailure('events arrived out of order');
      return pass(seen.join(', '));
    },
  }),
  hostCase({
    id: 'host.lifecycle.cold-start-events',
    description:
      'A cold start sends app.show, then page.show with the entry page, and a second link to the app in the foreground sends no second app.show',
    requirements: ['LIF-002', 'LIF-006', 'LIF-010'],
    why: 'A cold start enters foreground like a return does; an app that starts its work on app.show, or a page that refreshes on page.show, never starts when the first ones are missing. A page is hidden while its app is not in foreground, so page.show cannot come first.',
    async run(s) {
      const { appId } = await launchProbe(s);
      await settle(800);
      // app.memoryWarning may come at any time; the states are what this case is about.
      const seen = (await events(s, appId)).filter((e) => e.name !== 'app.memoryWarning');
      const shown = seen.map((e) => `${e.name}${e.data.page ? `(${e.data.page})` : ''}`);
      const expected = ['app.show', `page.show(${probePages.entry})`];
      if (shown.join(',') !== expected.join(',')) {
        throw new CaseFailure(
          `the events of a cold start were ${shown.join(', ') || 'none'}; expected ${expected.join(', ')}`,
        );
      }
      // A link to the app in the foreground: it may be hidden and shown again, never shown twice.
      await s.launchProbe(appId);
      await settle(800);
      const faults = alternationFaults(await events(s, appId));
      if (faults.length > 0)
        throw new CaseFailure(`after a second link to the app in the foreground: ${faults[0]}`);
      return pass(shown.join(', '));
    },
  }),
  hostCase({
    id: 'host.lifecycle.covered-app-leaves-foreground',
    description:
      'Launching a second mini-app moves the first out of foreground: it receives page.hide, then app.hide, and state reports the second',
    requirements: ['LIF-001', 'LIF-002', 'LIF-011'],
    why: 'An app covered by another is no longer visible; if it is never told, it keeps playing media, polling and counting time the user does not spend in it.',
    async run(s) {
      const { appId: first } = await launchProbe(s);
      await settle(500);
      const before = (await events(s, first)).length;
      const second = 'dev.openminiapp.conformance.neighbour';
      await s.publishProbe({ appId: second });
      await s.launchProbe(second);
      await settle(800);
      const state = await s.state();
      if (state.running?.appId !== second || state.running.state !== 'foreground')
        throw new CaseFailure(
          `after the second launch, state reports ${JSON.stringify(state.running)}, not ${second} in foreground`,
        );
      const covered = await s.driver.inApp(first, () =>
        s.driver.execute<SeenEvent[]>('return window.__openMiniAppProbe.events()'),
      );
      if (!covered.found || !covered.value) {
        return skip(
          `the documents of ${first} cannot be entered after ${second} launched (unloaded, or a native host that shows only the running app's web view): its events cannot be read`,
        );
      }
      const seen = covered.value
        .slice(before)
        .filter((e) => e.name.startsWith('app.') || e.name.startsWith('page.'))
        .map((e) => `${e.name}${e.data.page ? `(${e.data.page})` : ''}`);
      const hidden = [`page.hide(${probePages.entry})`, 'app.hide'];
      // The host may also unload the covered app at once (page.unload after app.hide).
      if (seen.slice(0, 2).join(',') !== hidden.join(',') || seen.includes('app.show')) {
        throw new CaseFailure(
          `the covered app received ${seen.join(', ') || 'no event'} when another app launched; expected ${hidden.join(', ')}`,
        );
      }
      return pass(seen.join(', '));
    },
  }),
  hostCase({
    id: 'host.lifecycle.app-close',
    description:
      'app.close moves the mini-app from foreground to background and sends page.hide for the shown page, then app.hide',
    requirements: ['LIF-001', 'LIF-002', 'LIF-011'],
    why: 'app.close is the mini-app leaving the foreground itself; it follows the same transition, with the same events, as the user leaving.',
    async run(s) {
      const { appId } = await launchProbe(s);
      await settle(500);
      const before = (await events(s, appId)).length;
      await s.probe(appId, '(p) => p.call("app.close", {}, 5000)');
      await settle(800);
      const state = await s.state();
      if (state.running && state.running.appId === appId && state.running.state === 'foreground') {
        throw new CaseFailure('after app.close the app is still in the foreground');
      }
      const closed = await s.driver.inApp(appId, () =>
        s.driver.execute<SeenEvent[]>('return window.__openMiniAppProbe.events()'),
      );
      if (!closed.found || !closed.value)
        return skip(
          `the documents of ${appId} cannot be entered after app.close (unloaded, or a native host that shows only the running app's web view): its events cannot be read`,
        );
      const seen = closed.value
        .slice(before)
        .filter((e) => e.name !== 'app.memoryWarning')
        .map((e) => `${e.name}${e.data.page ? `(${e.data.page})` : ''}`);
      const expected = [`page.hide(${probePages.entry})`, 'app.hide'];
      if (seen.slice(0, 2).join(',') !== expected.join(','))
        throw new CaseFailure(
          `app.close sent ${seen.join(', ') || 'no event'}; expected ${expected.join(', ')}`,
        );
      return pass(seen.join(', '));
    },
  }),
  hostCase({
    id: 'host.lifecycle.page-show-on-navigation',
    description:
      'A page the app opens receives page.show with its path, and page states move only forward',
    requirements: ['LIF-009', 'LIF-010'],
    why: 'Each page learns it is shown; a page.show for another path or before the page is ready breaks page logic.',
    async run(s) {
      const { appId } = await launchProbe(s);
      await s.probe(
        appId,
        '(p) => { setTimeout(() => { location.href = "second.html"; }, 50); return true; }',
      );
      await settle(3_000);
      const page = await s.probe<string>(appId, '(p) => p.page');
      if (page !== probePages.second)
        throw new CaseFailure(`the frame shows ${page}, not ${probePages.second}`);
      const shown = await s.probe<SeenEvent | null>(
        appId,
        '(p) => p.waitForEvent("page.show", 5000)',
      );
      if (!shown) throw new CaseFailure('the second page received no page.show');
      if (shown.data.page !== probePages.second)
        throw new CaseFailure(`page.show names ${String(shown.data.page)}`);
      const readyAt = await s.probe<number | null>(appId, '(p) => p.readyAt');
      const list = await events(s, appId);
      if (
        list.some(
          (e) => e.name === 'page.hide' && e.data.page === probePages.second && e.at < shown.at,
        )
      ) {
        throw new CaseFailure('page.hide arrived before page.show');
      }
      void readyAt;
      return pass();
    },
  }),
  hostCase({
    id: 'host.lifecycle.update-at-cold-start',
    description:
      'A host applies a downloaded update only at a cold start: the running instance keeps its versionCode, even after a warm start',
    requirements: ['LIF-008'],
    why: 'Swapping code under a running instance mixes two versions in one session.',
    async run(s) {
      const { appId } = await launchProbe(s);
      s.world.addRelease(appId, specOf(buildProbe({ versionCode: 2 })));
      s.world.publish();
      const refreshed = await s.command<{
        outcomes: { appId: string; kind: string; versionCode?: number }[];
      }>('refresh');
      const mine = refreshed.outcomes.find((o) => o.appId === appId);
      if (mine?.kind !== 'installed' || mine.versionCode !== 2) {
        throw new CaseFailure(`refresh did not install the update: ${JSON.stringify(mine)}`);
      }
      const running = await s.state();
      if (running.running?.versionCode !== 1)
        throw new CaseFailure(
          `after the update was downloaded the running instance reports ${running.running?.versionCode}`,
        );
      await s.command('background');
      await settle(500);
      await s.command('foreground');
      await settle(500);
      const warm = await s.probe<number>(appId, '(p) => p.versionCode');
      if (warm !== 1)
        throw new CaseFailure(`after a warm start the running document is versionCode ${warm}`);
      await s.driver.restart();
      const cold = await s.launchProbe(appId);
      if (cold.versionCode !== 2)
        throw new CaseFailure(
          `the cold start after the update launched versionCode ${cold.versionCode}`,
        );
      return pass();
    },
  }),
];
