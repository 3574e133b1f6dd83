import type { BrokenServer } from './broken-server.ts';
import {
  json,
  pathOf,
  withJson,
  type ProxiedRequest,
  type ProxiedResponse,
} from './rewriting-proxy.ts';

type Json = Record<string, unknown>;
type Upstream = (req: ProxiedRequest) => Promise<ProxiedResponse>;

const immutable = 'public, max-age=31536000, immutable';

function notFound(res: ProxiedResponse, detail: string): ProxiedResponse {
  return withJson(
    { ...res, status: 404, headers: { 'content-type': 'application/problem+json' } },
    {
      type: 'https://openminiapp.dev/errors/API_NOT_FOUND',
      title: 'Not found',
      status: 404,
      code: 'API_NOT_FOUND',
      detail,
    },
  );
}

/** The payload of a DSSE envelope the upstream served, or undefined. */
function payloadOf(res: ProxiedResponse): Json | undefined {
  const envelope = json(res) as { payload?: unknown } | undefined;
  if (res.status !== 200 || typeof envelope?.payload !== 'string') return undefined;
  try {
    return JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as Json;
  } catch {
    return undefined;
  }
}

async function get(
  upstream: Upstream,
  req: ProxiedRequest,
  path: string,
): Promise<Json | undefined> {
  return payloadOf(await upstream({ ...req, method: 'GET', url: path, body: Buffer.alloc(0) }));
}

/** The version of each bin the newest index pins, by prefix. */
async function pinnedBins(upstream: Upstream, req: ProxiedRequest): Promise<Map<string, number>> {
  const index = await get(upstream, req, '/v1/trust/index.json');
  const bins = (index?.bins ?? []) as { prefix: string; version: number }[];
  return new Map(bins.map((b) => [b.prefix === '' ? 'all' : b.prefix, b.version]));
}

/** The delegation version an app's entry pins in the newest bins, if any. */
async function pinnedDelegation(
  upstream: Upstream,
  req: ProxiedRequest,
  appId: string,
): Promise<number | undefined> {
  for (const [prefix, version] of await pinnedBins(upstream, req)) {
    const bin = await get(upstream, req, `/v1/trust/bins/${prefix}/${version}.bin.json`);
    const entry = (bin?.apps as Record<string, { delegation?: { version: number } }> | undefined)?.[
      appId
    ];
    if (entry?.delegation) return entry.delegation.version;
  }
  return undefined;
}

/** Consistent snapshots (API-102 to API-104) kept only as the newest of each, as a store keyed too coarsely does. */
export const snapshotBreaks: BrokenServer[] = [
  {
    name: 'versioned-index-serves-newest',
    violates: 'API-102',
    only: 'server.trust.index-snapshots',
    story:
      '/v1/trust/{version}.index.json was routed to the index.json handler with an immutable header, so every version number gets the newest index.',
    rules: {
      // The marker header tells the response rule which answers came from a versioned address.
      request: (req) =>
        /^\/v1\/trust\/\d+\.index\.json$/.test(pathOf(req))
          ? { ...req, url: '/v1/trust/index.json', headers: { ...req.headers, 'x-versioned': '1' } }
          : req,
      response: (res, req) =>
        req.headers['x-versioned'] && res.status === 200
          ? { ...res, headers: { ...res.headers, 'cache-control': immutable } }
          : res,
    },
  },
  {
    name: 'bins-overwritten-per-prefix',
    violates: 'API-103',
    only: 'server.trust.bins',
    story:
      'Bins are stored one row per prefix and overwritten when the prefix changes, so a bin pinned by the previous index is gone.',
    rules: {
      response: async (res, req, upstream) => {
        const m = /^\/v1\/trust\/bins\/([^/]+)\/(\d+)\.bin\.json$/.exec(pathOf(req));
        if (!m || res.status !== 200) return res;
        const current = (await pinnedBins(upstream, req)).get(m[1] as string);
        return current === Number(m[2]) ? res : notFound(res, `no bin ${m[1]} version ${m[2]}`);
      },
    },
  },
  {
    name: 'delegation-upserted-per-app',
    violates: 'API-104',
    only: 'server.trust.delegation,server.trust.delegation-versions',
    story:
      'A new delegation replaces the row of its app (an upsert on app id), so the delegation that earlier bins pin is no longer served.',
    rules: {
      response: async (res, req, upstream) => {
        const m = /^\/v1\/delegations\/([^/]+)\/(\d+)\.delegation\.json$/.exec(pathOf(req));
        if (!m || res.status !== 200) return res;
        const newest = await pinnedDelegation(upstream, req, m[1] as string);
        return newest === undefined || newest === Number(m[2])
          ? res
          : notFound(res, `no delegation ${m[2]} of ${m[1]}`);
      },
    },
  },
];
