import type { BrokenServer } from './broken-server.ts';
import { json, pathOf, requestJson, withJson, type ProxiedRequest } from './rewriting-proxy.ts';

type Json = Record<string, unknown>;
type Result = { appId: string; kind: string; update?: Json; replacement?: Json };

function rewriteRequestJson(
  req: ProxiedRequest,
  change: (body: Json) => Json | undefined,
): ProxiedRequest {
  const body = requestJson(req) as Json | undefined;
  const changed = body ? change(body) : undefined;
  return changed ? { ...req, body: Buffer.from(JSON.stringify(changed)) } : req;
}

function rewriteResults(change: (results: Result[], request: Json) => Result[]) {
  return (
    res: { status: number; headers: Record<string, string>; body: Buffer },
    req: ProxiedRequest,
  ) => {
    if (pathOf(req) !== '/v1/updates/check' || res.status !== 200) return res;
    const body = json(res) as { results: Result[] };
    return withJson(res, { ...body, results: change(body.results, requestJson(req) as Json) });
  };
}

const deviceIdPattern = /^[A-Za-z0-9_-]{16,128}$/;

export const hostBreaks: BrokenServer[] = [
  {
    name: 'batch-results-sorted-by-app',
    violates: 'API-022',
    only: 'server.updates.batch-order-and-unknown-apps',
    story: 'Results come from a query ordered by app id instead of the request order.',
    rules: {
      response: rewriteResults((results) =>
        [...results].sort((a, b) => a.appId.localeCompare(b.appId)),
      ),
    },
  },
  {
    name: 'batch-truncated-to-200',
    violates: 'API-030',
    only: 'server.updates.batch-limit',
    story: 'An oversized batch is silently cut to its first 200 apps instead of being refused.',
    rules: {
      request: (req) =>
        pathOf(req) === '/v1/updates/check'
          ? rewriteRequestJson(req, (b) =>
              Array.isArray(b.apps) && b.apps.length > 200
                ? { ...b, apps: b.apps.slice(0, 200) }
                : undefined,
            )
          : req,
    },
  },
  {
    name: 'device-id-normalised',
    violates: 'API-082',
    only: 'server.updates.device-id-format',
    story: 'Device ids that do not match are hashed into a valid one instead of being refused.',
    rules: {
      request: (req) => {
        const url = new URL(req.url, 'http://x');
        const single = url.searchParams.get('deviceId');
        if (single !== null && !deviceIdPattern.test(single)) {
          url.searchParams.set('deviceId', 'normalised-device-0000');
          return { ...req, url: url.pathname + url.search };
        }
        return pathOf(req) === '/v1/updates/check'
          ? rewriteRequestJson(req, (b) =>
              typeof b.deviceId === 'string' && !deviceIdPattern.test(b.deviceId)
                ? { ...b, deviceId: 'normalised-device-0000' }
                : undefined,
            )
          : req;
      },
    },
  },
  {
    name: 'installed-version-offered',
    violates: 'API-027',
    only: 'server.updates.never-same-or-lower',
    story: 'The comparison uses >= on versionCode, so the installed version is offered again.',
    rules: {
      response: rewriteResults((results, request) =>
        results.map((r, i) => {
          const installed = ((request.apps as Json[])[i]?.versionCode as number) ?? 0;
          return r.kind === 'upToDate' && installed > 0 && installed < 10
            ? {
                appId: r.appId,
                kind: 'update',
                update: {
                  versionCode: installed,
                  version: `1.0.${installed}`,
                  releaseUrl: `/v1/releases/${r.appId}/${installed}.release.json`,
                  packageUrl: `/v1/bundles/sha256/${'0'.repeat(64)}.ma`,
                  length: 1,
                  sha256: '0'.repeat(64),
                  mandatory: false,
                },
              }
            : r;
        }),
      ),
    },
  },
  {
    name: 'mandatory-not-latched',
    violates: 'API-034',
    only: 'server.updates.mandatory-latch',
    story:
      'mandatory is copied from the offered release only, so a skipped mandatory release is forgotten.',
    rules: {
      response: rewriteResults((results) =>
        results.map((r) =>
          r.kind === 'update' && r.update ? { ...r, update: { ...r.update, mandatory: false } } : r,
        ),
      ),
    },
  },
  {
    name: 'revoked-answered-up-to-date',
    violates: 'API-028',
    only: 'server.updates.revoked',
    story:
      'Revocation only removes the release from the candidates, so devices that have it hear upToDate.',
    rules: {
      response: rewriteResults((results) =>
        results.map((r) => (r.kind === 'revoked' ? { appId: r.appId, kind: 'upToDate' } : r)),
      ),
    },
  },
  {
    name: 'single-check-ignores-channel',
    violates: 'API-031',
    only: 'server.updates.single-matches-batch,server.updates.property-batch-equals-single',
    story: 'The GET route forgets to pass its channel parameter and always answers for stable.',
    rules: {
      request: (req) => {
        if (!/^\/v1\/apps\/[^/]+\/update$/.test(pathOf(req))) return req;
        const url = new URL(req.url, 'http://x');
        url.searchParams.set('channel', 'stable');
        return { ...req, url: url.pathname + url.search };
      },
    },
  },
  {
    name: 'single-check-unknown-app-404',
    violates: 'API-029',
    only: 'server.updates.batch-order-and-unknown-apps',
    story:
      'The GET route loads the catalog entry of its app first and answers 404 when there is none; only the batch route was written to answer upToDate.',
    rules: {
      response: async (res, req, upstream) => {
        const m = /^\/v1\/apps\/([^/]+)\/update$/.exec(pathOf(req));
        if (!m || res.status !== 200 || req.method !== 'GET') return res;
        const entry = await upstream({ ...req, url: `/v1/catalog/apps/${m[1]}` });
        if (entry.status !== 404) return res;
        return withJson(
          { ...res, status: 404, headers: { 'content-type': 'application/problem+json' } },
          {
            type: 'https://openminiapp.dev/errors/API_NOT_FOUND',
            title: 'Not found',
            status: 404,
            code: 'API_NOT_FOUND',
            detail: `no app ${m[1]}`,
          },
        );
      },
    },
  },
  {
    name: 'single-check-cached-five-minutes',
    violates: 'API-032',
    only: 'server.updates.single-matches-batch',
    story:
      "The GET route got the catalog routes' caching (private, max-age=300), longer than the 60 s an update answer may live.",
    rules: {
      response: (res, req) =>
        /^\/v1\/apps\/[^/]+\/update$/.test(pathOf(req)) && res.status === 200
          ? { ...res, headers: { ...res.headers, 'cache-control': 'private, max-age=300' } }
          : res,
    },
  },
  {
    name: 'catalog-entry-without-cache-control',
    violates: 'API-017',
    only: 'server.catalog.locale-lookup,server.contract.get-catalog-app',
    story:
      'The catalog detail handler sets an ETag but not the Cache-Control its sibling list route sets, so shared caches apply heuristics.',
    rules: {
      response: (res, req) => {
        if (!/^\/v1\/catalog\/apps\/[^/]+$/.test(pathOf(req)) || res.status !== 200) return res;
        const headers = { ...res.headers };
        delete headers['cache-control'];
        return { ...res, headers };
      },
    },
  },
  {
    name: 'catalog-limit-clamped',
    violates: 'API-048',
    only: 'server.catalog.pagination',
    story: 'Out-of-range limits are clamped to 1..100 instead of being refused.',
    rules: {
      request: (req) => {
        if (pathOf(req) !== '/v1/catalog/apps') return req;
        const url = new URL(req.url, 'http://x');
        const limit = url.searchParams.get('limit');
        if (limit === null) return req;
        const n = Number(limit);
        url.searchParams.set(
          'limit',
          String(Number.isInteger(n) ? Math.min(100, Math.max(1, n)) : 20),
        );
        return { ...req, url: url.pathname + url.search };
      },
    },
  },
  {
    name: 'invalid-cursor-restarts',
    violates: 'API-049',
    only: 'server.catalog.forged-cursor',
    story:
      'A cursor that fails to decode is treated as "no cursor", restarting from the first page.',
    rules: {
      response: async (res, req, upstream) => {
        if (
          pathOf(req) !== '/v1/catalog/apps' ||
          res.status !== 400 ||
          (json(res) as Json).code !== 'API_CURSOR_INVALID'
        )
          return res;
        const url = new URL(req.url, 'http://x');
        url.searchParams.delete('cursor');
        return upstream({ ...req, url: url.pathname + url.search });
      },
    },
  },
  {
    name: 'no-content-language',
    violates: 'API-051',
    only: 'server.catalog.locale-lookup',
    story: 'The localised strings are chosen but the response does not say in which language.',
    rules: {
      response: (res) => {
        const headers = { ...res.headers };
        delete headers['content-language'];
        return { ...res, headers };
      },
    },
  },
  {
    name: 'icon-without-sandbox',
    violates: 'API-096',
    only: 'server.catalog.icons',
    story: 'Icons are served by the static-file handler, which sets no Content-Security-Policy.',
    rules: {
      response: (res, req) => {
        if (!pathOf(req).includes('/icons/')) return res;
        const headers = { ...res.headers };
        delete headers['content-security-policy'];
        return { ...res, headers };
      },
    },
  },
  {
    name: 'jwks-with-private-key',
    violates: 'API-062',
    only: 'server.tokens.jwks-public-only',
    story: 'The key set is exported from the key store with its private members.',
    rules: {
      response: (res, req) => {
        if (pathOf(req) !== '/.well-known/jwks.json' || res.status !== 200) return res;
        const body = json(res) as { keys: Json[] };
        return withJson(res, {
          keys: body.keys.map((k) => ({ ...k, d: 'bm90LWEtcmVhbC1wcml2YXRlLWtleS1idXQtY2xvc2U' })),
        });
      },
    },
  },
  {
    name: 'analytics-batch-truncated',
    violates: 'API-064',
    only: 'server.analytics.batch-limits',
    story: 'An oversized batch is cut to 500 events instead of being refused as a whole.',
    rules: {
      request: (req) =>
        pathOf(req) === '/v1/analytics/events'
          ? (() => {
              const body = requestJson(req) as Json | undefined;
              return body && Array.isArray(body.events) && body.events.length > 500
                ? {
                    ...req,
                    body: Buffer.from(
                      JSON.stringify({ ...body, events: body.events.slice(0, 500) }),
                    ),
                  }
                : req;
            })()
          : req,
    },
  },
  {
    name: 'stale-events-kept',
    violates: 'ANL-015',
    only: 'server.analytics.batch-partially-accepted',
    story:
      'The freshness window is applied in the aggregation job, not at ingestion, so stale events are accepted.',
    rules: {
      response: (res, req) => {
        if (pathOf(req) !== '/v1/analytics/events' || res.status !== 202) return res;
        const body = json(res) as { accepted: number; dropped: { index: number; code: string }[] };
        const stale = body.dropped.filter((d) => d.code === 'ANALYTICS_EVENT_STALE').length;
        return withJson(res, {
          accepted: body.accepted + stale,
          dropped: body.dropped.filter((d) => d.code !== 'ANALYTICS_EVENT_STALE'),
        });
      },
    },
  },
];
