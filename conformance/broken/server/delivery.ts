import type { BrokenServer } from './broken-server.ts';
import { json, pathOf, withJson, type ProxiedResponse } from './rewriting-proxy.ts';

const isBundle = (path: string) => path.startsWith('/v1/bundles/sha256/');

function header(res: ProxiedResponse, name: string, value: string | undefined): ProxiedResponse {
  const headers = Object.fromEntries(Object.entries(res.headers).filter(([n]) => n !== name));
  if (value !== undefined) headers[name] = value;
  return { ...res, headers };
}

export const deliveryBreaks: BrokenServer[] = [
  {
    name: 'weak-etags',
    violates: 'API-018',
    only: 'server.caching.strong-etags',
    story: 'A compression middleware weakens every ETag it passes, as some proxies do.',
    rules: {
      response: (res) =>
        res.headers.etag && !res.headers.etag.startsWith('W/')
          ? header(res, 'etag', `W/${res.headers.etag}`)
          : res,
    },
  },
  {
    name: 'catalog-etag-from-version',
    violates: 'API-018',
    only: 'server.caching.strong-etags',
    story:
      'The catalog entry ETag is made from the app id and its versionCode, cheaper than hashing the body, so the English and French entries share one ETag.',
    rules: {
      response: (res, req) => {
        if (!/^\/v1\/catalog\/apps\/[^/]+$/.test(pathOf(req)) || res.status !== 200) return res;
        const entry = json(res) as { app?: { appId?: string; versionCode?: number } } | undefined;
        const etag = `"${entry?.app?.appId ?? 'app'}-${entry?.app?.versionCode ?? 0}"`;
        if (req.headers['if-none-match']?.split(/\s*,\s*/).includes(etag))
          return { status: 304, headers: header(res, 'etag', etag).headers, body: Buffer.alloc(0) };
        return header(res, 'etag', etag);
      },
    },
  },
  {
    name: 'if-none-match-ignored',
    violates: 'API-019',
    only: 'server.caching.not-modified',
    story: 'Conditional requests were never implemented; every GET answers 200.',
    rules: {
      request: (req) => {
        const headers = { ...req.headers };
        delete headers['if-none-match'];
        return { ...req, headers };
      },
    },
  },
  {
    name: 'no-vary-authorization',
    violates: 'API-020',
    only: 'server.caching.credential-dependent',
    story: 'The implementer thought no-store made Vary pointless and dropped it everywhere.',
    rules: { response: (res) => header(res, 'vary', undefined) },
  },
  {
    name: 'update-check-cacheable',
    violates: 'API-021',
    only: 'server.updates.no-store',
    story:
      'Update answers were made cacheable for a minute to save load, the batch route included.',
    rules: {
      response: (res, req) =>
        pathOf(req) === '/v1/updates/check'
          ? header(res, 'cache-control', 'private, max-age=60')
          : res,
    },
  },
  {
    name: 'root-cached-for-a-day',
    violates: 'API-036',
    only: 'server.trust.root-current',
    story: 'Static-file defaults give root.json a day of caching, so hosts miss a rotation.',
    rules: {
      response: (res, req) =>
        pathOf(req) === '/v1/trust/root.json'
          ? header(res, 'cache-control', 'public, max-age=86400')
          : res,
    },
  },
  {
    name: 'index-cached-for-an-hour',
    violates: 'API-038',
    only: 'server.trust.index-signed-and-fresh',
    story:
      'The CDN rule for JSON files sets an hour, longer than the 300 s the index may be cached.',
    rules: {
      response: (res, req) =>
        pathOf(req) === '/v1/trust/index.json'
          ? header(res, 'cache-control', 'public, max-age=3600')
          : res,
    },
  },
  {
    name: 'release-envelope-reserialised',
    violates: 'API-040',
    only: 'server.trust.release-envelope,server.trust.index-pins-release',
    story:
      'The envelope is stored as parsed JSON and pretty-printed on the way out, so its bytes differ from the pinned ones.',
    rules: {
      response: (res, req) =>
        pathOf(req).endsWith('.release.json') && res.status === 200
          ? { ...res, body: Buffer.from(JSON.stringify(json(res), null, 2)) }
          : res,
    },
  },
  {
    name: 'trust-routes-need-credentials',
    violates: 'API-041',
    only: 'server.trust.routes-public',
    story: 'Every /v1 route was put behind the host device credential, trust files included.',
    rules: {
      request: (req) =>
        (pathOf(req).startsWith('/v1/trust/') || pathOf(req).startsWith('/v1/releases/')) &&
        !req.headers.authorization
          ? {
              status: 401,
              headers: { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer' },
              body: Buffer.from(
                JSON.stringify({
                  type: 'https://openminiapp.dev/errors/API_UNAUTHENTICATED',
                  title: 'Authentication required',
                  status: 401,
                  code: 'API_UNAUTHENTICATED',
                }),
              ),
            }
          : req,
    },
  },
  {
    name: 'bundle-served-as-zip',
    violates: 'API-042',
    only: 'server.bundles.digest-and-type',
    story: 'The file server maps .ma by its ZIP magic to application/zip.',
    rules: {
      response: (res, req) =>
        isBundle(pathOf(req)) && res.status < 300
          ? header(res, 'content-type', 'application/zip')
          : res,
    },
  },
  {
    name: 'bundle-etag-from-mtime',
    violates: 'API-043',
    only: 'server.bundles.etag-and-immutable',
    story:
      "The static-file server's default ETag (size and modification time) is used instead of the digest.",
    rules: {
      response: (res, req) =>
        isBundle(pathOf(req)) && res.headers.etag
          ? header(res, 'etag', `"${res.body.length.toString(16)}-18c2f9a1b40"`)
          : res,
    },
  },
  {
    name: 'range-end-exclusive',
    violates: 'API-044',
    only: 'server.bundles.single-range',
    story: 'The range end is treated as exclusive, so every partial response is one byte short.',
    rules: {
      response: (res, req) => {
        if (!isBundle(pathOf(req)) || res.status !== 206 || res.body.length < 2) return res;
        const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers['content-range'] ?? '');
        if (!m) return res;
        return {
          ...header(res, 'content-range', `bytes ${m[1]}-${Number(m[2]) - 1}/${m[3]}`),
          body: res.body.subarray(0, res.body.length - 1),
        };
      },
    },
  },
  {
    name: 'long-suffix-range-unsatisfiable',
    violates: 'API-044',
    only: 'server.bundles.single-range',
    story:
      'A suffix range is computed as start = length - N without clamping at 0, so a suffix longer than the bundle is answered 416.',
    rules: {
      response: (res, req) => {
        const suffix = /^bytes=-(\d+)$/.exec(req.headers.range ?? '');
        const m = /^bytes \d+-\d+\/(\d+)$/.exec(res.headers['content-range'] ?? '');
        if (!isBundle(pathOf(req)) || res.status !== 206 || !suffix || !m) return res;
        if (Number(suffix[1]) <= Number(m[1])) return res;
        return withJson(
          {
            status: 416,
            headers: {
              'content-type': 'application/problem+json',
              'content-range': `bytes */${m[1]}`,
            },
            body: Buffer.alloc(0),
          },
          {
            type: 'https://openminiapp.dev/errors/API_RANGE_NOT_SATISFIABLE',
            title: 'Range not satisfiable',
            status: 416,
            code: 'API_RANGE_NOT_SATISFIABLE',
          },
        );
      },
    },
  },
  {
    name: 'unsatisfiable-range-without-length',
    violates: 'API-044',
    only: 'server.bundles.unsatisfiable-range',
    story: 'The 416 is raised as a generic error that loses the Content-Range header.',
    rules: {
      response: (res) => (res.status === 416 ? header(res, 'content-range', undefined) : res),
    },
  },
  {
    name: 'if-range-ignored',
    violates: 'API-045',
    only: 'server.bundles.accept-ranges-and-if-range',
    story:
      'Range support was added without If-Range, so a stale resume gets a range of another file.',
    rules: {
      request: (req) => {
        const headers = { ...req.headers };
        delete headers['if-range'];
        return { ...req, headers };
      },
    },
  },
  {
    name: 'if-range-weak-or-bare-match',
    violates: 'API-045',
    only: 'server.bundles.accept-ranges-and-if-range',
    story:
      'If-Range is compared after normalising the validator the way If-None-Match is (W/ and quotes dropped), so a weak or bare digest resumes with a range where RFC 9110 demands a strong match.',
    rules: {
      request: (req) => {
        const value = req.headers['if-range'];
        if (value === undefined || !isBundle(pathOf(req))) return req;
        const bare = value.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
        return { ...req, headers: { ...req.headers, 'if-range': `"${bare}"` } };
      },
    },
  },
  {
    name: 'if-range-date-ignored',
    violates: 'API-045',
    only: 'server.bundles.accept-ranges-and-if-range',
    story:
      'If-Range is checked only when it looks like an entity tag; a date (what clients send when they kept Last-Modified) is skipped as if absent, so the range applies to whatever the file is now.',
    rules: {
      request: (req) => {
        const value = req.headers['if-range'];
        if (value === undefined || value.trim().startsWith('"') || value.trim().startsWith('W/'))
          return req;
        const headers = { ...req.headers };
        delete headers['if-range'];
        return { ...req, headers };
      },
    },
  },
  {
    name: 'malformed-digest-400',
    violates: 'API-046',
    only: 'server.bundles.bad-digest-not-found',
    story:
      'The digest is validated by the route schema, which answers 400 for anything but lowercase hex.',
    rules: {
      response: (res, req) =>
        isBundle(pathOf(req)) &&
        res.status === 404 &&
        !/^\/v1\/bundles\/sha256\/[0-9a-f]{64}\.ma$/.test(pathOf(req))
          ? withJson(
              { ...res, status: 400 },
              {
                ...(json(res) as object),
                status: 400,
                code: 'API_VALIDATION_FAILED',
                type: 'https://openminiapp.dev/errors/API_VALIDATION_FAILED',
              },
            )
          : res,
    },
  },
  {
    name: 'update-etag-from-request',
    violates: 'API-018',
    only: 'server.caching.validators-follow-changes',
    story:
      'The single update answer gets an ETag made from what the host asked (app, installed versionCode, channel, host API version), so a 304 is decided before the selection runs; after a rollback the answer changes and the ETag does not, and a revalidating host keeps the rolled-back offer.',
    rules: {
      response: (res, req) => {
        const match = /^\/v1\/apps\/([^/]+)\/update$/.exec(pathOf(req));
        if (!match || (res.status !== 200 && res.status !== 304)) return res;
        const q = new URL(req.url, 'http://x').searchParams;
        const etag = `"${[match[1], q.get('versionCode'), q.get('channel'), q.get('hostApiVersion')].join(':')}"`;
        const listed = (req.headers['if-none-match'] ?? '')
          .split(',')
          .map((v) => v.trim().replace(/^W\//, ''));
        if (listed.includes(etag))
          return { status: 304, headers: header(res, 'etag', etag).headers, body: Buffer.alloc(0) };
        return header(res, 'etag', etag);
      },
    },
  },
];
