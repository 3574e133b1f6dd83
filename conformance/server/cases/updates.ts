import fc from 'fast-check';
import { checkProperty } from '../model/property-run.ts';
import { CaseFailure } from '../../framework/index.ts';
import { describeResult } from '../model/update-selection.ts';
import { rolloutBucket } from '../model/rollout-bucket.ts';
import { bodyOf, expectStatus, serverCase, type ServerTest } from '../server-case.ts';
import {
  batchCheck,
  mismatch,
  offerProblem,
  ReleaseHistory,
  singleCheck,
  type UpdateResult,
} from '../subject/update-checks.ts';
import type { TestApp } from '../subject/test-world.ts';

type AppQuery = { appId: string; versionCode: number };

const hostVersions = ['1.0.0', '1.1.0', '1.2.0', '1.9.0', '1.10.0', '2.0.0', '2.1.0'];

/** A device id of the run, valid by API-082. */
function deviceId(t: ServerTest, n: number | string): string {
  return `certify-${t.subject.runId}-dev-${n}`.padEnd(20, '0');
}

/** Finds a device id whose bucket for (appId, versionCode) satisfies `wanted`. */
async function deviceWithBucket(
  t: ServerTest,
  appId: string,
  versionCode: number,
  wanted: (bucket: number) => boolean,
): Promise<{ id: string; bucket: number }> {
  for (let i = 0; i < 200_000; i++) {
    const id = deviceId(t, `b${i}`);
    const bucket = await rolloutBucket(id, appId, versionCode);
    if (wanted(bucket)) return { id, bucket };
  }
  throw new Error('no device id found for the wanted bucket');
}

/** An app with versions 1..n, each approved, released as described, with its history for the model. */
async function historyOf(
  t: ServerTest,
  prefix: string,
  steps: {
    minHostVersion?: string;
    channel?: 'stable' | 'beta';
    rolloutPercent?: number;
    mandatory?: boolean;
  }[],
): Promise<ReleaseHistory> {
  const app: TestApp = await t.world.freshApp(t.scope, prefix);
  const history = new ReleaseHistory(app);
  let versionCode = 0;
  for (const step of steps) {
    versionCode += 1;
    const version = await t.world.approvedVersion(t.scope, app, {
      versionCode,
      minHostVersion: step.minHostVersion ?? '1.0.0',
    });
    history.add(await t.world.release(t.scope, version, step));
  }
  return history;
}

async function expectAnswer(
  t: ServerTest,
  token: string,
  history: ReleaseHistory,
  q: {
    hostApiVersion: string;
    channel: 'stable' | 'beta';
    deviceId: string;
    installedVersionCode: number;
  },
): Promise<void> {
  const { results } = await batchCheck(t, token, {
    hostApiVersion: q.hostApiVersion,
    channel: q.channel,
    deviceId: q.deviceId,
    apps: [{ appId: history.app.appId, versionCode: q.installedVersionCode }],
  });
  const expected = await history.expected(q);
  const problem = mismatch(expected, results[0], history, t.subject.baseUrl);
  if (problem) {
    throw new CaseFailure(
      `host ${q.hostApiVersion}, ${q.channel}, installed ${q.installedVersionCode}: ${problem}`,
    );
  }
  // [API-031] the single route is a second code path to the same selection: ask it the same question,
  // so that a pause, rollback or revocation it forgets shows here and not only in a random property.
  const single = await singleCheck(t, token, {
    appId: history.app.appId,
    hostApiVersion: q.hostApiVersion,
    channel: q.channel,
    deviceId: q.deviceId,
    versionCode: q.installedVersionCode,
  });
  expectStatus(single.exchange, 200);
  const singleProblem = mismatch(expected, single.result, history, t.subject.baseUrl);
  if (singleProblem) {
    throw new CaseFailure(
      `GET /v1/apps/${history.app.appId}/update, host ${q.hostApiVersion}, ${q.channel}, installed ${q.installedVersionCode}: ${singleProblem}`,
    );
  }
}

export const updateCases = [
  serverCase({
    id: 'server.updates.batch-order-and-unknown-apps',
    description:
      'A batch check answers every app once, in request order, and answers unknown and unreleased apps upToDate, as GET /v1/apps/{appId}/update does',
    requirements: ['API-022', 'API-029'],
    why: 'Hosts match results to apps by position; an error or a missing entry for an unknown app lets anyone probe which apps exist.',
    async run(t) {
      const device = await t.world.device(t.scope);
      const shared = await t.world.sharedRelease(t.scope);
      const unreleased = await t.world.freshApp(t.scope, 'unrel');
      await t.world.approvedVersion(t.scope, unreleased, { versionCode: 1 });
      const appId = shared.version.app.appId;
      const apps = [
        { appId: `${appId}.unknown`, versionCode: 0 },
        { appId, versionCode: 0 },
        { appId: unreleased.appId, versionCode: 0 },
        { appId: 'com.example.never.registered', versionCode: 3 },
        { appId, versionCode: 1 },
      ];
      const { results } = await batchCheck(t, device.token, {
        hostApiVersion: '1.2.0',
        channel: 'stable',
        deviceId: device.deviceId,
        apps,
      });
      if (results.length !== apps.length)
        throw new CaseFailure(`${results.length} results for ${apps.length} apps`);
      const kinds = results.map((r) => r.kind);
      results.forEach((r, i) => {
        if (r.appId !== apps[i]?.appId)
          throw new CaseFailure(
            `result ${i} is for ${r.appId}, the request's app ${i} is ${apps[i]?.appId}`,
          );
      });
      const expected = ['upToDate', 'update', 'upToDate', 'upToDate', 'upToDate'];
      if (kinds.join() !== expected.join())
        throw new CaseFailure(`kinds ${kinds.join(', ')}, expected ${expected.join(', ')}`);
      // The single route is the sibling most easily left with a "load the app or 404" handler.
      for (const { appId: probed, versionCode } of [0, 2, 3].map((i) => apps[i] as AppQuery)) {
        const single = await singleCheck(t, device.token, {
          appId: probed,
          hostApiVersion: '1.2.0',
          channel: 'stable',
          deviceId: device.deviceId,
          versionCode,
        });
        if (single.exchange.status !== 200 || single.result?.kind !== 'upToDate')
          throw new CaseFailure(
            `GET /v1/apps/${probed}/update answered ${single.exchange.status} ${describeResult(single.result)}, expected 200 upToDate`,
          );
      }
    },
  }),
  serverCase({
    id: 'server.updates.batch-limit',
    description:
      'A batch of 200 apps is answered, and a batch of 201 is refused with 400 API_VALIDATION_FAILED',
    requirements: ['API-030'],
    why: 'The limit bounds the work of one request; a server that takes any size can be made to do unbounded work.',
    async run(t) {
      const device = await t.world.device(t.scope);
      const apps = Array.from({ length: 201 }, (_, i) => ({
        appId: `com.example.batch.a${i}`,
        versionCode: 0,
      }));
      const base = { hostApiVersion: '1.2.0', channel: 'stable', deviceId: device.deviceId };
      const ok = await t.send({
        method: 'POST',
        path: '/v1/updates/check',
        token: device.token,
        json: { ...base, apps: apps.slice(0, 200) },
      });
      const body = bodyOf<{ results: unknown[] }>(ok);
      if (body.results.length !== 200)
        throw new CaseFailure(`200 apps gave ${body.results.length} results`);
      expectStatus(
        await t.send({
          method: 'POST',
          path: '/v1/updates/check',
          token: device.token,
          json: { ...base, apps },
        }),
        400,
        'API_VALIDATION_FAILED',
      );
    },
  }),
  serverCase({
    id: 'server.updates.device-id-format',
    description:
      'Device ids outside ^[A-Za-z0-9_-]{16,128}$ are refused with 400 API_VALIDATION_FAILED on both update routes, and ids of 16 and 128 characters are taken',
    requirements: ['API-082'],
    why: 'Device ids feed the cohort hash; a server that takes any string gets different buckets from one that normalises, and lets personal data in.',
    async run(t) {
      const device = await t.world.device(t.scope);
      const shared = await t.world.sharedRelease(t.scope);
      const appId = shared.version.app.appId;
      const check = (id: string) =>
        t.send({
          method: 'POST',
          path: '/v1/updates/check',
          token: device.token,
          json: {
            hostApiVersion: '1.2.0',
            channel: 'stable',
            deviceId: id,
            apps: [{ appId, versionCode: 0 }],
          },
        });
      for (const good of ['a'.repeat(16), `${'Z9_-'.repeat(32)}`])
        expectStatus(await check(good), 200);
      for (const bad of [
        'a'.repeat(15),
        'a'.repeat(129),
        'device.with.dots.1234',
        'device id with space',
        'dévice-0000000000000',
        'device+00000000000000',
      ]) {
        expectStatus(await check(bad), 400, 'API_VALIDATION_FAILED');
        expectStatus(
          (
            await singleCheck(t, device.token, {
              appId,
              hostApiVersion: '1.2.0',
              channel: 'stable',
              deviceId: bad,
              versionCode: 0,
            })
          ).exchange,
          400,
          'API_VALIDATION_FAILED',
        );
      }
    },
  }),
  serverCase({
    id: 'server.updates.host-api-version-bounds',
    description:
      'An update check whose hostApiVersion has a number above 999999999, a pre-release or build part or a leading zero is refused with 400 API_VALIDATION_FAILED on both update routes, and 999999999.999999999.999999999 is taken',
    requirements: ['VER-170'],
    why: 'A number past nine digits loses precision in some language, so two readers compare one version differently; a server must refuse it rather than fail or answer by a rounded value.',
    async run(t) {
      const device = await t.world.device(t.scope);
      const shared = await t.world.sharedRelease(t.scope);
      const appId = shared.version.app.appId;
      const check = (hostApiVersion: string) =>
        t.send({
          method: 'POST',
          path: '/v1/updates/check',
          token: device.token,
          json: {
            hostApiVersion,
            channel: 'stable',
            deviceId: device.deviceId,
            apps: [{ appId, versionCode: 0 }],
          },
        });
      const single = async (hostApiVersion: string) =>
        (
          await singleCheck(t, device.token, {
            appId,
            hostApiVersion,
            channel: 'stable',
            deviceId: device.deviceId,
            versionCode: 0,
          })
        ).exchange;
      const largest = '999999999.999999999.999999999';
      expectStatus(await check(largest), 200);
      expectStatus(await single(largest), 200);
      for (const bad of [
        '1000000000.0.0',
        '1.1000000000.0',
        '1.2.1000000000',
        '1.2.99999999999999999999',
        '1.2.0-beta.1',
        '1.2.0+build.7',
        '01.2.0',
      ]) {
        expectStatus(await check(bad), 400, 'API_VALIDATION_FAILED');
        expectStatus(await single(bad), 400, 'API_VALIDATION_FAILED');
      }
    },
  }),
  serverCase({
    id: 'server.updates.offer-members',
    description:
      'An update names the release envelope and bundle URLs, the length and SHA-256 of the package, the versionCode and the mandatory flag, and both URLs resolve',
    requirements: ['API-026'],
    why: 'A host downloads exactly what the offer names; a wrong URL or digest makes every install fail verification.',
    async run(t) {
      const device = await t.world.device(t.scope);
      const shared = await t.world.sharedRelease(t.scope);
      const { results } = await batchCheck(t, device.token, {
        hostApiVersion: '1.2.0',
        channel: 'stable',
        deviceId: device.deviceId,
        apps: [{ appId: shared.version.app.appId, versionCode: 0 }],
      });
      const offer = results[0]?.update;
      if (results[0]?.kind !== 'update' || !offer)
        throw new CaseFailure(`expected an update, got ${describeResult(results[0])}`);
      const history = new ReleaseHistory(shared.version.app);
      history.add(shared);
      const problem = offerProblem(offer, history, t.subject.baseUrl);
      if (problem) throw new CaseFailure(problem);
      if (offer.versionCode !== 1 || offer.mandatory !== false)
        throw new CaseFailure(`offer ${JSON.stringify(offer)}`);
      expectStatus(
        await t.send({ path: new URL(offer.releaseUrl, t.subject.baseUrl).pathname }),
        200,
      );
      const bundle = await t.send({ path: new URL(offer.packageUrl, t.subject.baseUrl).pathname });
      expectStatus(bundle, 200);
      if (bundle.body.length !== offer.length)
        throw new CaseFailure(
          `the bundle has ${bundle.body.length} bytes, the offer says ${offer.length}`,
        );
    },
  }),
  serverCase({
    id: 'server.updates.host-api-version',
    description:
      'Only releases whose minHostVersion the host satisfies (same major, not lower, compared as numbers) are offered, else incompatible with the lowest minHostVersion',
    requirements: ['API-023', 'API-024', 'VER-009'],
    why: 'Comparing versions as strings puts 1.10.0 below 1.2.0, and ignoring the major version offers 1.x apps to 2.x hosts that cannot run them.',
    timeoutMs: 45_000,
    async run(t) {
      const device = await t.world.device(t.scope);
      const history = await historyOf(t, 'hv', [
        { minHostVersion: '1.0.0' },
        { minHostVersion: '1.2.0' },
        { minHostVersion: '1.10.0' },
      ]);
      const queries: [string, number][] = [
        ['1.1.0', 0],
        ['1.1.0', 1],
        ['1.9.0', 1],
        ['1.10.0', 0],
        ['1.0.0', 3],
        ['2.0.0', 0],
        ['2.0.0', 1],
      ];
      for (const [hostApiVersion, installedVersionCode] of queries) {
        await expectAnswer(t, device.token, history, {
          hostApiVersion,
          channel: 'stable',
          deviceId: device.deviceId,
          installedVersionCode,
        });
      }
    },
  }),
  serverCase({
    id: 'server.updates.never-same-or-lower',
    description:
      'No update is offered whose versionCode is lower than or equal to the installed one',
    requirements: ['API-027'],
    why: 'Offering the installed version loops hosts through downloads; offering a lower one is a downgrade.',
    async run(t) {
      const device = await t.world.device(t.scope);
      const shared = await t.world.sharedRelease(t.scope);
      for (const versionCode of [1, 2, 1000]) {
        const { results } = await batchCheck(t, device.token, {
          hostApiVersion: '1.2.0',
          channel: 'stable',
          deviceId: device.deviceId,
          apps: [{ appId: shared.version.app.appId, versionCode }],
        });
        if (results[0]?.kind !== 'upToDate')
          throw new CaseFailure(
            `installed ${versionCode}: ${describeResult(results[0])}, expected upToDate`,
          );
      }
    },
  }),
  serverCase({
    id: 'server.updates.single-matches-batch',
    description:
      'GET /v1/apps/{appId}/update gives the same result as a batch of that one app, and carries private, max-age of at most 60, an ETag and a working 304',
    requirements: ['API-031', 'API-032', 'API-019', 'API-020'],
    why: "Hosts use either route; two answers for one question split a fleet, and a cacheable answer without Vary leaks one device's answer to another.",
    async run(t) {
      const device = await t.world.device(t.scope);
      const shared = await t.world.sharedRelease(t.scope);
      const appId = shared.version.app.appId;
      for (const [hostApiVersion, versionCode, channel] of [
        ['1.2.0', 0, 'stable'],
        ['1.2.0', 0, 'beta'],
        ['1.2.0', 1, 'stable'],
        ['1.0.0', 0, 'stable'],
      ] as const) {
        const q = { appId, hostApiVersion, channel, deviceId: device.deviceId, versionCode };
        const single = await singleCheck(t, device.token, q);
        expectStatus(single.exchange, 200);
        const { results } = await batchCheck(t, device.token, {
          hostApiVersion,
          channel,
          deviceId: device.deviceId,
          apps: [{ appId, versionCode }],
        });
        if (JSON.stringify(single.result) !== JSON.stringify(results[0])) {
          throw new CaseFailure(
            `single ${JSON.stringify(single.result)} differs from batch ${JSON.stringify(results[0])}`,
          );
        }
        const cc = single.exchange.headers.get('cache-control') ?? '';
        const m = /^private, max-age=(\d+)$/.exec(cc);
        if (!m || Number(m[1]) > 60)
          throw new CaseFailure(
            `Cache-Control ${JSON.stringify(cc)} is not private with max-age at most 60`,
          );
        if (!/(^|,\s*)authorization(\s*,|$)/i.test(single.exchange.headers.get('vary') ?? ''))
          throw new CaseFailure(
            `Vary ${JSON.stringify(single.exchange.headers.get('vary'))} does not name Authorization`,
          );
        const etag = single.exchange.headers.get('etag');
        if (!etag || etag.startsWith('W/'))
          throw new CaseFailure(`ETag ${JSON.stringify(etag)} is not a strong validator`);
        const revalidated = await singleCheck(t, device.token, q, false, { 'if-none-match': etag });
        expectStatus(revalidated.exchange, 304);
        if (revalidated.exchange.body.length > 0) throw new CaseFailure('the 304 has a body');
      }
    },
  }),
  serverCase({
    id: 'server.updates.no-store',
    description: 'The answer to POST /v1/updates/check carries Cache-Control no-store',
    requirements: ['API-021'],
    why: 'A stored batch answer could be replayed to another device or outlive a revocation.',
    async run(t) {
      const device = await t.world.device(t.scope);
      const { exchange } = await batchCheck(t, device.token, {
        hostApiVersion: '1.2.0',
        channel: 'stable',
        deviceId: device.deviceId,
        apps: [{ appId: 'com.example.nothing', versionCode: 0 }],
      });
      if (exchange.headers.get('cache-control') !== 'no-store')
        throw new CaseFailure(
          `Cache-Control is ${JSON.stringify(exchange.headers.get('cache-control'))}`,
        );
    },
  }),
  serverCase({
    id: 'server.updates.rollout-boundary',
    description:
      'A device whose bucket equals the rollout threshold is outside the cohort and one below it is inside, with buckets computed by the five steps of the spec',
    requirements: ['API-025', 'API-081'],
    why: 'Using <= instead of <, another concatenation or little-endian bytes moves devices across the boundary; only an exact computation gives every replica the same cohorts.',
    async run(t) {
      const device = await t.world.device(t.scope);
      const app = await t.world.freshApp(t.scope, 'rb');
      const inside = await deviceWithBucket(t, app.appId, 1, (b) => b > 100 && b < 9900);
      const threshold = inside.bucket + 1;
      const atThreshold = await deviceWithBucket(t, app.appId, 1, (b) => b === threshold);
      const above = await deviceWithBucket(t, app.appId, 1, (b) => b > threshold + 50);
      const version = await t.world.approvedVersion(t.scope, app, { versionCode: 1 });
      const release = await t.world.release(t.scope, version, { rolloutPercent: threshold / 100 });
      const history = new ReleaseHistory(app);
      history.add(release);
      for (const d of [inside, atThreshold, above]) {
        const { results } = await batchCheck(t, device.token, {
          hostApiVersion: '1.2.0',
          channel: 'stable',
          deviceId: d.id,
          apps: [{ appId: app.appId, versionCode: 0 }],
        });
        const expectUpdate = d.bucket < threshold;
        if ((results[0]?.kind === 'update') !== expectUpdate) {
          throw new CaseFailure(
            `device with bucket ${d.bucket} at rolloutPercent ${threshold / 100}: ${describeResult(results[0])}, expected ${expectUpdate ? 'the update' : 'upToDate'}`,
          );
        }
      }
    },
  }),
  serverCase({
    id: 'server.updates.mandatory-latch',
    description:
      'An update is mandatory when a skipped release between the installed and the offered version is mandatory, and not otherwise',
    requirements: ['API-034'],
    why: 'A device that skipped a mandatory security fix must still be forced to update when a later optional release arrives.',
    async run(t) {
      const device = await t.world.device(t.scope);
      const history = await historyOf(t, 'ml', [{}, { mandatory: true }, {}, {}]);
      for (const installed of [0, 1, 2, 3]) {
        await expectAnswer(t, device.token, history, {
          hostApiVersion: '1.2.0',
          channel: 'stable',
          deviceId: device.deviceId,
          installedVersionCode: installed,
        });
      }
    },
  }),
  serverCase({
    id: 'server.updates.paused-and-rolled-back',
    description:
      'Paused and rolled-back releases are not offered, devices that installed them are answered upToDate, and the previous release is offered instead, by the batch and the single route',
    requirements: ['API-078'],
    why: 'Pausing and rolling back are how a bad release is stopped; a server that still offers it keeps spreading the fault.',
    async run(t) {
      const device = await t.world.device(t.scope);
      const history = await historyOf(t, 'pr', [
        {},
        { rolloutPercent: 100 },
        { rolloutPercent: 60 },
      ]);
      // A device inside the paused release's cohort, so that offering it would show.
      const inside = await deviceWithBucket(t, history.app.appId, 3, (b) => b < 6000);
      await history.act(t, 3, 'pause');
      await history.act(t, 2, 'rollback');
      for (const deviceId of [device.deviceId, inside.id]) {
        for (const installed of [0, 1, 2, 3]) {
          await expectAnswer(t, device.token, history, {
            hostApiVersion: '1.2.0',
            channel: 'stable',
            deviceId,
            installedVersionCode: installed,
          });
        }
      }
    },
  }),
  serverCase({
    id: 'server.updates.revoked',
    description:
      'Devices on a revoked release are answered revoked with the newest compatible offered release as replacement, or none when there is none',
    requirements: ['API-028', 'API-079'],
    why: 'A revoked release must be replaced on every device; a server that answers upToDate leaves the revoked code running.',
    async run(t) {
      const device = await t.world.device(t.scope);
      const history = await historyOf(t, 'rk', [{}, { minHostVersion: '1.2.0' }, {}]);
      await history.act(t, 3, 'revoke');
      for (const [host, installed] of [
        ['1.2.0', 3],
        ['1.1.0', 3],
        ['1.2.0', 2],
        ['1.2.0', 0],
      ] as const) {
        await expectAnswer(t, device.token, history, {
          hostApiVersion: host,
          channel: 'stable',
          deviceId: device.deviceId,
          installedVersionCode: installed,
        });
      }
      const lone = await historyOf(t, 'rk', [{}]);
      await lone.act(t, 1, 'revoke');
      await expectAnswer(t, device.token, lone, {
        hostApiVersion: '1.2.0',
        channel: 'stable',
        deviceId: device.deviceId,
        installedVersionCode: 1,
      });
    },
  }),
  serverCase({
    id: 'server.updates.property-selection',
    description:
      'For random release histories, host versions, channels, devices and installed versions the answer equals the update selection of the spec',
    requirements: [
      'API-023',
      'API-024',
      'API-025',
      'API-027',
      'API-028',
      'API-034',
      'API-078',
      'API-081',
      'VER-009',
    ],
    why: 'Each rule can be right alone and wrong in combination; only random histories reach the combinations an implementer did not think of.',
    timeoutMs: 120_000,
    async run(t) {
      const device = await t.world.device(t.scope);
      const stepArb = fc.record({
        minHostVersion: fc.constantFrom('1.0.0', '1.1.0', '1.2.0', '1.10.0', '2.0.0'),
        channel: fc.constantFrom<'stable' | 'beta'>('stable', 'stable', 'beta'),
        rolloutPercent: fc.oneof(
          fc.constantFrom(0, 100, 50, 99.99, 0.01),
          fc.integer({ min: 0, max: 10_000 }).map((n) => n / 100),
        ),
        mandatory: fc.boolean(),
        action: fc.constantFrom<'none' | 'pause' | 'complete' | 'rollback' | 'revoke'>(
          'none',
          'none',
          'pause',
          'complete',
          'rollback',
          'revoke',
        ),
      });
      const queryArb = fc.record({
        hostApiVersion: fc.constantFrom(...hostVersions),
        channel: fc.constantFrom<'stable' | 'beta'>('stable', 'beta'),
        device: fc.integer({ min: 0, max: 10_000 }),
        installed: fc.integer({ min: 0, max: 6 }),
      });
      const runs = Math.max(2, Math.min(8, Math.ceil(t.subject.propertyRuns / 4)));
      t.note(
        `fast-check seed ${t.subject.seed}, ${runs} histories of 1 to 5 releases, 25 queries each`,
      );
      await checkProperty(
        fc.asyncProperty(
          fc.array(stepArb, { minLength: 1, maxLength: 5 }),
          fc.array(queryArb, { minLength: 25, maxLength: 25 }),
          async (steps, queries) => {
            const history = await historyOf(t, 'ps', steps);
            for (const [i, step] of steps.entries()) {
              const state = history.releases[i]?.state;
              if (step.action === 'none') continue;
              if (step.action === 'revoke') await history.act(t, i + 1, 'revoke');
              else if (step.action === 'pause' && state === 'rollingOut')
                await history.act(t, i + 1, 'pause');
              else if (step.action === 'complete' && state === 'rollingOut')
                await history.act(t, i + 1, 'complete');
              else if (step.action === 'rollback' && state !== 'revoked')
                await history.act(t, i + 1, 'rollback');
            }
            for (const q of queries) {
              const query = {
                hostApiVersion: q.hostApiVersion,
                channel: q.channel,
                deviceId: deviceId(t, q.device),
                installedVersionCode: q.installed,
              };
              const { results } = await batchCheck(
                t,
                device.token,
                {
                  hostApiVersion: query.hostApiVersion,
                  channel: query.channel,
                  deviceId: query.deviceId,
                  apps: [{ appId: history.app.appId, versionCode: q.installed }],
                },
                true,
              );
              const problem = mismatch(
                await history.expected(query),
                results[0],
                history,
                t.subject.baseUrl,
              );
              if (problem) {
                const states = history.releases.map(
                  (r) =>
                    `v${r.versionCode} ${r.channel} ${r.rolloutPercent}% min ${r.minHostVersion}${r.mandatory ? ' mandatory' : ''} ${r.state}`,
                );
                throw new CaseFailure(`${JSON.stringify(query)}: ${problem}`, states);
              }
            }
          },
        ),
        { numRuns: runs, seed: t.subject.seed },
      );
    },
  }),
  serverCase({
    id: 'server.updates.property-batch-equals-single',
    description:
      'For random batches over apps with staged releases, each batch result equals the single check of that app with the same parameters',
    requirements: ['API-031', 'API-022'],
    why: 'Two code paths for one answer drift apart; random batches find the parameter one of them forgets.',
    timeoutMs: 60_000,
    async run(t) {
      const device = await t.world.device(t.scope);
      const a = await historyOf(t, 'bs', [
        { rolloutPercent: 100 },
        { rolloutPercent: 50, mandatory: true },
        { minHostVersion: '1.2.0', rolloutPercent: 70 },
      ]);
      const b = await historyOf(t, 'bs', [
        { channel: 'beta', rolloutPercent: 30 },
        { minHostVersion: '1.1.0' },
      ]);
      const apps = [a.app.appId, b.app.appId, `${a.app.appId}.nothing`];
      t.note(`fast-check seed ${t.subject.seed}`);
      await checkProperty(
        fc.asyncProperty(
          fc.constantFrom(...hostVersions),
          fc.constantFrom<'stable' | 'beta'>('stable', 'beta'),
          fc.integer({ min: 0, max: 5000 }),
          fc.array(
            fc.record({
              app: fc.constantFrom(...apps),
              versionCode: fc.integer({ min: 0, max: 4 }),
            }),
            { minLength: 1, maxLength: 6 },
          ),
          async (hostApiVersion, channel, n, entries) => {
            const id = deviceId(t, n);
            const { results } = await batchCheck(
              t,
              device.token,
              {
                hostApiVersion,
                channel,
                deviceId: id,
                apps: entries.map((e) => ({ appId: e.app, versionCode: e.versionCode })),
              },
              true,
            );
            for (const [i, e] of entries.entries()) {
              const single = await singleCheck(
                t,
                device.token,
                { appId: e.app, hostApiVersion, channel, deviceId: id, versionCode: e.versionCode },
                true,
              );
              if (JSON.stringify(single.result) !== JSON.stringify(results[i])) {
                throw new CaseFailure(
                  `${e.app} installed ${e.versionCode}, host ${hostApiVersion}, ${channel}, device ${id}: single ${JSON.stringify(single.result)}, batch ${JSON.stringify(results[i])}`,
                );
              }
            }
          },
        ),
        { numRuns: t.subject.propertyRuns, seed: t.subject.seed },
      );
    },
  }),
  serverCase({
    id: 'server.updates.property-sticky-cohorts',
    description:
      'Rollout cohorts are sticky per device, only grow when the percentage rises, and hold a share of devices within 4 standard deviations of the percentage',
    requirements: ['API-025', 'API-081'],
    why: 'A cohort drawn at random on each request flips devices between versions; one that shrinks when the rollout widens takes updates away.',
    timeoutMs: 60_000,
    async run(t) {
      const device = await t.world.device(t.scope);
      const app = await t.world.freshApp(t.scope, 'sc');
      await t.world.approvedVersion(t.scope, app, { versionCode: 1 });
      const v2 = await t.world.approvedVersion(t.scope, app, { versionCode: 2 });
      const release = await t.world.release(t.scope, v2, { rolloutPercent: 25 });
      const ids = Array.from({ length: 240 }, (_, i) =>
        deviceId(t, `s${t.subject.seed % 1000}-${i}`),
      );
      const offered = async (): Promise<boolean[]> => {
        const out: boolean[] = [];
        for (const id of ids) {
          const { results } = await batchCheck(
            t,
            device.token,
            {
              hostApiVersion: '1.2.0',
              channel: 'stable',
              deviceId: id,
              apps: [{ appId: app.appId, versionCode: 1 }],
            },
            true,
          );
          out.push((results[0] as UpdateResult).kind === 'update');
        }
        return out;
      };
      const first = await offered();
      const second = await offered();
      const flipped = first.findIndex((v, i) => v !== second[i]);
      if (flipped >= 0)
        throw new CaseFailure(
          `device ${ids[flipped]} was ${first[flipped] ? '' : 'not '}offered, then ${second[flipped] ? '' : 'not '}offered`,
        );
      const share = first.filter(Boolean).length / ids.length;
      const sigma = Math.sqrt((0.25 * 0.75) / ids.length);
      if (Math.abs(share - 0.25) > 4 * sigma)
        throw new CaseFailure(
          `${(share * 100).toFixed(1)} % of ${ids.length} devices were offered a 25 % rollout`,
        );
      expectStatus(
        await t.send({
          method: 'PATCH',
          path: `/v1/partner/apps/${app.appId}/releases/${release.releaseId}`,
          token: app.partner.token,
          json: { rolloutPercent: 60 },
        }),
        200,
      );
      const widened = await offered();
      const lost = first.findIndex((v, i) => v && !widened[i]);
      if (lost >= 0)
        throw new CaseFailure(
          `device ${ids[lost]} left the cohort when the rollout rose from 25 % to 60 %`,
        );
      for (const [i, id] of ids.entries()) {
        const inCohort = (await rolloutBucket(id, app.appId, 2)) < 6000;
        if (inCohort !== widened[i])
          throw new CaseFailure(
            `device ${id}: offered ${String(widened[i])}, its bucket says ${String(inCohort)}`,
          );
      }
    },
  }),
];
