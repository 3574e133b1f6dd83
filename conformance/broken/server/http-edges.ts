import type { BrokenServer } from './broken-server.ts';
import { pathOf, requestJson, withJson, type ProxiedRequest } from './rewriting-proxy.ts';

const isBundle = (req: ProxiedRequest) => pathOf(req).startsWith('/v1/bundles/sha256/');

/** Clamps each number of a host API version to nine digits, as a parser that saturates would. */
function clamped(version: string): string {
  return version
    .split('.')
    .map((n) => (/^\d{10,}$/.test(n) ? '999999999' : n))
    .join('.');
}

export const httpEdgeBreaks: BrokenServer[] = [
  {
    name: 'sniffable-bundles',
    violates: 'API-175',
    only: 'server.bundles.digest-and-type,server.errors.nosniff-everywhere',
    story:
      'Bundles are served by a static-file handler that bypasses the hook adding security headers.',
    rules: {
      response: (res, req) => {
        if (!isBundle(req)) return res;
        const headers = { ...res.headers };
        delete headers['x-content-type-options'];
        return { ...res, headers };
      },
    },
  },
  {
    name: 'method-not-allowed-as-404',
    violates: 'API-178',
    only: 'server.errors.method-not-allowed',
    story:
      'The router knows paths only by method, so a known path with another method falls through to the 404 handler.',
    rules: {
      response: (res) => {
        if (res.status !== 405) return res;
        const headers = { ...res.headers };
        delete headers.allow;
        return withJson(
          { ...res, status: 404, headers },
          {
            type: 'https://openminiapp.dev/errors/API_NOT_FOUND',
            title: 'Not found',
            status: 404,
            code: 'API_NOT_FOUND',
          },
        );
      },
    },
  },
  {
    name: 'first-of-several-ranges',
    violates: 'API-179',
    only: 'server.bundles.ignored-ranges',
    story:
      'The range parser splits on commas and serves the first range, answering 206 to a multi-range request.',
    rules: {
      request: (req) => {
        const range = req.headers.range;
        if (!isBundle(req) || !range?.startsWith('bytes=') || !range.includes(',')) return req;
        return { ...req, headers: { ...req.headers, range: range.split(',')[0] as string } };
      },
    },
  },
  {
    name: 'host-api-version-saturates',
    violates: 'VER-170',
    only: 'server.updates.host-api-version-bounds',
    story:
      'The version parser saturates each number at its maximum instead of refusing a longer one.',
    rules: {
      request: (req) => {
        const url = new URL(req.url, 'http://x');
        const query = url.searchParams.get('hostApiVersion');
        if (query !== null) {
          url.searchParams.set('hostApiVersion', clamped(query));
          return { ...req, url: url.pathname + url.search };
        }
        const body = pathOf(req) === '/v1/updates/check' ? requestJson(req) : undefined;
        if (typeof body !== 'object' || body === null) return req;
        const version = (body as { hostApiVersion?: unknown }).hostApiVersion;
        if (typeof version !== 'string') return req;
        return {
          ...req,
          body: Buffer.from(JSON.stringify({ ...body, hostApiVersion: clamped(version) })),
        };
      },
    },
  },
];
