import { CaseFailure, pass } from '../framework/index.ts';
import { launchProbe } from '../bridge/host-bridge-support.ts';
import { hostCase } from '../host/host-case.ts';
import { probePages } from '../host/probe/probe-package.ts';
import { allEvents, flushAnalytics as flush, settle } from './analytics-batches.ts';

/**
 * Analytics as the suite's ingestion route receives them (spec/analytics.md): the `events` command
 * makes the host send what it queued, and the cases read the batches.
 */

export const hostAnalyticsCases = [
  hostCase({
    id: 'host.analytics.event-members',
    description:
      'Every event a host sends carries exactly the common members and its data, with a UUID, a UTC time, the app, versionCode and host API version',
    requirements: ['ANL-001', 'ANL-003', 'ANL-004', 'LIF-007', 'CNF-027'],
    why: 'Server metrics are computed from these members; an event with others or fewer is dropped or, worse, miscounted.',
    async run(s) {
      const { appId } = await launchProbe(s, {}, `${probePages.entry}?private=query#frag`);
      await s.command('background');
      await settle(500);
      await s.command('foreground');
      await s.call(appId, 'storage.get', {});
      const batches = await flush(s);
      const events = allEvents(batches).filter((e) => e.appId === appId);
      if (events.length === 0)
        throw new CaseFailure('no event of the probe reached the ingestion route after `events`');
      for (const batch of s.server.analytics) {
        if (batch.authorization !== `Bearer ${s.server.credentials.device}`) {
          throw new CaseFailure('a batch was not sent with the host device credential of init');
        }
      }
      for (const e of events) {
        if (e.versionCode !== 1 || e.hostApiVersion !== s.hostApiVersion) {
          throw new CaseFailure(
            `event ${e.type} names versionCode ${e.versionCode} and host API ${e.hostApiVersion}`,
          );
        }
        if (
          typeof e['page'] === 'string' &&
          e['page'] !== probePages.entry &&
          e['page'] !== probePages.second
        ) {
          throw new CaseFailure(
            `event ${e.type} names page ${String(e['page'])}, not a declared page without query`,
          );
        }
      }
      const launches = events.filter((e) => e.type === 'app.launch').map((e) => e['mode']);
      if (!launches.includes('cold') || !launches.includes('warm')) {
        throw new CaseFailure(
          `app.launch modes were ${launches.join(', ') || 'none'}; a launch and a return to the foreground are one cold and one warm start`,
        );
      }
      const errors = events.filter((e) => e.type === 'bridge.error');
      if (!errors.some((e) => e['method'] === 'storage.get' && e['code'] === 'INVALID_PARAMS')) {
        throw new CaseFailure(
          'the call answered INVALID_PARAMS was not reported as a bridge.error event with its method and code',
        );
      }
      return pass(`${events.length} events: ${[...new Set(events.map((e) => e.type))].join(', ')}`);
    },
  }),
  hostCase({
    id: 'host.analytics.launch-duration',
    description:
      'The durationMs of a cold app.launch event is the time from the launch request to the entry page ready',
    requirements: ['ANL-002'],
    why: 'Start-up metrics compare hosts and versions; a host that measures another interval reports numbers nobody can compare.',
    async run(s) {
      const pkg = await s.publishProbe();
      await s.install(pkg.appId);
      const launched = await s.launchProbe(pkg.appId);
      const sentAt = s.lastCall?.sentAt ?? 0;
      const readyAt = await s.probe<number>(pkg.appId, '(p) => p.readyAt');
      const measured = readyAt - sentAt;
      const cold = allEvents(await flush(s)).find(
        (e) => e.type === 'app.launch' && e['mode'] === 'cold',
      );
      if (!cold) throw new CaseFailure('no cold app.launch event was sent');
      const duration = Number(cold['durationMs']);
      const tolerance = Math.max(300, measured * 0.5);
      if (!(duration >= 0) || Math.abs(duration - measured) > tolerance) {
        throw new CaseFailure(
          `the cold app.launch says ${duration} ms; the suite measured ${measured} ms from the request to ready`,
        );
      }
      void launched;
      return pass(`event ${duration} ms, measured ${measured} ms`);
    },
  }),
  hostCase({
    id: 'host.analytics.no-personal-data',
    description:
      "An app.error event carries the thrown value's constructor name, never its message, and no event carries user data",
    requirements: ['ANL-005'],
    why: 'Error messages and page URLs hold whatever the user typed; events are about apps, not people.',
    async run(s) {
      const { appId } = await launchProbe(s);
      const secret = `SECRET-${Date.now()}-user@example.com`;
      await s.probe(
        appId,
        // Thrown by the probe's own script: an error of a WebDriver-injected script reaches the
        // page as a sanitized "Script error." without its error object (seen in Chromium).
        `(p, secret) => p.throwUncaught(secret)`,
        secret,
      );
      const events = allEvents(await flush(s));
      const text = JSON.stringify(events);
      if (text.includes(secret) || text.includes('user@example.com'))
        throw new CaseFailure('an event carries the message of a thrown error');
      if (text.includes(s.server.credentials.user) || text.includes(s.server.userId))
        throw new CaseFailure('an event carries the user');
      const errors = events.filter((e) => e.type === 'app.error');
      if (!errors.some((e) => e['errorType'] === 'RangeError' || e['errorType'] === 'TypeError')) {
        throw new CaseFailure(
          `the uncaught RangeError was not reported as app.error with its constructor name (${errors.map((e) => String(e['errorType'])).join(', ') || 'no app.error'})`,
        );
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.analytics.device-id',
    description:
      'A host sends batches under the device id it uses for update checks, chooses a new random one when reset, and never mixes ids after a reset of it',
    requirements: ['ANL-006', 'ANL-007'],
    why: 'The device id is a pseudonym; a reset that keeps linking old and new events is no reset.',
    session: false,
    async run(s) {
      await s.start({ omitDeviceId: true });
      const first = (await s.state()).deviceId;
      await s.start();
      const pkg = await s.publishProbe();
      await s.launchProbe(pkg.appId);
      const ids = new Set((await flush(s)).map((b) => b.deviceId));
      if (ids.size !== 1 || !ids.has(s.deviceId))
        throw new CaseFailure(
          `batches carried device ids ${[...ids].join(', ')}; init set ${s.deviceId}`,
        );
      const checks = s.server
        .requestsTo('/v1/updates/check')
        .map((r) =>
          String((JSON.parse(r.body.toString('utf8')) as { deviceId?: string }).deviceId),
        );
      if (checks.some((d) => d !== s.deviceId))
        throw new CaseFailure('an update check carried another device id than the batches');
      await s.command('background');
      const resetAt = Date.now();
      const reset = await s.command<{ deviceId: string }>('settings', { resetDeviceId: true });
      if (reset.deviceId === s.deviceId)
        throw new CaseFailure('settings resetDeviceId kept the same device id');
      await s.command('foreground');
      s.server.analytics.length = 0;
      const batches = await flush(s);
      for (const b of batches) {
        if (b.deviceId !== reset.deviceId)
          throw new CaseFailure(`after the reset a batch carries the device id ${b.deviceId}`);
        const before = b.events.filter((e) => Date.parse(e.time) < resetAt - 500);
        if (before.length > 0 && before.length < b.events.length)
          throw new CaseFailure('a batch holds events from before and after the device id reset');
      }
      await s.start({ omitDeviceId: true });
      const fresh = (await s.state()).deviceId;
      if (first && fresh && first === fresh)
        throw new CaseFailure(
          'two sessions without a deviceId got the same device id: it is not random',
        );
      return pass();
    },
  }),
  hostCase({
    id: 'host.analytics.opt-out',
    description:
      'A host sends no analytics while the user has opted out, and never sends the events recorded meanwhile',
    requirements: ['ANL-008'],
    why: 'Opting out means nothing leaves the device, not that it is sent later.',
    async run(s) {
      await s.command('settings', { analytics: false });
      const optOutFrom = Date.now();
      const { appId } = await launchProbe(s);
      await s.call(appId, 'storage.get', {});
      await s.command('events');
      await settle(1_000);
      if (s.server.analytics.length > 0)
        throw new CaseFailure(
          `${s.server.analytics.length} batch(es) reached the ingestion route while opted out`,
        );
      const optOutUntil = Date.now();
      // Event times have seconds precision: opting in only in the next second keeps an event
      // recorded after it from falling inside the opted-out window.
      await settle(1_000 - (optOutUntil % 1_000) + 50);
      await s.command('settings', { analytics: true });
      await s.command('background');
      await s.command('foreground');
      const events = allEvents(await flush(s));
      const leaked = events.filter((e) => {
        const t = Date.parse(e.time);
        return t >= optOutFrom - (optOutFrom % 1_000) && t <= optOutUntil;
      });
      if (leaked.length > 0)
        throw new CaseFailure(
          `${leaked.length} event(s) recorded while opted out were sent after opting in`,
        );
      return pass();
    },
  }),
  hostCase({
    id: 'host.analytics.queue-bounds',
    description:
      'A host keeps at most 1000 unsent events across a restart, dropping the oldest, and drops events older than 7 days',
    requirements: ['ANL-013', 'CNF-028', 'CNF-029'],
    why: 'The queue survives restarts but is bounded, so an offline device neither loses recent events nor grows without limit.',
    timeoutMs: 240_000,
    async run(s) {
      const { appId } = await launchProbe(s);
      await s.probe(
        appId,
        `(p) => { for (let i = 0; i < 1100; i++) p.start('storage.get', {}); return new Promise((r) => setTimeout(r, 4000)); }`,
      );
      await s.driver.restart();
      const events = allEvents(await flush(s)).filter((e) => e.appId === appId);
      if (events.length > 1000)
        throw new CaseFailure(
          `the host sent ${events.length} queued events; at most 1000 are kept`,
        );
      const bridgeErrors = events.filter((e) => e.type === 'bridge.error');
      if (bridgeErrors.length < 900)
        throw new CaseFailure(
          `only ${bridgeErrors.length} of 1100 queued bridge.error events survived the restart`,
        );
      // Events older than 7 days are not sent.
      s.server.analytics.length = 0;
      const again = await launchProbe(s, { appId: 'dev.openminiapp.conformance.neighbour' });
      await s.call(again.appId, 'storage.get', {});
      const future = new Date(Date.now() + 8 * 24 * 60 * 60 * 1000)
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z');
      await s.command('setClock', { time: future });
      await s.driver.restart();
      const late = allEvents(await flush(s)).filter(
        (e) =>
          e.appId === again.appId &&
          Date.parse(e.time) < Date.parse(future) - 7 * 24 * 60 * 60 * 1000,
      );
      if (late.length > 0)
        throw new CaseFailure(
          `${late.length} event(s) older than 7 days at the host's clock were sent`,
        );
      return pass();
    },
  }),
];
