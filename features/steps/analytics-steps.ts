import { randomUUID } from 'node:crypto';
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { CaseFailure } from '../../conformance/framework/index.ts';
import { bodyOf, expectStatus } from '../../conformance/server/server-case.ts';
import type { PlatformWorld } from '../support/platform-world.ts';

/** Steps of analytics ingestion and the aggregates partners read. */

const dayMs = 86_400_000;
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function launch(appId: string, time: string) {
  return {
    type: 'app.launch',
    eventId: randomUUID(),
    time,
    appId,
    versionCode: 1,
    hostApiVersion: '1.4.0',
    mode: 'cold',
    durationMs: 300,
  };
}

/** "1 minute ago", "8 days ago", "in 10 minutes". */
function timeOf(when: string): string {
  const m = /^(?:(in) )?(\d+) (minute|day)s?(?: (ago))?$/.exec(when.trim());
  if (!m || Boolean(m[1]) === Boolean(m[4])) throw new Error(`cannot read the time "${when}"`);
  const ms = Number(m[2]) * (m[3] === 'day' ? dayMs : 60_000);
  return rfc3339(Date.now() + (m[1] ? ms : -ms));
}

async function post(
  w: PlatformWorld,
  device: { token: string; deviceId: string },
  events: unknown[],
) {
  return w.send({
    method: 'POST',
    path: '/v1/analytics/events',
    token: device.token,
    json: { deviceId: device.deviceId, sentAt: rfc3339(Date.now() - 1000), events },
    quiet: true,
  });
}

When(
  'a device sends a batch of these launch events:',
  async function (this: PlatformWorld, table: DataTable) {
    const device = await this.world.device(this.scope);
    const released = this.requireHistory().app.appId;
    const unreleased = (await this.world.freshApp(this.scope, 'norel')).appId;
    const events = table.hashes().map((row) => {
      const appId = row.app === 'released' ? released : row.app === 'unreleased' ? unreleased : '';
      if (!appId) throw new Error(`app "${row.app}": released or unreleased`);
      return launch(appId, timeOf(row.time ?? ''));
    });
    this.last = await post(this, device, events);
  },
);

Then(
  'the server accepts {int} event(s) and drops these:',
  function (this: PlatformWorld, accepted: number, table: DataTable) {
    const body = bodyOf<{ accepted: number; dropped: { index: number; code: string }[] }>(
      this.last as never,
      202,
    );
    const want = table
      .hashes()
      .map((r) => `${r.event}:${r.code}`)
      .sort()
      .join(', ');
    const got = body.dropped
      .map((d) => `${d.index}:${d.code}`)
      .sort()
      .join(', ');
    if (body.accepted !== accepted || want !== got)
      throw new CaseFailure(
        `accepted ${body.accepted} and dropped [${got}]; expected ${accepted} and [${want}]`,
      );
  },
);

When(
  'a device sends a batch of {int} launch events',
  async function (this: PlatformWorld, n: number) {
    const device = await this.world.device(this.scope);
    const appId = this.requireHistory().app.appId;
    const time = rfc3339(Date.now() - 60_000);
    this.last = await post(
      this,
      device,
      Array.from({ length: n }, () => launch(appId, time)),
    );
  },
);

Given(
  '{int} devices each launched the app once yesterday, every batch sent twice',
  async function (this: PlatformWorld, n: number) {
    const appId = this.requireHistory().app.appId;
    const yesterday = new Date(Date.now() - dayMs).toISOString().slice(0, 10);
    this.noted.set('yesterday', yesterday);
    for (let i = 0; i < n; i++) {
      const device = await this.world.device(this.scope, `${this.world.label('anl')}`);
      const events = [launch(appId, `${yesterday}T12:00:00Z`)];
      // The same eventIds twice: a host resending a batch it is unsure was received [ANL-016].
      for (let repeat = 0; repeat < 2; repeat++)
        expectStatus(await post(this, device, events), 202);
    }
  },
);

interface Summary {
  launches: { total: number; byDay: { day: string; count: number }[] };
  retention: unknown[];
  versions: { launches: number; coldStart: { samples: number } }[];
}

async function summary(w: PlatformWorld): Promise<Summary> {
  const app = w.requireHistory().app;
  const day = (offset: number) => new Date(Date.now() + offset * dayMs).toISOString().slice(0, 10);
  return bodyOf<Summary>(
    await w.send({
      path: `/v1/partner/apps/${app.appId}/analytics/summary`,
      token: app.partner.token,
      query: { from: day(-2), to: day(0) },
    }),
  );
}

Then(
  'the partner reads {int} launches for yesterday',
  async function (this: PlatformWorld, count: number) {
    const s = await summary(this);
    const day = s.launches.byDay.find((d) => d.day === this.noted.get('yesterday'));
    if (day?.count !== count)
      throw new CaseFailure(
        `yesterday reads ${JSON.stringify(day)} of ${JSON.stringify(s.launches)}`,
      );
  },
);

Then('the partner reads no aggregate at all', async function (this: PlatformWorld) {
  const s = await summary(this);
  const published = [
    ...s.launches.byDay.filter((d) => d.count > 0).map((d) => `launches on ${d.day}`),
    ...(s.launches.total > 0 ? ['the launch total'] : []),
    ...(s.retention.length > 0 ? ['retention'] : []),
    ...(s.versions.some((v) => v.launches > 0 || v.coldStart.samples > 0)
      ? ['version metrics']
      : []),
  ];
  if (published.length > 0) throw new CaseFailure(`published: ${published.join(', ')}`);
});
