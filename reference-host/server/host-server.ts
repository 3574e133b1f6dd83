/**
 * The web host's own server: it serves the shell on the host origin, and on every mini-app origin
 * (`<label>.localhost`) only the runtime's bootstrap and service worker, never a mini-app's file. It
 * anchors each version's file digests and policy in the worker script it serves, and forwards the
 * shell's requests to distribution servers (which send no CORS headers) and to the origins a
 * mini-app's network.request may reach.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isIP, type AddressInfo, type LookupFunction } from 'node:net';
import { lookup as dnsLookup } from 'node:dns';
import { rootCertificates } from 'node:tls';

export interface HostServerOptions {
  /** The built web layer (reference-host/dist/<mode>). */
  webDir: string;
  port: number;
  /** Served as /__config.json: the configuration a development build starts with. */
  config?: unknown;
  /** Loopback only by default. */
  bindHost?: string;
}

export interface RunningHostServer {
  server: Server;
  port: number;
  /** http://127.0.0.1:<port> */
  hostOrigin: string;
  runtimeOrigin(label: string): string;
  close(): Promise<void>;
}

interface Registration {
  versionKey: string;
  launch: unknown;
}

const labelPattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const keyPattern = /^[A-Za-z0-9_-]{1,64}$/;
const maxRegistrationBytes = 4 * 1024 * 1024;
const maxForwardBodyBytes = 2 * 1024 * 1024;
const maxNetworkBytes = 256 * 1024;
const hostNamePattern =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * The conformance adapter's `init.network` [CNF-030]: this server sends the traffic of mini-apps and
 * of distribution servers, so it is here, not in the browser the suite drives, that the suite's host
 * names must resolve and its certificate authority be trusted.
 */
interface NetworkOverrides {
  resolve: Map<string, string>;
  /** A connection to a name of `resolve` on one of these ports goes to the port it maps to. */
  ports: Map<string, number>;
  ca: string[];
}

function parseNetwork(text: string): NetworkOverrides | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const {
    resolve = {},
    ports = {},
    caCertificates = [],
  } = value as {
    resolve?: unknown;
    ports?: unknown;
    caCertificates?: unknown;
  };
  if (typeof resolve !== 'object' || resolve === null || Array.isArray(resolve)) return null;
  if (typeof ports !== 'object' || ports === null || Array.isArray(ports)) return null;
  if (!Array.isArray(caCertificates)) return null;
  const portMap = new Map<string, number>();
  for (const [from, to] of Object.entries(ports)) {
    if (
      !/^[1-9][0-9]{0,4}$/.test(from) ||
      !Number.isInteger(to) ||
      (to as number) < 1 ||
      (to as number) > 65535
    )
      return null;
    portMap.set(from, to as number);
  }
  const names = new Map<string, string>();
  for (const [name, address] of Object.entries(resolve)) {
    if (!hostNamePattern.test(name) || typeof address !== 'string' || isIP(address) === 0)
      return null;
    names.set(name, address);
  }
  const ca: string[] = [];
  for (const pem of caCertificates) {
    if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----')) return null;
    ca.push(pem);
  }
  return { resolve: names, ports: portMap, ca };
}

/** Resolves the overridden names to their addresses, and every other name as the system does. */
function lookupWith(names: Map<string, string>): LookupFunction {
  return (hostname, options, callback) => {
    const address = names.get(hostname.toLowerCase());
    if (address === undefined) return dnsLookup(hostname, options, callback);
    const family = isIP(address);
    if (options.all) {
      (callback as unknown as (e: null, all: { address: string; family: number }[]) => void)(null, [
        { address, family },
      ]);
    } else callback(null, address, family);
  };
}

const staticTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

function send(
  res: ServerResponse,
  status: number,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The shell's page policy: its own code only; frames only on runtime origins; no framing of it. */
function shellPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob: http: https:",
    "media-src 'self' blob: mediastream:",
    "connect-src 'self'",
    `frame-src http://*.localhost:${port}`,
    // The shell's own verification worker, and nothing else.
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Only loopback over http (development servers); anything else only over https. */
function forwardable(target: URL): boolean {
  if (target.protocol === 'https:') return true;
  return (
    target.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)
  );
}

const droppedRequestHeaders = new Set([
  'host',
  'origin',
  'referer',
  'cookie',
  'connection',
  'content-length',
  'accept-encoding',
  'x-omp-forward',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
]);
const keptResponseHeaders = [
  'x-omp-upstream',
  'content-type',
  'etag',
  'cache-control',
  'content-range',
  'accept-ranges',
  'content-language',
  'retry-after',
  'vary',
];

export async function startHostServer(options: HostServerOptions): Promise<RunningHostServer> {
  const registrations = new Map<string, Registration>();
  const runtimeDir = path.join(options.webDir, 'runtime');
  const [bootstrapJs, workerJs, clientJs] = await Promise.all(
    ['bootstrap.js', 'sw.js', 'client.js'].map((f) => readFile(path.join(runtimeDir, f), 'utf8')),
  );
  let port = options.port;
  const hostOrigin = (): string => `http://127.0.0.1:${port}`;
  // Only a conformance build takes network overrides: no other build has an adapter to send them.
  const build = await readFile(path.join(options.webDir, 'build.json'), 'utf8')
    .then((text) => JSON.parse(text) as { mode?: unknown })
    .catch(() => ({ mode: undefined }));
  const acceptsNetwork = build.mode === 'conformance';
  let network: NetworkOverrides | undefined;

  async function runtimeRoute(
    label: string,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    const ancestors = `frame-ancestors ${hostOrigin()}`;
    switch (url.pathname) {
      case '/__omp/bootstrap.html':
        return send(
          res,
          200,
          '<!doctype html><meta charset="utf-8"><title>Runtime</title><script src="/__omp/bootstrap.js"></script>',
          {
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': `default-src 'none'; script-src 'self'; worker-src 'self'; ${ancestors}`,
          },
        );
      case '/__omp/bootstrap.js':
        return send(res, 200, bootstrapJs ?? '', {
          'content-type': 'text/javascript; charset=utf-8',
        });
      case '/__omp/sw.js': {
        const key = url.searchParams.get('k') ?? '';
        const registration = registrations.get(label);
        // Only the version the host registered last for this installation, so no page can install
        // a worker of another version or with digests of its own.
        if (
          !registration ||
          registration.versionKey !== key ||
          req.headers['service-worker'] !== 'script'
        ) {
          return send(res, 404, 'no such runtime version', { 'content-type': 'text/plain' });
        }
        const client = `var __OMP_VERSION_KEY__ = ${JSON.stringify(key)};\n${clientJs ?? ''}`;
        const body = `self.__OMP_LAUNCH__ = ${JSON.stringify(registration.launch)};\nself.__OMP_CLIENT__ = ${JSON.stringify(client)};\n${workerJs ?? ''}`;
        return send(res, 200, body, {
          'content-type': 'text/javascript; charset=utf-8',
          'service-worker-allowed': '/app/',
          'content-security-policy': "default-src 'none'",
        });
      }
      case '/__omp/clear':
        // Uninstall: this origin's cookies, storage, caches and workers go [STO-005].
        return send(res, 200, '<!doctype html><title>Cleared</title>', {
          'content-type': 'text/html; charset=utf-8',
          'clear-site-data': '"cache", "cookies", "storage"',
          'content-security-policy': `default-src 'none'; ${ancestors}`,
        });
      default:
        // The runtime origin serves no mini-app file over the network.
        return send(res, 404, 'not found', { 'content-type': 'text/plain' });
    }
  }

  function fromShell(req: IncomingMessage): boolean {
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin;
    return (
      req.headers['x-omp-forward'] === '1' &&
      (site === undefined || site === 'same-origin') &&
      (origin === undefined || origin === hostOrigin())
    );
  }

  async function forward(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let target: URL;
    try {
      target = new URL(url.searchParams.get('url') ?? '');
    } catch {
      return send(res, 400, 'bad url');
    }
    if (!fromShell(req) || !forwardable(target)) return send(res, 403, 'not forwarded');
    const body =
      req.method === 'GET' || req.method === 'HEAD'
        ? null
        : await readBody(req, maxForwardBodyBytes);
    if (req.method !== 'GET' && req.method !== 'HEAD' && body === null)
      return send(res, 413, 'too large');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value !== 'string' || droppedRequestHeaders.has(name) || name.startsWith('sec-'))
        continue;
      headers[name] = value;
    }
    if (body) headers['content-length'] = String(body.length);
    // node:http rather than fetch: the bytes are piped as they arrive, with no stream adapter on
    // the path of every bundle the browser build downloads [BUD-012]; no redirect is followed.
    let upstream: IncomingMessage;
    try {
      upstream = await new Promise<IncomingMessage>((resolve, reject) => {
        const open = target.protocol === 'https:' ? httpsRequest : httpRequest;
        const name = target.hostname.toLowerCase();
        const port = target.port || (target.protocol === 'https:' ? '443' : '80');
        const moved = network?.resolve.has(name) ? network.ports.get(port) : undefined;
        const overrides = network
          ? {
              lookup: lookupWith(network.resolve),
              ...(network.ca.length > 0 ? { ca: [...rootCertificates, ...network.ca] } : {}),
              // The request still names the origin it was made for; only the connection moves.
              ...(moved === undefined
                ? {}
                : { port: moved, headers: { ...headers, host: target.host } }),
            }
          : {};
        const outgoing = open(
          target,
          { method: req.method ?? 'GET', headers, ...overrides },
          resolve,
        );
        outgoing.on('error', reject);
        outgoing.end(body ?? undefined);
      });
    } catch {
      return send(res, 502, 'upstream unreachable', { 'x-omp-upstream': 'unreachable' });
    }
    const out: Record<string, string> = { 'cache-control': 'no-store' };
    for (const name of keptResponseHeaders) {
      const value = upstream.headers[name];
      if (typeof value === 'string') out[name] = value;
    }
    res.writeHead(upstream.statusCode ?? 502, out);
    // A response cut upstream is cut here too, never ended as if it were complete.
    upstream.on('error', () => res.destroy());
    upstream.on('close', () => {
      if (!upstream.complete) res.destroy();
    });
    res.on('close', () => upstream.destroy());
    upstream.pipe(res);
  }

  async function register(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || !fromShell(req)) return send(res, 403, 'forbidden');
    const body = await readBody(req, maxRegistrationBytes);
    if (!body) return send(res, 413, 'too large');
    let parsed: { label?: unknown; versionKey?: unknown; launch?: unknown };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      return send(res, 400, 'bad json');
    }
    const { label, versionKey, launch } = parsed;
    if (
      typeof label !== 'string' ||
      !labelPattern.test(label) ||
      typeof versionKey !== 'string' ||
      !keyPattern.test(versionKey) ||
      typeof launch !== 'object'
    ) {
      return send(res, 400, 'bad registration');
    }
    registrations.set(label, { versionKey, launch });
    return send(res, 204, '');
  }

  /** PUT sets the overrides of `init.network`, DELETE forgets them (the adapter's init and reset). */
  async function networkRoute(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!acceptsNetwork) return send(res, 404, 'not found');
    if (!fromShell(req)) return send(res, 403, 'forbidden');
    if (req.method === 'DELETE') {
      network = undefined;
      return send(res, 204, '');
    }
    if (req.method !== 'PUT') return send(res, 405, 'method not allowed', { allow: 'PUT, DELETE' });
    const body = await readBody(req, maxNetworkBytes);
    if (!body) return send(res, 413, 'too large');
    const parsed = parseNetwork(body.toString('utf8'));
    if (!parsed) return send(res, 400, 'bad network');
    network = parsed;
    return send(res, 204, '');
  }

  async function shellRoute(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (url.pathname === '/__forward') return forward(req, res, url);
    if (url.pathname === '/__network') return networkRoute(req, res);
    if (url.pathname === '/__runtime/register') return register(req, res);
    if (url.pathname === '/__config.json') {
      if (options.config === undefined) return send(res, 404, 'no configuration');
      return send(res, 200, JSON.stringify(options.config), { 'content-type': 'application/json' });
    }
    // The https form of mini-app links (/m/<id>/<page>) opens the shell, which reads its address.
    const relative =
      url.pathname === '/' || url.pathname.startsWith('/m/')
        ? 'index.html'
        : decodeURIComponent(url.pathname.slice(1));
    const file = path.resolve(options.webDir, relative);
    if (!file.startsWith(options.webDir + path.sep) || relative.startsWith('runtime/'))
      return send(res, 404, 'not found');
    try {
      const bytes = await readFile(file);
      return send(res, 200, bytes, {
        'content-type': staticTypes[path.extname(file)] ?? 'application/octet-stream',
        'content-security-policy': shellPolicy(port),
        'x-frame-options': 'DENY',
        'cross-origin-opener-policy': 'same-origin',
        'referrer-policy': 'no-referrer',
      });
    } catch {
      // Client-side routes (deep links) all load the shell.
      if (!path.extname(relative)) return shellRoute(req, res, new URL('/', url));
      return send(res, 404, 'not found');
    }
  }

  const server = createServer((req, res) => {
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    const url = new URL(req.url ?? '/', `http://${hostHeader || 'localhost'}`);
    const hostname = hostHeader.replace(/:\d+$/, '');
    const handle = async (): Promise<void> => {
      if (hostname.endsWith('.localhost')) {
        const label = hostname.slice(0, -'.localhost'.length);
        if (!labelPattern.test(label)) return send(res, 404, 'not found');
        return runtimeRoute(label, req, res, url);
      }
      if (hostname === '127.0.0.1') return shellRoute(req, res, url);
      // Another name for the shell (localhost) would share a site with the runtime origins.
      return send(res, 421, 'use http://127.0.0.1', { 'content-type': 'text/plain' });
    };
    handle().catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port, options.bindHost ?? '127.0.0.1', resolve),
  );
  port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    hostOrigin: hostOrigin(),
    runtimeOrigin: (label) => `http://${label}.localhost:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
