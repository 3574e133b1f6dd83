import { CaseFailure } from '../../framework/index.ts';
import { bodyOf, expectStatus, serverCase, type ServerTest } from '../server-case.ts';
import type { TestApp } from '../subject/test-world.ts';

const dayMs = 86_400_000;

function utcDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * dayMs).toISOString().slice(0, 10);
}

/** Noon UTC of a day, or now minus a minute for today, so every event is in the past and inside 7 days. */
function timeOn(offsetDays: number, minute: number): string {
  if (offsetDays === 0)
    return new Date(Date.now() - 60_000 - minute * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `${utcDay(offsetDays)}T12:${String(minute % 60).padStart(2, '0')}:00Z`;
}

function launch(
  appId: string,
  time: string,
  durationMs: number,
  mode: 'cold' | 'warm' = 'cold',
  versionCode = 1,
) {
  return {
    type: 'app.launch',
    eventId: crypto.randomUUID(),
    time,
    appId,
    versionCode,
    hostApiVersion: '1.2.0',
    mode,
    durationMs,
  };
}

function crash(appId: string, time: string) {
  return {
    type: 'app.crash',
    eventId: crypto.randomUUID(),
    time,
    appId,
    versionCode: 1,
    hostApiVersion: '1.2.0',
    reason: 'oom',
  };
}

async function post(
  t: ServerTest,
  token: string,
  deviceId: string,
  events: unknown[],
  quiet = true,
) {
  return t.send({
    method: 'POST',
    path: '/v1/analytics/events',
    token,
    json: { deviceId, sentAt: timeOn(0, 0), events },
    quiet,
  });
}

async function releasedApp(t: ServerTest, label: string): Promise<TestApp> {
  const app = await t.world.freshApp(t.scope, label);
  await t.world.release(t.scope, await t.world.approvedVersion(t.scope, app, { versionCode: 1 }));
  return app;
}

interface Summary {
  launches: { total: number; byDay: { day: string; count: number }[] };
  retention: { cohortDay: string; cohortSize: number; d1: number | null; d7: number | null }[];
  versions: {
    versionCode: number;
    launches: number;
    crashes: number;
    crashRate: number | null;
    coldStart: { samples: number; p50: number | null; p90: number | null; p99: number | null };
  }[];
}

async function summary(t: ServerTest, app: TestApp, fromDay = -2): Promise<Summary> {
  return bodyOf<Summary>(
    await t.send({
      path: `/v1/partner/apps/${app.appId}/analytics/summary`,
      token: app.partner.token,
      query: { from: utcDay(fromDay), to: utcDay(0) },
    }),
  );
}

/** Nearest-rank percentile: the value at rank ceil(p/100 × n) of the sorted samples [ANL-022]. */
function nearestRank(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] as number;
}

/**
 * Twelve devices launch an app two days ago (cold, 100 to 1200 ms), ten of them yesterday (cold, 50 ms
 * steps), with three crashes; every batch is sent twice. The suite knows every aggregate in advance.
 * Device 0 also launches warm yesterday (launches are events, not devices [ANL-018]); device 10 comes
 * back only today (D1 is the next day, not any later one [ANL-019]); device 11 launches version 2
 * today (a version's crash rate divides by its own launches [ANL-021]). Today's two devices stay below
 * the privacy floor, so no figure of today or of version 2 is published.
 */
function aggregateWorld(t: ServerTest) {
  return t.world.once('analytics-world', async () => {
    const app = await releasedApp(t, 'anl');
    const durations: number[] = [];
    for (let i = 0; i < 12; i++) {
      const device = await t.world.device(t.scope, i === 0 ? 'main' : `anl${i}`);
      const id = device.deviceId;
      const events: unknown[] = [launch(app.appId, timeOn(-2, i), 100 * (i + 1))];
      durations.push(100 * (i + 1));
      if (i < 10) {
        events.push(launch(app.appId, timeOn(-1, i), 50 * (i + 1)));
        durations.push(50 * (i + 1));
      }
      if (i < 3) events.push(crash(app.appId, timeOn(-1, 30 + i)));
      if (i === 0) events.push(launch(app.appId, timeOn(-1, 40), 70, 'warm'));
      if (i === 10) events.push(launch(app.appId, timeOn(0, 1), 80, 'warm'));
      if (i === 11) events.push(launch(app.appId, timeOn(0, 2), 90, 'warm', 2));
      for (let repeat = 0; repeat < 2; repeat++) {
        const exchange = await post(t, device.token, id, events);
        expectStatus(exchange, 202);
      }
    }
    return { app, durations: durations.sort((a, b) => a - b) };
  });
}

export const analyticsCases = [
  serverCase({
    id: 'server.analytics.batch-partially-accepted',
    description:
      'A batch is answered 202 with the count of accepted events and the index and code of each dropped one: invalid, stale, future, or for an app without release (an approved version is not one)',
    requirements: ['API-063', 'ANL-014', 'ANL-015', 'ANL-017'],
    why: 'Dropping a whole batch for one bad event loses data; accepting stale or foreign events skews every metric.',
    async run(t) {
      const device = await t.world.device(t.scope);
      const app = await releasedApp(t, 'ing');
      const unreleased = await t.world.freshApp(t.scope, 'ing');
      // An approved version that was never released is not one a device could have installed [ANL-017].
      await t.world.approvedVersion(t.scope, unreleased, { versionCode: 1 });
      const now = timeOn(0, 0);
      const events = [
        launch(app.appId, now, 300),
        { ...launch(app.appId, now, 300), mode: 'lukewarm' },
        launch(
          app.appId,
          new Date(Date.now() - 8 * dayMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          300,
        ),
        launch(
          app.appId,
          new Date(Date.now() + 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          300,
        ),
        launch(unreleased.appId, now, 300),
        launch('com.example.certify.never', now, 300),
        { ...launch(app.appId, now, 300), extra: 'member' },
        launch(app.appId, now, 400),
      ];
      const body = bodyOf<{ accepted: number; dropped: { index: number; code: string }[] }>(
        await post(t, device.token, device.deviceId, events, false),
        202,
      );
      const expected: Record<number, string> = {
        1: 'ANALYTICS_EVENT_INVALID',
        2: 'ANALYTICS_EVENT_STALE',
        3: 'ANALYTICS_EVENT_STALE',
        4: 'ANALYTICS_EVENT_INVALID',
        5: 'ANALYTICS_EVENT_INVALID',
        6: 'ANALYTICS_EVENT_INVALID',
      };
      if (body.accepted !== 2)
        throw new CaseFailure(`accepted ${body.accepted} events, expected 2 (indexes 0 and 7)`, [
          JSON.stringify(body.dropped),
        ]);
      const got = Object.fromEntries(body.dropped.map((d) => [d.index, d.code]));
      for (const [index, code] of Object.entries(expected)) {
        if (got[index] !== code)
          throw new CaseFailure(
            `event ${index} was ${got[index] ? `dropped with ${got[index]}` : 'not dropped'}, expected ${code}`,
            [JSON.stringify(body.dropped)],
          );
      }
      if (body.dropped.length !== Object.keys(expected).length)
        throw new CaseFailure(`dropped ${JSON.stringify(body.dropped)}`);
    },
  }),
  serverCase({
    id: 'server.analytics.batch-limits',
    description:
      'A batch of 501 events or of more than 1 MiB is refused as a whole with 413 ANALYTICS_BATCH_TOO_LARGE, and 500 events are taken',
    requirements: ['API-064'],
    why: 'Without a bound one request can occupy the ingestion pipeline; with a partial acceptance the host cannot know what to resend.',
    async run(t) {
      const device = await t.world.device(t.scope);
      const app = await releasedApp(t, 'lim');
      const now = timeOn(0, 0);
      const many = Array.from({ length: 501 }, () => launch(app.appId, now, 100));
      expectStatus(
        await post(t, device.token, device.deviceId, many, false),
        413,
        'ANALYTICS_BATCH_TOO_LARGE',
      );
      const ok = bodyOf<{ accepted: number }>(
        await post(t, device.token, device.deviceId, many.slice(0, 500), false),
        202,
      );
      if (ok.accepted !== 500)
        throw new CaseFailure(`a batch of 500 valid events accepted ${ok.accepted}`);
      const big = `{"deviceId":"${device.deviceId}","sentAt":"${now}","events":[${JSON.stringify(launch(app.appId, now, 100))}]${' '.repeat(1024 * 1024)}}`;
      const exchange = await t.send({
        method: 'POST',
        path: '/v1/analytics/events',
        token: device.token,
        body: big,
        contentType: 'application/json',
      });
      expectStatus(exchange, 413, 'ANALYTICS_BATCH_TOO_LARGE');
    },
  }),
  serverCase({
    id: 'server.analytics.aggregates',
    description:
      'Launches per day (events, not devices), D1 retention (next day, first launch ever), crash rate (per version and period) and nearest-rank cold-start percentiles match the events sent, with sample counts, resent events counted once',
    requirements: ['ANL-016', 'ANL-018', 'ANL-019', 'ANL-020', 'ANL-021', 'ANL-022', 'ANL-023'],
    why: 'Partners steer releases by these numbers; a duplicate counted twice, a percentile interpolated or a retention over the wrong cohort misleads them.',
    async run(t) {
      const { app, durations } = await aggregateWorld(t);
      const s = await summary(t, app);
      const byDay = Object.fromEntries(s.launches.byDay.map((d) => [d.day, d.count]));
      if (byDay[utcDay(-2)] !== 12 || byDay[utcDay(-1)] !== 11) {
        throw new CaseFailure(
          `launches by day ${JSON.stringify(s.launches.byDay)}, expected 12 on ${utcDay(-2)} and 11 on ${utcDay(-1)} (device 0 launched twice that day)`,
        );
      }
      // The total may leave out today's launches of two devices with the days it withholds, or count them.
      if (s.launches.total !== 23 && s.launches.total !== 25)
        throw new CaseFailure(
          `launches total ${s.launches.total}, expected 23 (the published days) or 25 (every launch of the period)`,
        );
      const cohort = s.retention.find((r) => r.cohortDay === utcDay(-2));
      if (
        !cohort ||
        cohort.cohortSize !== 12 ||
        cohort.d1 === null ||
        Math.abs(cohort.d1 - 10 / 12) > 1e-9
      ) {
        throw new CaseFailure(
          `retention ${JSON.stringify(s.retention)}, expected cohort ${utcDay(-2)} of 12 with d1 ${10 / 12} (device 10 came back today, not on the next day)`,
        );
      }
      if (cohort.d7 !== null && cohort.d7 !== 0)
        throw new CaseFailure(
          `d7 is ${cohort.d7}, but no device launched 7 days after ${utcDay(-2)}`,
        );
      const v = s.versions.find((x) => x.versionCode === 1);
      if (
        !v ||
        v.launches !== 24 ||
        v.crashes !== 3 ||
        v.crashRate === null ||
        Math.abs(v.crashRate - 3 / 24) > 1e-9
      ) {
        throw new CaseFailure(
          `version 1 ${JSON.stringify(v)}, expected 24 launches, 3 crashes, crash rate ${3 / 24} (version 2's launch is not version 1's)`,
        );
      }
      const expected = {
        samples: 22,
        p50: nearestRank(durations, 50),
        p90: nearestRank(durations, 90),
        p99: nearestRank(durations, 99),
      };
      if (JSON.stringify(v.coldStart) !== JSON.stringify(expected))
        throw new CaseFailure(
          `cold start ${JSON.stringify(v.coldStart)}, expected ${JSON.stringify(expected)}`,
        );
      // From yesterday on, every device's first launch ever lies before the period [ANL-019], and
      // the crash rate is over version 1's 12 launches of the period [ANL-021].
      const recent = await summary(t, app, -1);
      const late = recent.retention.filter((r) => r.cohortDay >= utcDay(-1));
      if (late.length > 0)
        throw new CaseFailure(
          `summary from ${utcDay(-1)} lists cohorts ${JSON.stringify(late)}, but every device launched first on ${utcDay(-2)}`,
        );
      const rv = recent.versions.find((x) => x.versionCode === 1);
      if (
        !rv ||
        rv.launches !== 12 ||
        rv.crashes !== 3 ||
        rv.crashRate === null ||
        Math.abs(rv.crashRate - 3 / 12) > 1e-9
      ) {
        throw new CaseFailure(
          `summary from ${utcDay(-1)}: version 1 ${JSON.stringify(rv)}, expected 12 launches, 3 crashes, crash rate ${3 / 12}`,
        );
      }
    },
  }),
  serverCase({
    id: 'server.analytics.minimum-devices',
    description:
      'No aggregate computed from fewer than 10 distinct devices is published: nine devices give no day, cohort or version figures',
    requirements: ['ANL-011'],
    why: 'An aggregate of a handful of devices identifies people; the threshold is the privacy floor.',
    async run(t) {
      t.world.skipUnlessComplete();
      const app = await releasedApp(t, 'few');
      for (let i = 0; i < 9; i++) {
        const device = await t.world.device(t.scope, `few${i}`);
        const id = device.deviceId;
        expectStatus(
          await post(t, device.token, id, [
            launch(app.appId, timeOn(-2, i), 100),
            launch(app.appId, timeOn(-1, i), 100),
            launch(app.appId, timeOn(-1, i + 1), 100),
          ]),
          202,
        );
      }
      const s = await summary(t, app);
      const published = [
        ...s.launches.byDay.filter((d) => d.count > 0).map((d) => `launches on ${d.day}`),
        ...s.retention.map((r) => `retention of ${r.cohortDay}`),
        ...s.versions
          .filter((v) => v.launches > 0 || v.coldStart.samples > 0)
          .map((v) => `version ${v.versionCode}`),
        ...(s.launches.total > 0 ? ['launch total'] : []),
      ];
      if (published.length > 0)
        throw new CaseFailure(`nine devices gave published aggregates: ${published.join(', ')}`);
    },
  }),
];
