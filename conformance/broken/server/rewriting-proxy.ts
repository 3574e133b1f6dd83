import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test fixture: an HTTP proxy in front of a conforming server that rewrites one behaviour, the way a
 * broken implementation would behave. Requests and responses are buffered whole, which is fine for the
 * cases a broken server is certified with.
 */
export interface ProxiedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface ProxiedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface RewriteRules {
  /** Rewrites the request, or answers it without the upstream. */
  request?(
    req: ProxiedRequest,
  ): ProxiedRequest | ProxiedResponse | Promise<ProxiedRequest | ProxiedResponse>;
  /** Rewrites the upstream's response; `upstream` sends another request to the conforming server. */
  response?(
    res: ProxiedResponse,
    req: ProxiedRequest,
    upstream: (req: ProxiedRequest) => Promise<ProxiedResponse>,
  ): ProxiedResponse | Promise<ProxiedResponse>;
}

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
  'content-length',
]);

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Sends one buffered request upstream. */
export function forward(upstream: URL, req: ProxiedRequest): Promise<ProxiedResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      new URL(req.url, upstream),
      {
        method: req.method,
        headers: { ...req.headers, host: upstream.host, 'content-length': String(req.body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers = flatten(res.headers);
          // A HEAD answer's length describes the body a GET would carry.
          if (req.method === 'HEAD' && res.headers['content-length'])
            headers['content-length'] = res.headers['content-length'];
          resolve({ status: res.statusCode ?? 502, headers, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

function isResponse(value: ProxiedRequest | ProxiedResponse): value is ProxiedResponse {
  return 'status' in value;
}

export interface RunningProxy {
  url: string;
  close(): Promise<void>;
}

export async function startProxy(upstream: string, rules: RewriteRules): Promise<RunningProxy> {
  const target = new URL(upstream);
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (c: Buffer) => chunks.push(c));
    incoming.on('end', () => {
      void (async () => {
        const original: ProxiedRequest = {
          method: incoming.method ?? 'GET',
          url: incoming.url ?? '/',
          headers: flatten(incoming.headers),
          body: Buffer.concat(chunks),
        };
        delete original.headers.host;
        const rewritten = rules.request ? await rules.request(original) : original;
        let response = isResponse(rewritten) ? rewritten : await forward(target, rewritten);
        const req = isResponse(rewritten) ? original : rewritten;
        if (rules.response)
          response = await rules.response(response, req, (r) => forward(target, r));
        const noBody = req.method === 'HEAD' || response.status === 304 || response.status === 204;
        const headers = { ...response.headers };
        if (req.method !== 'HEAD') delete headers['content-length'];
        if (!noBody) headers['content-length'] = String(response.body.length);
        outgoing.writeHead(response.status, headers);
        outgoing.end(noBody ? undefined : response.body);
      })().catch((error: unknown) => {
        outgoing.writeHead(502, { 'content-type': 'text/plain' });
        outgoing.end(`proxy failure: ${String(error)}`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** JSON helpers for rules. */
export function json(res: ProxiedResponse): unknown {
  try {
    return JSON.parse(res.body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function withJson(
  res: ProxiedResponse,
  value: unknown,
  extra: Record<string, string> = {},
): ProxiedResponse {
  return {
    ...res,
    headers: { ...res.headers, ...extra },
    body: Buffer.from(JSON.stringify(value)),
  };
}

export function requestJson(req: ProxiedRequest): unknown {
  try {
    return JSON.parse(req.body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function pathOf(req: ProxiedRequest): string {
  return new URL(req.url, 'http://x').pathname;
}
