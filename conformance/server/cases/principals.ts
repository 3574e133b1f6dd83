import { CaseFailure } from '../../framework/index.ts';
import { bodyOf, expectStatus, serverCase, type ServerTest } from '../server-case.ts';
import { describeExchange } from '../subject/http-exchange.ts';
import type { RequestSpec } from '../subject/http-driver.ts';

interface Created {
  principalId: string;
  role: string;
  partnerId?: string;
  test: boolean;
  credential: string;
  expiresAt: string;
}

/** A principal minted with the admin token alone [API-151]. */
async function createPrincipal(t: ServerTest, body: Record<string, unknown>): Promise<Created> {
  return bodyOf<Created>(
    await t.send({ method: 'POST', path: '/v1/admin/principals', token: t.adminToken, json: body }),
    201,
  );
}

export const principalCases = [
  serverCase({
    id: 'server.principals.every-role',
    description:
      'With the admin token alone the suite creates a principal of each role whose credential every route of that role accepts at once, and the credential appears in no later answer',
    requirements: ['API-151', 'CNF-010', 'CNF-011'],
    why: 'A server can only be certified by a stranger if its admin can mint every principal a case needs; a credential that works late, or is echoed later, breaks that or leaks.',
    async run(t) {
      t.world.skipUnlessComplete();
      const shared = await t.world.sharedRelease(t.scope);
      const partner = await t.world.partner(t.scope);
      const create = (body: Record<string, unknown>) => createPrincipal(t, body);
      const asPartner = await create({ role: 'partner', partnerId: partner.partnerId });
      const me = bodyOf<{ partnerId: string }>(
        await t.send({ path: '/v1/partner', token: asPartner.credential }),
      );
      if (me.partnerId !== partner.partnerId)
        throw new CaseFailure(
          `a partner principal of ${partner.partnerId} acts for ${me.partnerId}`,
        );
      const reviewer = await create({ role: 'reviewer' });
      expectStatus(
        await t.send({ path: '/v1/review/queue', token: reviewer.credential, query: { limit: 1 } }),
        200,
      );
      const device = await create({ role: 'hostDevice', test: true });
      expectStatus(
        await t.send({
          method: 'POST',
          path: '/v1/updates/check',
          token: device.credential,
          json: {
            hostApiVersion: '1.2.0',
            channel: 'stable',
            deviceId: `certify-${t.subject.runId}-principal`,
            apps: [{ appId: shared.version.app.appId, versionCode: 0 }],
          },
        }),
        200,
      );
      const user = await create({ role: 'hostUser', test: true });
      expectStatus(
        await t.send({
          path: `/v1/entitlements/${shared.version.app.appId}`,
          token: user.credential,
        }),
        200,
      );
      for (const p of [asPartner, reviewer, device, user]) {
        const revoked = await t.send({
          method: 'POST',
          path: `/v1/admin/principals/${p.principalId}/revoke`,
          token: t.adminToken,
        });
        expectStatus(revoked, 200);
        if (new TextDecoder().decode(revoked.body).includes(p.credential))
          throw new CaseFailure(
            `the revocation of ${p.role} ${p.principalId} repeats its credential`,
          );
      }
      for (const [path, method] of [
        ['/v1/admin/partners', 'GET'],
        ['/metrics', 'GET'],
        ['/v1/admin/audit', 'GET'],
      ] as const) {
        const exchange = await t.send({ method, path, token: t.adminToken });
        if (exchange.status === 401 || exchange.status === 403)
          throw new CaseFailure(
            `the admin token was refused on ${method} ${path}: ${describeExchange(exchange)}`,
          );
      }
    },
  }),
  serverCase({
    id: 'server.principals.partner-needs-partner-id',
    description:
      'A partner principal without partnerId is refused with 400 API_VALIDATION_FAILED and one for an unknown partner with 404 API_NOT_FOUND',
    requirements: ['API-152'],
    why: 'A partner credential bound to no partner, or to one that does not exist, acts for nobody the platform can hold to account.',
    async run(t) {
      t.world.skipUnlessComplete();
      expectStatus(
        await t.send({
          method: 'POST',
          path: '/v1/admin/principals',
          token: t.adminToken,
          json: { role: 'partner' },
        }),
        400,
        'API_VALIDATION_FAILED',
      );
      expectStatus(
        await t.send({
          method: 'POST',
          path: '/v1/admin/principals',
          token: t.adminToken,
          json: { role: 'partner', partnerId: 'certifyNoSuchPartner' },
        }),
        404,
        'API_NOT_FOUND',
      );
    },
  }),
  serverCase({
    id: 'server.principals.test-flag',
    description:
      'Host principals are test principals exactly when created with test true, and partner principals exactly when their partner is one',
    requirements: ['API-154'],
    why: 'The sandbox provider is open only to test principals; a flag that is lost or invented opens it to real users or closes it to the suite.',
    async run(t) {
      t.world.skipUnlessComplete();
      const real = await t.world.newPartner(t.scope, 'real', false);
      const cases: [Record<string, unknown>, boolean][] = [
        [{ role: 'hostUser', test: true }, true],
        [{ role: 'hostUser' }, false],
        [{ role: 'hostDevice', test: false }, false],
        [{ role: 'partner', partnerId: real.partnerId }, false],
        [{ role: 'partner', partnerId: (await t.world.partner(t.scope)).partnerId }, true],
      ];
      for (const [body, expected] of cases) {
        const created = await createPrincipal(t, body);
        if (created.test !== expected)
          throw new CaseFailure(
            `${JSON.stringify(body)} gave test ${String(created.test)}, expected ${String(expected)}`,
          );
      }
    },
  }),
  serverCase({
    id: 'server.principals.expiry-and-revocation',
    description:
      'A principal credential of a partner, host device or host user is refused with 401 once its expiresInSeconds have passed, and, for every role on the routes it worked on, at once after its revocation is answered',
    requirements: ['API-155', 'API-007'],
    why: 'Credentials the suite mints must die when told; a server that ignores expiry or revocation keeps leaked credentials alive.',
    timeoutMs: 40_000,
    async run(t) {
      t.world.skipUnlessComplete();
      const partner = await t.world.partner(t.scope);
      const shared = await t.world.sharedRelease(t.scope);
      const appId = shared.version.app.appId;
      // Every role expires, host devices on their hot path included [API-155].
      const expiring: [Record<string, unknown>, RequestSpec][] = [
        [{ role: 'partner', partnerId: partner.partnerId }, { path: '/v1/partner' }],
        [{ role: 'hostDevice', test: true }, { path: '/v1/catalog/categories' }],
        [{ role: 'hostUser', test: true }, { path: `/v1/entitlements/${appId}` }],
      ];
      const short: [string, string, RequestSpec][] = [];
      for (const [body, route] of expiring) {
        const created = await createPrincipal(t, { ...body, expiresInSeconds: 2 });
        expectStatus(await t.send({ ...route, token: created.credential }), 200);
        short.push([String(body.role), created.credential, route]);
      }
      await new Promise((r) => setTimeout(r, 3500));
      for (const [role, credential, route] of short) {
        const after = await t.send({ ...route, token: credential });
        if (after.status !== 401)
          throw new CaseFailure(
            `a ${role} credential was accepted by GET ${route.path} after its expiresInSeconds of 2 had passed: ${describeExchange(after)}`,
          );
        expectStatus(after, 401, 'API_UNAUTHENTICATED');
      }
      // Every role, on the routes it works on: a cache of hot-path credentials (host devices on update
      // checks) must forget a revoked one as promptly as a portal session [API-094].
      const deviceId = `certify-${t.subject.runId}-revoked`.padEnd(20, '0');
      const probes: [Record<string, unknown>, RequestSpec[]][] = [
        [{ role: 'partner', partnerId: partner.partnerId }, [{ path: '/v1/partner' }]],
        [{ role: 'reviewer' }, [{ path: '/v1/review/queue', query: { limit: 1 } }]],
        [
          { role: 'hostDevice', test: true },
          [
            {
              method: 'POST',
              path: '/v1/updates/check',
              json: {
                hostApiVersion: '1.2.0',
                channel: 'stable',
                deviceId,
                apps: [{ appId, versionCode: 0 }],
              },
            },
            {
              path: `/v1/apps/${appId}/update`,
              query: { hostApiVersion: '1.2.0', channel: 'stable', deviceId, versionCode: 0 },
            },
            { path: '/v1/catalog/categories' },
          ],
        ],
        [{ role: 'hostUser', test: true }, [{ path: `/v1/entitlements/${appId}` }]],
      ];
      for (const [body, routes] of probes) {
        const revoked = await createPrincipal(t, body);
        for (const route of routes)
          expectStatus(await t.send({ ...route, token: revoked.credential }), 200);
        expectStatus(
          await t.send({
            method: 'POST',
            path: `/v1/admin/principals/${revoked.principalId}/revoke`,
            token: t.adminToken,
          }),
          200,
        );
        for (const route of routes) {
          const after = await t.send({ ...route, token: revoked.credential });
          if (after.status !== 401)
            throw new CaseFailure(
              `a revoked ${String(body.role)} credential was accepted by ${route.method ?? 'GET'} ${route.path}: ${describeExchange(after)}`,
            );
          expectStatus(after, 401, 'API_UNAUTHENTICATED');
        }
      }
    },
  }),
];
