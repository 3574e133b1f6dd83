import { CaseFailure } from '../../framework/index.ts';
import { expectStatus, serverCase, type ServerTest } from '../server-case.ts';
import { describeExchange, type Exchange } from '../subject/http-exchange.ts';
import type { RequestSpec } from '../subject/http-driver.ts';

/** The metadata GETs of spec/distribution.md: trust files, release envelope, catalog entries, update answers. */
async function metadataRequests(t: ServerTest): Promise<RequestSpec[]> {
  const shared = await t.world.sharedRelease(t.scope);
  const device = await t.world.device(t.scope);
  const appId = shared.version.app.appId;
  return [
    { path: '/v1/trust/root.json' },
    { path: '/v1/trust/1.root.json' },
    { path: '/v1/trust/index.json' },
    { path: `/v1/releases/${appId}/1.release.json` },
    { path: `/v1/catalog/apps/${appId}`, token: device.token },
    // The same entry in another language: other bytes, so another ETag.
    { path: `/v1/catalog/apps/${appId}`, token: device.token, query: { locale: 'fr' } },
    { path: '/v1/catalog/apps', token: device.token, query: { q: t.subject.runId } },
    {
      path: `/v1/apps/${appId}/update`,
      token: device.token,
      query: {
        hostApiVersion: '1.2.0',
        channel: 'stable',
        deviceId: device.deviceId,
        versionCode: 0,
      },
    },
  ];
}

function etagOf(exchange: Exchange): string {
  const etag = exchange.headers.get('etag');
  if (!etag || !/^"[^"]+"$/.test(etag))
    throw new CaseFailure(`ETag ${JSON.stringify(etag)} is not a strong validator`, [
      describeExchange(exchange),
    ]);
  return etag;
}

export const cachingCases = [
  serverCase({
    id: 'server.caching.strong-etags',
    description:
      'Metadata GETs carry a strong ETag that is the same for the same body bytes and differs for different ones',
    requirements: ['API-018'],
    why: 'A weak or random ETag defeats revalidation; one that does not change with the body serves stale metadata as current.',
    async run(t) {
      const seen = new Map<string, string>();
      for (const spec of await metadataRequests(t)) {
        const a = await t.send(spec);
        const b = await t.send(spec);
        expectStatus(a, 200);
        const ea = etagOf(a);
        const eb = etagOf(b);
        const same = Buffer.from(a.body).equals(Buffer.from(b.body));
        if (same && ea !== eb)
          throw new CaseFailure(`${spec.path}: identical bodies with ETags ${ea} and ${eb}`);
        if (!same && ea === eb)
          throw new CaseFailure(`${spec.path}: different bodies with one ETag ${ea}`);
        const key = Buffer.from(a.body).toString('base64');
        const prior = [...seen.entries()].find(([etag, body]) => etag === ea && body !== key);
        if (prior) throw new CaseFailure(`${spec.path}: ETag ${ea} already named another body`);
        seen.set(ea, key);
      }
    },
  }),
  serverCase({
    id: 'server.caching.not-modified',
    description:
      'A metadata GET whose If-None-Match lists the current ETag, alone or among others, is answered 304 with no body and the same ETag and Cache-Control',
    requirements: ['API-019'],
    why: 'Hosts revalidate the index every few minutes; a server that ignores If-None-Match, or answers 304 without its validators, multiplies traffic or confuses caches.',
    async run(t) {
      for (const spec of await metadataRequests(t)) {
        const full = await t.send(spec);
        expectStatus(full, 200);
        const etag = etagOf(full);
        for (const header of [etag, `"certify-other", ${etag}`, `W/${etag}`]) {
          const revalidated = await t.send({
            ...spec,
            headers: { ...(spec.headers ?? {}), 'if-none-match': header },
          });
          if (revalidated.status !== 304)
            throw new CaseFailure(
              `${spec.path} with If-None-Match ${header}: ${describeExchange(revalidated)}`,
            );
          if (revalidated.body.length > 0)
            throw new CaseFailure(
              `${spec.path}: the 304 has a ${revalidated.body.length}-byte body`,
            );
          if (revalidated.headers.get('etag') !== etag)
            throw new CaseFailure(
              `${spec.path}: the 304 has ETag ${JSON.stringify(revalidated.headers.get('etag'))}, the 200 had ${etag}`,
            );
          if (revalidated.headers.get('cache-control') !== full.headers.get('cache-control')) {
            throw new CaseFailure(
              `${spec.path}: the 304 has Cache-Control ${JSON.stringify(revalidated.headers.get('cache-control'))}, the 200 had ${JSON.stringify(full.headers.get('cache-control'))}`,
            );
          }
        }
        const stale = await t.send({
          ...spec,
          headers: { ...(spec.headers ?? {}), 'if-none-match': '"certify-stale"' },
        });
        expectStatus(stale, 200);
      }
    },
  }),
  serverCase({
    id: 'server.caching.credential-dependent',
    description:
      'Responses that depend on the credential carry Cache-Control private or no-store and Vary naming Authorization',
    requirements: ['API-020'],
    why: "A shared cache that stores one partner's or device's answer without Vary serves it to the next caller.",
    async run(t) {
      const shared = await t.world.sharedRelease(t.scope);
      const partner = await t.world.partner(t.scope);
      const device = await t.world.device(t.scope);
      const user = await t.world.user(t.scope);
      const reviewer = await t.world.reviewer(t.scope);
      const appId = shared.version.app.appId;
      const probes: RequestSpec[] = [
        {
          path: `/v1/apps/${appId}/update`,
          token: device.token,
          query: {
            hostApiVersion: '1.2.0',
            channel: 'stable',
            deviceId: device.deviceId,
            versionCode: 0,
          },
        },
        { path: `/v1/entitlements/${appId}`, token: user.credential },
        { path: '/v1/partner', token: partner.token },
        { path: `/v1/partner/apps/${appId}`, token: partner.token },
        { path: `/v1/partner/apps/${appId}/versions`, token: partner.token },
        { path: `/v1/partner/apps/${appId}/releases`, token: partner.token },
        { path: '/v1/review/queue', token: reviewer.credential, query: { limit: 1 } },
        {
          path: '/v1/catalog/recommendations',
          token: device.token,
          query: { deviceId: device.deviceId },
        },
      ];
      for (const spec of probes) {
        const exchange = await t.send(spec);
        expectStatus(exchange, 200);
        const cc = exchange.headers.get('cache-control') ?? '';
        if (!/(^|,\s*)(private|no-store)(\s*,|\s*$|=)/.test(cc))
          throw new CaseFailure(
            `${spec.path}: Cache-Control ${JSON.stringify(cc)} is neither private nor no-store`,
          );
        if (!/(^|,\s*)authorization(\s*,|\s*$)/i.test(exchange.headers.get('vary') ?? '')) {
          throw new CaseFailure(
            `${spec.path}: Vary ${JSON.stringify(exchange.headers.get('vary'))} does not name Authorization`,
          );
        }
      }
    },
  }),
  serverCase({
    id: 'server.caching.validators-follow-changes',
    description:
      'After a rollback changes the signed index and an update answer, a GET with If-None-Match of the ETag from before the change is answered 200 with the new body and another ETag, never 304',
    requirements: ['API-018', 'API-019'],
    why: 'Hosts revalidate the index and their update answers with If-None-Match [API-033]; an ETag that does not follow the body turns a rollback or a revocation into a 304, and the host keeps the withdrawn release.',
    timeoutMs: 60_000,
    async run(t) {
      const device = await t.world.device(t.scope);
      const app = await t.world.freshApp(t.scope, 'etag');
      await t.world.release(
        t.scope,
        await t.world.approvedVersion(t.scope, app, { versionCode: 1 }),
      );
      const v2 = await t.world.approvedVersion(t.scope, app, { versionCode: 2 });
      const release2 = await t.world.release(t.scope, v2);
      const update: RequestSpec = {
        path: `/v1/apps/${app.appId}/update`,
        token: device.token,
        query: {
          hostApiVersion: '1.2.0',
          channel: 'stable',
          deviceId: device.deviceId,
          versionCode: 1,
        },
      };
      const index: RequestSpec = { path: '/v1/trust/index.json' };
      const kindOf = (exchange: Exchange) =>
        (JSON.parse(new TextDecoder().decode(exchange.body)) as { kind?: unknown }).kind;
      // [API-100] an answer may lag a change by 5 seconds: wait for it rather than assume it.
      const settle = async (spec: RequestSpec, done: (e: Exchange) => boolean, what: string) => {
        const deadline = Date.now() + 6000;
        for (;;) {
          const exchange = await t.send(spec);
          expectStatus(exchange, 200);
          if (done(exchange)) return exchange;
          if (Date.now() > deadline)
            throw new CaseFailure(`${spec.path}: ${what} within 6 s`, [describeExchange(exchange)]);
          await new Promise((r) => setTimeout(r, 250));
        }
      };
      const offered = await settle(
        update,
        (e) => kindOf(e) === 'update',
        'the completed release 2 was not offered to a device on 1',
      );
      const before = [
        { spec: update, exchange: offered },
        { spec: index, exchange: await t.send(index) },
      ];
      expectStatus(await t.world.act(t.scope, release2, 'rollback'), 200);
      await settle(
        update,
        (e) => kindOf(e) === 'upToDate',
        'the rollback of release 2 did not reach the update answer',
      );
      for (const { spec, exchange } of before) {
        const etag = etagOf(exchange);
        await settle(
          spec,
          (e) => !Buffer.from(e.body).equals(Buffer.from(exchange.body)),
          'the body did not change after the rollback',
        );
        const revalidated = await t.send({
          ...spec,
          headers: { ...(spec.headers ?? {}), 'if-none-match': etag },
        });
        if (revalidated.status !== 200)
          throw new CaseFailure(
            `${spec.path} with If-None-Match ${etag}, the ETag of the body before the rollback: ${describeExchange(revalidated)}; a host revalidating its copy keeps the rolled-back state`,
          );
        if (Buffer.from(revalidated.body).equals(Buffer.from(exchange.body)))
          throw new CaseFailure(`${spec.path}: the body before the rollback is still served`);
        if (etagOf(revalidated) === etag)
          throw new CaseFailure(
            `${spec.path}: the new body carries ETag ${etag}, the ETag of the body before the rollback`,
          );
      }
    },
  }),
];
