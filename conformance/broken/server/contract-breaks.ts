import type { BrokenServer } from './broken-server.ts';
import { json, pathOf, withJson, type ProxiedResponse } from './rewriting-proxy.ts';

type Json = Record<string, unknown>;

function without(res: ProxiedResponse, name: string): ProxiedResponse {
  return {
    ...res,
    headers: Object.fromEntries(Object.entries(res.headers).filter(([n]) => n !== name)),
  };
}

/** More wrappers, one behaviour each, across the areas of the contract. */
export const contractBreaks: BrokenServer[] = [
  {
    name: 'catalog-shows-unreleased-app',
    violates: 'API-050',
    only: 'server.catalog.only-released-apps',
    story:
      'The catalog detail route reads apps, not releases, so an unreleased app has a store page.',
    rules: {
      response: (res, req) =>
        /^\/v1\/catalog\/apps\/[^/]+$/.test(pathOf(req)) && res.status === 404
          ? withJson(
              {
                ...res,
                status: 200,
                headers: { ...res.headers, 'content-type': 'application/json' },
              },
              {
                app: {
                  appId: pathOf(req).split('/')[4],
                  name: 'Unreleased',
                  category: 'utilities',
                  iconUrl: '/x',
                  version: '1.0.0',
                  versionCode: 1,
                  minHostVersion: '1.0.0',
                },
                locales: ['en'],
                permissions: [],
                screenshots: [],
              },
            )
          : res,
    },
  },
  {
    name: 'next-cursor-on-every-page',
    violates: 'API-048',
    only: 'server.catalog.pagination',
    story:
      'The page query fetches limit rows and always returns a cursor after the last one, even at the end.',
    rules: {
      response: (res, req) => {
        if (pathOf(req) !== '/v1/catalog/apps' || res.status !== 200) return res;
        const body = json(res) as Json & { items: Json[] };
        return body.nextCursor || body.items.length === 0
          ? res
          : withJson(res, { ...body, nextCursor: 'ZW5kLW9mLWxpc3Q' });
      },
    },
  },
  {
    name: 'problem-echoes-credential',
    violates: 'API-014',
    only: 'server.errors.no-internals-in-problems',
    story:
      'The 401 detail quotes the Authorization header it could not resolve, to help debugging.',
    rules: {
      response: (res, req) => {
        const auth = req.headers.authorization;
        if (res.status !== 401 || !auth) return res;
        return withJson(res, { ...(json(res) as Json), detail: `unknown credential: ${auth}` });
      },
    },
  },
  {
    name: 'malformed-json-500',
    violates: 'API-090',
    only: 'server.errors.no-server-error',
    story: 'A JSON parse error escapes the handler and surfaces as an internal error.',
    rules: {
      response: (res, req) => {
        if (res.status !== 400 || !(req.headers['content-type'] ?? '').includes('json')) return res;
        try {
          JSON.parse(req.body.toString('utf8'));
          return res;
        } catch {
          return withJson(
            { ...res, status: 500 },
            {
              type: 'https://openminiapp.dev/errors/API_INTERNAL',
              title: 'Internal error',
              status: 500,
              code: 'API_INTERNAL',
            },
          );
        }
      },
    },
  },
  {
    name: 'review-queue-newest-first',
    violates: 'REV-016',
    only: 'server.review.queue-order',
    story: "The queue is sorted by upload time descending, like the partner's version list.",
    rules: {
      response: (res, req) => {
        if (pathOf(req) !== '/v1/review/queue' || res.status !== 200) return res;
        const body = json(res) as Json & { items: Json[] };
        return withJson(res, { ...body, items: [...body.items].reverse() });
      },
    },
  },
  {
    name: 'countersignature-deferred',
    violates: 'API-084',
    only: 'server.review.countersigned-on-approval',
    story:
      'Approval marks the version approved and a background job signs the release metadata later.',
    rules: {
      response: (res, req) =>
        pathOf(req).endsWith('.release.json') && res.status === 200
          ? withJson(
              {
                ...res,
                status: 404,
                headers: { ...res.headers, 'content-type': 'application/problem+json' },
              },
              {
                type: 'https://openminiapp.dev/errors/API_NOT_FOUND',
                title: 'Not found',
                status: 404,
                code: 'API_NOT_FOUND',
              },
            )
          : res,
    },
  },
  {
    name: 'no-accept-ranges',
    violates: 'API-045',
    only: 'server.bundles.accept-ranges-and-if-range',
    story: 'Ranges work, but the header that tells clients so was never added.',
    rules: {
      response: (res, req) =>
        pathOf(req).startsWith('/v1/bundles/') ? without(res, 'accept-ranges') : res,
    },
  },
  {
    name: 'jwks-without-kid',
    violates: 'API-062',
    only: 'server.tokens.jwks-public-only',
    story: 'The key set is exported by a JWK library that omits kid unless asked.',
    rules: {
      response: (res, req) => {
        if (pathOf(req) !== '/.well-known/jwks.json' || res.status !== 200) return res;
        const body = json(res) as { keys: Json[] };
        return withJson(res, {
          keys: body.keys.map((k) =>
            Object.fromEntries(Object.entries(k).filter(([n]) => n !== 'kid')),
          ),
        });
      },
    },
  },
  {
    name: 'undeclared-scope-granted',
    violates: 'API-061',
    only: 'server.tokens.undeclared-scope',
    story: "Scopes are checked against the permission registry, not against the app's manifest.",
    rules: {
      response: (res) =>
        res.status === 403 && (json(res) as Json).code === 'API_SCOPE_NOT_ALLOWED'
          ? withJson(
              {
                ...res,
                status: 201,
                headers: { ...res.headers, 'content-type': 'application/json' },
              },
              { accessToken: 'a.b.c', tokenType: 'Bearer', expiresIn: 900, scopes: [] },
            )
          : res,
    },
  },
  {
    name: 'upload-without-location',
    violates: 'API-073',
    only: 'server.upload.new-version',
    story: 'The created version is returned without the Location header of its resource.',
    rules: {
      response: (res, req) =>
        req.method === 'PUT' && pathOf(req).endsWith('/versions') && res.status === 201
          ? without(res, 'location')
          : res,
    },
  },
  {
    name: 'index-served-from-stale-cache',
    violates: 'SIG-060',
    only: 'server.trust.index-version-increases',
    story: 'A process-local cache keeps the first index it signed and never picks up newer ones.',
    rules: (() => {
      let first: ProxiedResponse | undefined;
      return {
        response: (res, req) => {
          if (pathOf(req) !== '/v1/trust/index.json' || res.status !== 200) return res;
          first ??= res;
          return first;
        },
      };
    })(),
  },
  {
    name: 'old-root-versions-dropped',
    violates: 'API-037',
    only: 'server.trust.root-versions',
    story:
      'Only the current root is kept; earlier versions are deleted on rotation, stranding hosts that were offline.',
    rules: {
      response: async (res, req, upstream) => {
        const m = /^\/v1\/trust\/(\d+)\.root\.json$/.exec(pathOf(req));
        if (!m) return res;
        const current = await upstream({ ...req, url: '/v1/trust/root.json', headers: {} });
        const version = JSON.parse(
          Buffer.from((json(current) as { payload: string }).payload, 'base64').toString('utf8'),
        ) as { version: number };
        // Version 1 is the oldest root; with a single root the stale copy is the only one to drop.
        return Number(m[1]) === version.version && Number(m[1]) === 1
          ? withJson(
              {
                ...res,
                status: 404,
                headers: { ...res.headers, 'content-type': 'application/problem+json' },
              },
              {
                type: 'https://openminiapp.dev/errors/API_NOT_FOUND',
                title: 'Not found',
                status: 404,
                code: 'API_NOT_FOUND',
              },
            )
          : res;
      },
    },
  },
  {
    name: 'declined-payment-answered-201',
    violates: 'API-057',
    only: 'server.payments.declined',
    story: "The provider's decline is logged and the order is confirmed anyway.",
    needsPrincipals: true,
    rules: {
      response: (res) =>
        res.status === 402
          ? withJson(
              {
                ...res,
                status: 201,
                headers: { ...res.headers, 'content-type': 'application/json' },
              },
              { paymentId: 'pay-declined', status: 'captured' },
            )
          : res,
    },
  },
  {
    name: 'idempotency-key-reused-silently',
    violates: 'API-054',
    only: 'server.payments.capture-and-entitlement',
    story:
      'A repeated Idempotency-Key with another body is answered as a new payment instead of a conflict.',
    needsPrincipals: true,
    rules: {
      response: (res) =>
        res.status === 409 && (json(res) as Json).code === 'API_IDEMPOTENCY_CONFLICT'
          ? withJson(
              {
                ...res,
                status: 201,
                headers: { ...res.headers, 'content-type': 'application/json' },
              },
              { paymentId: 'pay-second', status: 'captured' },
            )
          : res,
    },
  },
  {
    name: 'sandbox-for-everyone',
    violates: 'API-058',
    only: 'server.payments.sandbox-test-principals-only',
    story: 'The sandbox provider is enabled for every principal in the deployment configuration.',
    needsPrincipals: true,
    rules: {
      response: (res, req) =>
        pathOf(req) === '/v1/payments' && res.status === 403
          ? withJson(
              {
                ...res,
                status: 201,
                headers: { ...res.headers, 'content-type': 'application/json' },
              },
              { paymentId: 'pay-sandbox', status: 'captured' },
            )
          : res,
    },
  },
];
