import { CaseFailure } from '../../framework/index.ts';
import { bodyOf, expectStatus, serverCase, type ServerTest } from '../server-case.ts';
import { describeExchange, jsonOf } from '../subject/http-exchange.ts';
import { allowedKinds, requestFor, type TargetObjects } from '../subject/route-targets.ts';
import type { Exchange } from '../subject/http-exchange.ts';
import type { ContractOperation } from '../contract/openapi-contract.ts';

/** One app of partner `a`, released, whose objects the authorisation cases aim at (never the shared one). */
export async function targets(t: ServerTest): Promise<TargetObjects> {
  return t.world.once('authz-targets', async () => {
    const app = await t.world.freshApp(t.scope, 'authz');
    const version = await t.world.approvedVersion(t.scope, app, { versionCode: 1 });
    const release = await t.world.release(t.scope, version, { rolloutPercent: 50 });
    return { release, keyId: app.partner.key.keyid };
  });
}

/** A bearer credential of each principal kind. */
export async function credentials(t: ServerTest): Promise<Record<string, string>> {
  return t.world.once('authz-credentials', async () => {
    const partner = await t.world.partner(t.scope);
    const apiKey = bodyOf<{ secret: string }>(
      await t.send({
        method: 'POST',
        path: '/v1/partner/api-keys',
        token: partner.token,
        json: { label: 'certify authz' },
      }),
      201,
    );
    return {
      partner: partner.token,
      reviewer: (await t.world.reviewer(t.scope)).credential,
      admin: t.adminToken,
      hostDevice: (await t.world.device(t.scope)).token,
      hostUser: (await t.world.user(t.scope)).credential,
      partnerKey: apiKey.secret,
    };
  });
}

function codeOf(exchange: Exchange): string {
  return String(jsonOf<{ code?: unknown }>(exchange)?.code ?? '');
}

export const authorizationCases = [
  serverCase({
    id: 'server.auth.credential-required',
    description:
      'Every route the OpenAPI document does not mark public refuses a request without credentials, or with an unknown one, with 401 API_UNAUTHENTICATED and a Bearer challenge',
    requirements: ['API-001'],
    why: "A single route that forgets its credential check exposes a partner's data or lets anyone act on it.",
    timeoutMs: 60_000,
    async run(t) {
      const objects = await targets(t);
      const failures: string[] = [];
      for (const op of t.subject.contract.operations.filter((o) => !o.isPublic)) {
        for (const token of [undefined, 'mas_certify-unknown-credential-0000000000000']) {
          const spec = requestFor(op, objects);
          const exchange = await t.send({ ...spec, ...(token ? { token } : {}), quiet: true });
          if (exchange.status !== 401 || codeOf(exchange) !== 'API_UNAUTHENTICATED') {
            failures.push(
              `${op.operationId} ${token ? 'with an unknown credential' : 'without credentials'}: ${describeExchange(exchange)}`,
            );
          } else if (!/^Bearer/i.test(exchange.headers.get('www-authenticate') ?? '')) {
            failures.push(`${op.operationId}: the 401 has no Bearer WWW-Authenticate challenge`);
          }
        }
      }
      if (failures.length > 0) throw new CaseFailure(failures[0] as string, failures);
    },
  }),
  serverCase({
    id: 'server.auth.role-forbidden',
    description:
      'Every route refuses a valid credential of a role it does not allow with 403 API_FORBIDDEN, and a partner API key off the partnerKey routes with 401 or 403',
    requirements: ['API-002', 'API-004'],
    why: 'A host device that can reach the review console, or a reviewer that can reach the admin routes, breaks the separation of duties the roles exist for.',
    timeoutMs: 90_000,
    async run(t) {
      const objects = await targets(t);
      const creds = await credentials(t);
      const failures: string[] = [];
      for (const op of t.subject.contract.operations.filter((o) => !o.isPublic)) {
        const allowed = allowedKinds(op);
        for (const [kind, token] of Object.entries(creds)) {
          if (allowed.has(kind)) continue;
          const exchange = await t.send({ ...requestFor(op, objects), token, quiet: true });
          const ok =
            kind === 'partnerKey'
              ? exchange.status === 401 || exchange.status === 403
              : exchange.status === 403 && codeOf(exchange) === 'API_FORBIDDEN';
          if (!ok)
            failures.push(
              `${op.operationId} with a ${kind} credential: ${describeExchange(exchange)}`,
            );
        }
      }
      if (failures.length > 0) throw new CaseFailure(failures[0] as string, failures);
    },
  }),
  serverCase({
    id: 'server.auth.no-query-credentials',
    description:
      'A credential passed in a query parameter is never accepted: such requests are refused with 401',
    requirements: ['API-006'],
    why: 'Query strings end up in logs, proxies and browser history; a server that reads access_token there makes every credential leak.',
    async run(t) {
      const creds = await credentials(t);
      const names = [
        'access_token',
        'token',
        'api_key',
        'apikey',
        'key',
        'auth',
        'authorization',
        'bearer',
        'credential',
        'session',
      ];
      const probes: [string, string][] = [
        ['/v1/partner', creds.partner as string],
        ['/v1/partner', creds.partnerKey as string],
        ['/v1/review/queue', creds.reviewer as string],
        ['/v1/admin/partners', creds.admin as string],
        ['/v1/catalog/categories', creds.hostDevice as string],
      ];
      for (const [path, token] of probes) {
        const query = Object.fromEntries(names.map((n) => [n, token]));
        const exchange = await t.send({ path, query });
        if (exchange.status !== 401)
          throw new CaseFailure(
            `${path} with the credential in the query answered ${exchange.status}`,
            [describeExchange(exchange)],
          );
        expectStatus(exchange, 401, 'API_UNAUTHENTICATED');
      }
    },
  }),
  serverCase({
    id: 'server.auth.other-partner-not-found',
    description:
      "Routes naming another partner's app, version, release, product or key answer 404 API_NOT_FOUND, as for no object, to its session and API key alike, and when it puts its own app and the other's release id in the path",
    requirements: ['API-003', 'API-092'],
    why: "A 403 for another partner's app, or any different answer, tells an attacker which ids exist; acting on it is worse.",
    timeoutMs: 60_000,
    async run(t) {
      t.world.skipUnlessComplete();
      const objects = await targets(t);
      const other = await t.world.partner(t.scope, 'b');
      const failures: string[] = [];
      const ownership = t.subject.contract.operations.filter(
        (o) =>
          o.template.startsWith('/v1/partner/') &&
          /\{(appId|keyId|releaseId)\}/.test(o.template) &&
          allowedKinds(o).has('partner'),
      );
      // The other partner's CI key: ownership must not depend on which scheme authenticated the partner.
      const otherKey = bodyOf<{ secret: string }>(
        await t.send({
          method: 'POST',
          path: '/v1/partner/api-keys',
          token: other.token,
          json: { label: 'certify authz b' },
        }),
        201,
      ).secret;
      // The other partner's own app, in whose path it names the first partner's release id.
      const ownApp = await t.world.freshApp(t.scope, 'authzb', other);
      const mixed: TargetObjects = {
        ...objects,
        release: {
          ...objects.release,
          version: { ...objects.release.version, app: ownApp },
        },
      };
      const attempts: [ContractOperation, TargetObjects, string, string][] = [];
      for (const op of ownership) {
        attempts.push([op, objects, other.token, 'portal session']);
        if (allowedKinds(op).has('partnerKey')) attempts.push([op, objects, otherKey, 'API key']);
        if (op.template.includes('{releaseId}')) {
          attempts.push([op, mixed, other.token, 'portal session, own app in the path']);
          if (allowedKinds(op).has('partnerKey'))
            attempts.push([op, mixed, otherKey, 'API key, own app in the path']);
        }
      }
      for (const [op, target, token, how] of attempts) {
        const spec = requestFor(op, target);
        if (op.operationId === 'putProduct')
          spec.json = { kind: 'consumable', price: { currency: 'EUR', minor: 100 } };
        if (op.operationId === 'createRelease')
          spec.json = { versionCode: 1, channel: 'beta', rolloutPercent: 100 };
        if (op.operationId === 'updateReleaseRollout') spec.json = { rolloutPercent: 100 };
        const exchange = await t.send({ ...spec, token, quiet: true });
        if (exchange.status !== 404 || codeOf(exchange) !== 'API_NOT_FOUND')
          failures.push(
            `${op.operationId} as another partner (${how}): ${describeExchange(exchange)}`,
          );
      }
      if (failures.length > 0) throw new CaseFailure(failures[0] as string, failures);
      // A refused PUT of a product stores nothing: the product it named stays undefined [API-092].
      const put = ownership.find((op) => op.operationId === 'putProduct');
      if (put) {
        const path = requestFor(put, objects).path.replace('/v1/partner/apps/', '/v1/apps/');
        const device = await t.world.device(t.scope);
        const product = await t.send({ path, token: device.token });
        if (product.status === 200)
          throw new CaseFailure(
            `another partner's PUT of a product was answered 404, yet GET ${path} now finds it: ${describeExchange(product)}`,
          );
      }
      const state = bodyOf<{ state: string; rolloutPercent: number }>(
        await t.send({
          path: `/v1/partner/apps/${objects.release.version.app.appId}/releases/${objects.release.releaseId}`,
          token: objects.release.version.app.partner.token,
        }),
      );
      if (state.state !== 'rollingOut' || state.rolloutPercent !== 50)
        throw new CaseFailure(`another partner changed the release to ${JSON.stringify(state)}`);
    },
  }),
];
