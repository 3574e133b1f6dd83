import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { analyticsSummary } from '../../src/analytics/analytics-summary.ts';
import { checkBatchSize, ingestEvents } from '../../src/analytics/event-ingestion.ts';
import { createPartner } from '../../src/accounts/credential-issuer.ts';
import { assertContract, bearer } from '../contract-assertions.ts';
import { startTestServer, type TestServer } from '../test-server.ts';
import { approvedVersion, completedRelease } from './app-fixture.ts';

const day = 86_400_000;

function launch(appId: string, time: Date, durationMs = 500, mode = 'cold', versionCode = 1) {
  return {
    type: 'app.launch',
    eventId: randomUUID(),
    time: time.toISOString().replace(/\.\d+Z$/, 'Z'),
    appId,
    versionCode,
    hostApiVersion: '1.1.0',
    mode,
    durationMs,
  };
}

/** Nearest-rank percentile: the value at rank ceil(p * n) of the sorted samples [ANL-022]. */
function nearestRank(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] ?? NaN;
}

describe('analytics ingestion and summaries', () => {
  let server: TestServer;
  let owner: { partnerId: string; token: string };
  before(async () => {
    server = await startTestServer();
    owner = await server.partner();
    const db = server.services.db;
    await db.query("insert into apps (app_id, partner_id) values ('com.stats.app', $1)", [
      owner.partnerId,
    ]);
    await approvedVersion(db, 'com.stats.app', 1, []);
    await completedRelease(db, 'com.stats.app', 1);
    const other = await createPartner(db, 'Unreleased');
    await db.query("insert into apps (app_id, partner_id) values ('com.stats.unreleased', $1)", [
      other,
    ]);
  });
  after(() => server.close());

  const ingest = async (token: string, payload: object) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/analytics/events',
      headers: bearer(token),
      payload,
    });
    assertContract('ingestAnalyticsEvents', response);
    return response;
  };

  it('keeps valid events and drops invalid, stale and unreleased ones by index [API-063] [ANL-014] [ANL-015] [ANL-017]', async () => {
    const device = await server.hostDevice();
    const now = Date.now();
    const events = [
      launch('com.stats.app', new Date(now - 60_000)),
      { ...launch('com.stats.app', new Date(now)), message: 'user typed this' },
      launch('com.stats.app', new Date(now - 8 * day)),
      launch('com.stats.app', new Date(now + 10 * 60_000)),
      launch('com.stats.unreleased', new Date(now)),
      launch('com.stats.app', new Date(now - 1000), 300, 'warm'),
    ];
    const response = await ingest(device.token, {
      deviceId: device.deviceId,
      sentAt: new Date(now).toISOString(),
      events,
    });
    assert.equal(response.statusCode, 202);
    assert.deepEqual(response.json(), {
      accepted: 2,
      dropped: [
        { index: 1, code: 'ANALYTICS_EVENT_INVALID' },
        { index: 2, code: 'ANALYTICS_EVENT_STALE' },
        { index: 3, code: 'ANALYTICS_EVENT_STALE' },
        { index: 4, code: 'ANALYTICS_EVENT_INVALID' },
      ],
    });
  });

  it('counts a resent eventId once [ANL-016] and stores no address or user agent [ANL-009]', async () => {
    const device = await server.hostDevice();
    const event = launch('com.stats.app', new Date(Date.now() - 5000));
    const batch = { deviceId: device.deviceId, sentAt: new Date().toISOString(), events: [event] };
    await ingest(device.token, batch);
    await ingest(device.token, batch);
    const { rows } = await server.services.db.query<Record<string, unknown>>(
      'select * from analytics_events where event_id = $1',
      [event.eventId],
    );
    assert.equal(rows.length, 1);
    assert.ok(
      !JSON.stringify(rows).includes('127.0.0.1'),
      'no stored row holds the client IP address',
    );
    assert.ok(
      !JSON.stringify(rows).includes('lightMyRequest'),
      'no stored row holds the user agent',
    );
  });

  it("takes a deviceId other than the credential's, as update checks and recommendations do [API-173]", async () => {
    const device = await server.hostDevice();
    const other = 'someone-else-0123456789';
    const response = await ingest(device.token, {
      deviceId: other,
      sentAt: new Date().toISOString(),
      events: [launch('com.stats.app', new Date())],
    });
    assert.equal(response.statusCode, 202);
    const headers = { authorization: `Bearer ${device.token}` };
    const single = await server.app.inject({
      method: 'GET',
      url: `/v1/apps/com.stats.app/update?hostApiVersion=1.0.0&channel=stable&deviceId=${other}&versionCode=0`,
      headers,
    });
    assert.equal(single.statusCode, 200);
    const batch = await server.app.inject({
      method: 'POST',
      url: '/v1/updates/check',
      headers,
      payload: {
        hostApiVersion: '1.0.0',
        channel: 'stable',
        deviceId: other,
        apps: [{ appId: 'com.stats.app', versionCode: 0 }],
      },
    });
    assert.equal(batch.statusCode, 200);
    const recommended = await server.app.inject({
      method: 'GET',
      url: `/v1/catalog/recommendations?deviceId=${other}`,
      headers,
    });
    assert.equal(recommended.statusCode, 200);
  });

  it('refuses batches over 500 events or 1 MiB with ANALYTICS_BATCH_TOO_LARGE [API-064]', () => {
    assert.doesNotThrow(() => checkBatchSize(500, 1024 * 1024));
    assert.throws(() => checkBatchSize(501, 1000), { code: 'ANALYTICS_BATCH_TOO_LARGE' });
    assert.throws(() => checkBatchSize(1, 1024 * 1024 + 1), { code: 'ANALYTICS_BATCH_TOO_LARGE' });
  });

  it('answers 413 ANALYTICS_BATCH_TOO_LARGE over HTTP for 501 events and for a body over 1 MiB [API-064]', async () => {
    const device = await server.hostDevice();
    const events = Array.from({ length: 501 }, () => launch('com.stats.app', new Date()));
    const tooMany = await ingest(device.token, {
      deviceId: device.deviceId,
      sentAt: new Date().toISOString(),
      events,
    });
    assert.equal(tooMany.statusCode, 413);
    assert.equal(tooMany.json().code, 'ANALYTICS_BATCH_TOO_LARGE');
    assertContract('ingestAnalyticsEvents', tooMany);
    const padding = 'x'.repeat(1024 * 1024);
    const tooBig = await ingest(device.token, {
      deviceId: device.deviceId,
      sentAt: new Date().toISOString(),
      events: [{ ...launch('com.stats.app', new Date()), padding }],
    });
    assert.equal(tooBig.statusCode, 413);
    assert.equal(tooBig.json().code, 'ANALYTICS_BATCH_TOO_LARGE');
    const empty = await ingest(device.token, {
      deviceId: device.deviceId,
      sentAt: new Date().toISOString(),
      events: [],
    });
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().code, 'API_VALIDATION_FAILED');
  });

  it('computes launches, D1/D7 retention and crash rate as spec/analytics.md defines them [ANL-018] to [ANL-021] [ANL-023]', async () => {
    const db = server.services.db;
    const appId = 'com.stats.app';
    const start = new Date('2026-03-01T00:00:00Z');
    const now = new Date('2026-03-09T12:00:00Z');
    const batches: { deviceId: string; events: object[] }[] = [];
    for (let i = 0; i < 12; i++) {
      const events: object[] = [launch(appId, new Date(start.getTime() + 3600_000), 100 * (i + 1))];
      if (i < 6) events.push(launch(appId, new Date(start.getTime() + day + 7200_000), 50, 'warm'));
      if (i < 3)
        events.push(launch(appId, new Date(start.getTime() + 7 * day + 7200_000), 50, 'warm'));
      if (i < 2)
        events.push({
          ...launch(appId, new Date(start.getTime() + 3600_000)),
          type: 'app.crash',
          reason: 'oom',
          mode: undefined,
          durationMs: undefined,
        });
      batches.push({
        deviceId: `retention-device-${String(i).padStart(4, '0')}`,
        events: JSON.parse(JSON.stringify(events)),
      });
    }
    // Each event arrives a minute after it happened, as a host online at the time would send it.
    for (const batch of batches) {
      for (const event of batch.events as { time: string }[]) {
        const arrival = new Date(Date.parse(event.time) + 60_000);
        const result = await ingestEvents(
          db,
          { deviceId: batch.deviceId, sentAt: arrival.toISOString(), events: [event] },
          arrival,
        );
        assert.deepEqual(result.dropped, []);
      }
    }
    const summary = await analyticsSummary(db, appId, '2026-03-01', '2026-03-08', now);
    assert.deepEqual(summary.launches.byDay, [{ day: '2026-03-01', count: 12 }]);
    assert.equal(summary.launches.total, 12);
    assert.deepEqual(summary.retention, [
      { cohortDay: '2026-03-01', cohortSize: 12, d1: 0.5, d7: 0.25 },
    ]);
    const [version] = summary.versions;
    assert.equal(version?.launches, 21);
    assert.equal(version?.crashes, 2);
    assert.equal(version?.crashRate, 2 / 21);
    assert.equal(version?.coldStart.samples, 12);
    assert.equal(version?.coldStart.p50, 600);
    const early = await analyticsSummary(
      db,
      appId,
      '2026-03-01',
      '2026-03-01',
      new Date('2026-03-03T00:00:00Z'),
    );
    assert.equal(early.retention[0]?.d1, 0.5);
    assert.equal(early.retention[0]?.d7, null);
  });

  it('withholds aggregates seen by fewer than ten devices [ANL-011]', async () => {
    const db = server.services.db;
    const appId = 'com.stats.app';
    const when = new Date('2026-02-10T10:00:00Z');
    for (let i = 0; i < 9; i++) {
      await ingestEvents(
        db,
        {
          deviceId: `sparse-device-${String(i).padStart(6, '0')}`,
          sentAt: when.toISOString(),
          events: [launch(appId, when, 100, 'cold', 7)],
        },
        when,
      );
    }
    const summary = await analyticsSummary(
      db,
      appId,
      '2026-02-10',
      '2026-02-10',
      new Date('2026-03-01T00:00:00Z'),
    );
    assert.deepEqual(summary.launches, { total: 0, byDay: [] });
    assert.deepEqual(summary.retention, []);
    assert.deepEqual(summary.versions, []);
  });

  it('computes cold-start p50/p90/p99 as nearest-rank percentiles [ANL-022]', async () => {
    const db = server.services.db;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 600000 }), { minLength: 10, maxLength: 60 }),
        async (durations) => {
          const appId = `com.prop.run${++run}`;
          const rows = durations.map((durationMs, i) => ({
            event_id: randomUUID(),
            device_id: `prop-device-${run}-${i}-000000`,
            duration_ms: durationMs,
          }));
          await db.query(
            `insert into analytics_events (event_id, app_id, version_code, device_id, type, occurred_at, duration_ms, data)
             select e.event_id, $2, 3, e.device_id, 'app.launch', '2026-01-05T10:00:00Z', e.duration_ms, '{"mode":"cold"}'::jsonb
               from jsonb_to_recordset($1::jsonb) as e(event_id uuid, device_id text, duration_ms integer)`,
            [JSON.stringify(rows), appId],
          );
          const summary = await analyticsSummary(
            db,
            appId,
            '2026-01-05',
            '2026-01-05',
            new Date('2026-02-01T00:00:00Z'),
          );
          const cold = summary.versions[0]?.coldStart;
          assert.deepEqual(cold, {
            samples: durations.length,
            p50: nearestRank(durations, 0.5),
            p90: nearestRank(durations, 0.9),
            p99: nearestRank(durations, 0.99),
          });
        },
      ),
      { numRuns: 25 },
    );
  });

  it("serves the summary to the owner only: 404 for another partner's app, 400 for a bad period [API-003]", async () => {
    const url = '/v1/partner/apps/com.stats.app/analytics/summary?from=2026-03-01&to=2026-03-08';
    const own = await server.app.inject({ method: 'GET', url, headers: bearer(owner.token) });
    assertContract('getAnalyticsSummary', own);
    assert.equal(own.statusCode, 200);
    assert.equal(own.headers.vary, 'Authorization');
    const rival = await server.partner();
    const hidden = await server.app.inject({ method: 'GET', url, headers: bearer(rival.token) });
    assertContract('getAnalyticsSummary', hidden);
    assert.equal(hidden.statusCode, 404);
    assert.equal(hidden.json().code, 'API_NOT_FOUND');
    for (const period of ['from=2026-03-08&to=2026-03-01', 'from=2026-01-01&to=2026-06-01']) {
      const bad = await server.app.inject({
        method: 'GET',
        url: `/v1/partner/apps/com.stats.app/analytics/summary?${period}`,
        headers: bearer(owner.token),
      });
      assertContract('getAnalyticsSummary', bad);
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().code, 'API_VALIDATION_FAILED');
    }
  });
});
