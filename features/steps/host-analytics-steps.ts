import { Given, Then, When, type World } from '@cucumber/cucumber';
import { bridgeMethodRegistry } from '#schemas';
import {
  allEvents,
  flushAnalytics,
  settle,
  type AnalyticsEvent,
  type Batch,
} from '../../conformance/analytics/analytics-batches.ts';
import { launchProbe } from '../../conformance/bridge/host-bridge-support.ts';
import { CaseFailure } from '../../conformance/framework/index.ts';
import { probePages } from '../../conformance/host/probe/probe-package.ts';
import { hostOf, type HostScenario } from '../support/host-world.ts';

/**
 * Analytics (spec/analytics.md) as the host suite's ingestion route receives them: the adapter's
 * `events` command makes the host send what it queued, `settings` is the user's choice.
 */

/** Fires the host's batch timer and returns every batch received so far, logged on the step. */
async function flush(h: HostScenario): Promise<Batch[]> {
  const batches = await flushAnalytics(h.session);
  h.log(
    `ingestion route: ${batches.length} batch(es), ${batches.reduce((n, b) => n + b.events.length, 0)} event(s): ${[
      ...new Set(batches.flatMap((b) => b.events.map((e) => e.type))),
    ].join(', ')}`,
  );
  return batches;
}

/** Launches the probe and makes it record events: a cold start, a return from the background, a bridge error. */
async function useProbe(h: HostScenario, launches = 1): Promise<string> {
  const { appId, pkg } = await launchProbe(h.session);
  h.apps.set('the probe', pkg);
  for (let i = 1; i < launches; i++) {
    await h.session.command('background');
    await h.session.launchProbe(appId);
  }
  // storage.get without its key is answered INVALID_PARAMS: a bridge.error event.
  await h.session.call(appId, 'storage.get', {});
  return appId;
}

Given('a host whose user opted out of analytics', async function (this: World) {
  const h = hostOf(this);
  const answer = await h.session.command<{ analytics: boolean }>('settings', { analytics: false });
  if (answer.analytics !== false) throw new CaseFailure('settings still reports analytics allowed');
  h.noted.set('opted out at', Date.now());
});

When(
  'the probe mini-app is launched three times and makes a failing bridge call',
  { timeout: 120_000 },
  async function (this: World) {
    await useProbe(hostOf(this), 3);
  },
);

Then('no batch reaches the ingestion route', async function (this: World) {
  const h = hostOf(this);
  const batches = await flush(h);
  if (batches.length > 0)
    throw new CaseFailure(
      `${batches.length} batch(es) reached the ingestion route while opted out`,
    );
  h.noted.set('opted out until', Date.now());
});

Then(
  'none of the events recorded meanwhile is sent after the user opts in again',
  { timeout: 60_000 },
  async function (this: World) {
    const h = hostOf(this);
    const from = h.noted.get('opted out at') as number;
    const until = (h.noted.get('opted out until') as number | undefined) ?? Date.now();
    // Event times have seconds precision: opting in only in the next second keeps events recorded
    // after it from falling inside the opted-out window.
    await settle(1_000 - (until % 1_000) + 50);
    await h.session.command('settings', { analytics: true });
    await h.session.command('background');
    await h.session.command('foreground');
    const events = allEvents(await flush(h));
    const leaked = events.filter((e) => {
      const t = Date.parse(e.time);
      return t >= from - (from % 1_000) && t <= until;
    });
    if (leaked.length > 0)
      throw new CaseFailure(
        `${leaked.length} event(s) recorded while opted out were sent after opting in`,
      );
    h.log(`${events.length} event(s) sent after opting in, none from the opted-out window`);
  },
);

Given(
  'a host that sent events under one device id',
  { timeout: 120_000 },
  async function (this: World) {
    const h = hostOf(this);
    await useProbe(h);
    const ids = new Set((await flush(h)).map((b) => b.deviceId));
    if (ids.size !== 1 || !ids.has(h.session.deviceId))
      throw new CaseFailure(
        `batches carried the device ids ${[...ids].join(', ') || 'none'}; init set ${h.session.deviceId}`,
      );
  },
);

When('the user resets the device id', async function (this: World) {
  const h = hostOf(this);
  await h.session.command('background');
  h.noted.set('reset at', Date.now());
  h.noted.set('requests before the reset', h.server.requests.length);
  const reset = await h.session.command<{ deviceId: string }>('settings', { resetDeviceId: true });
  if (reset.deviceId === h.session.deviceId)
    throw new CaseFailure('settings resetDeviceId kept the same device id');
  h.noted.set('new device id', reset.deviceId);
  h.server.analytics.length = 0;
});

Then(
  'every later batch and update check carries only the new id',
  { timeout: 120_000 },
  async function (this: World) {
    const h = hostOf(this);
    const fresh = h.noted.get('new device id') as string;
    await h.session.command('foreground');
    // An update session at a cold start makes the host check for updates under its device id.
    await h.session.command('refresh');
    const batches = await flush(h);
    if (batches.length === 0)
      throw new CaseFailure('no batch was sent after the reset, so none could be checked');
    h.noted.set('batches after the reset', batches);
    for (const b of batches)
      if (b.deviceId !== fresh)
        throw new CaseFailure(`after the reset a batch carries the device id ${b.deviceId}`);
    const since = h.noted.get('requests before the reset') as number;
    const checks = h.server.requests
      .slice(since)
      .filter((r) => r.path.startsWith('/v1/updates/check'));
    for (const r of checks) {
      const deviceId = (JSON.parse(r.body.toString('utf8')) as { deviceId?: string }).deviceId;
      if (deviceId !== fresh)
        throw new CaseFailure(`after the reset an update check carries the device id ${deviceId}`);
    }
    h.log(
      `${batches.length} batch(es) and ${checks.length} update check(s) after the reset, all under ${fresh}`,
    );
  },
);

Then(
  'no batch holds events recorded before the reset beside events recorded after it',
  function (this: World) {
    const h = hostOf(this);
    const resetAt = h.noted.get('reset at') as number;
    for (const b of h.noted.get('batches after the reset') as Batch[]) {
      const before = b.events.filter((e) => Date.parse(e.time) < resetAt - 1_000);
      if (before.length > 0 && before.length < b.events.length)
        throw new CaseFailure('a batch holds events from before and after the device id reset');
    }
  },
);

When(
  'the probe mini-app is launched and throws an error whose message holds an e-mail address',
  { timeout: 120_000 },
  async function (this: World) {
    const h = hostOf(this);
    const appId = await useProbe(h);
    const secret = `SECRET-${Date.now()}-someone@example.com`;
    await h.session.probe(appId, '(p, secret) => p.throwUncaught(secret)', secret);
    h.noted.set('secret', secret);
    h.noted.set('events', allEvents(await flush(h)));
  },
);

Then(
  "the host's events carry type, eventId, time, appId, versionCode and hostApiVersion",
  function (this: World) {
    const h = hostOf(this);
    const appId = h.app('the probe').appId;
    const events = (h.noted.get('events') as AnalyticsEvent[]).filter((e) => e.appId === appId);
    if (events.length === 0)
      throw new CaseFailure('no event of the probe reached the ingestion route');
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const utc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
    for (const e of events) {
      const where = `event ${e.type} ${e.eventId}`;
      if (typeof e.type !== 'string' || !uuid.test(String(e.eventId)) || !utc.test(String(e.time)))
        throw new CaseFailure(`${where} lacks a type, a UUID eventId or a UTC RFC 3339 time`);
      if (e.versionCode !== 1 || e.hostApiVersion !== h.session.hostApiVersion)
        throw new CaseFailure(
          `${where} names versionCode ${e.versionCode} and host API ${e.hostApiVersion}`,
        );
    }
    const types = new Set(events.map((e) => e.type));
    if (!types.has('app.launch') || !types.has('bridge.error'))
      throw new CaseFailure(
        `the launch and the failed call were not both reported: ${[...types].join(', ')}`,
      );
  },
);

// [ANL-005] the only string members an event may carry, and what each may hold.
const methods = new Set(bridgeMethodRegistry().methods.map((m) => m.name));
const pages = new Set<string>(Object.values(probePages));
const allowed: Record<string, (value: string, e: AnalyticsEvent) => boolean> = {
  type: () => true,
  mode: () => true,
  reason: () => true,
  code: () => true,
  eventId: () => true,
  appId: () => true,
  time: () => true,
  hostApiVersion: () => true,
  page: (v) => pages.has(v),
  method: (v) => methods.has(v),
  errorType: (v, e) => e.type === 'app.error' && /^[A-Za-z_$][\w$]*$/.test(v),
};

Then('no string value of them is personal data or message text', function (this: World) {
  const h = hostOf(this);
  const events = h.noted.get('events') as AnalyticsEvent[];
  const secret = h.noted.get('secret') as string;
  const text = JSON.stringify(events);
  if (text.includes(secret) || text.includes('someone@example.com'))
    throw new CaseFailure('an event carries the message of the thrown error');
  if (text.includes(h.server.credentials.user) || text.includes(h.server.userId))
    throw new CaseFailure('an event carries the user');
  for (const e of events) {
    for (const [member, value] of Object.entries(e)) {
      if (typeof value !== 'string') continue;
      const check = allowed[member];
      if (!check || !check(value, e))
        throw new CaseFailure(
          `event ${e.type} carries the string ${member}=${JSON.stringify(value).slice(0, 80)}`,
        );
    }
  }
  const errors = events.filter((e) => e.type === 'app.error');
  if (errors.length === 0)
    throw new CaseFailure('the uncaught error was not reported as an app.error event');
  h.log(`app.error errorType: ${errors.map((e) => String(e['errorType'])).join(', ')}`);
});
