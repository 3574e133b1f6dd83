import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MiniAppError } from '../diagnostics/index.ts';
import type { Manifest } from '../manifest/index.ts';
import { appContentSecurityPolicy, hostContentSecurityPolicy } from './content-security-policy.ts';
import { contentTypeFor } from './content-type.ts';
import { hostPageCss, hostPageHtml } from './host-page.ts';
import type { NetworkFixture } from './network-fixture.ts';
import type { PreviewConfig } from './preview-config.ts';
import { checkHostApiVersion, checkPreviewTarget, newestHostApiVersion } from './preview-target.ts';
import { resolveRequestPath } from './request-path.ts';

/** Where `npm run generate` writes the host page script (scripts/generators/55-mock-host-bundle.ts). */
export const hostScriptFile = fileURLToPath(
  new URL('../../generated/miniapp-preview-host.js', import.meta.url),
);

const loopback = '127.0.0.1';

export interface PreviewOptions {
  /** The mini-app directory (the one holding manifest.json). */
  directory: string;
  /** Port of the host page; 0 (the default) takes any free port. */
  port?: number;
  /** Port of the mini-app's own origin; 0 (the default) takes any free port. */
  appPort?: number;
  /** Host API version to emulate; defaults to the newest of this specification. */
  hostApiVersion?: string;
  /** Canned answers for network.request. */
  fixtures?: readonly NetworkFixture[];
}

/** A running preview: a host page and, on a second origin, the mini-app's files. */
export interface PreviewServer {
  /** The host page to open in a browser. */
  readonly hostUrl: string;
  /** The mini-app's origin, distinct from the host's. */
  readonly appOrigin: string;
  /** The entry page on the mini-app origin. */
  readonly entryUrl: string;
  readonly hostApiVersion: string;
  readonly manifest: Manifest;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

const baseHeaders = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};

function text(status: number, message: string, policy: string): Reply {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'content-security-policy': policy },
    body: `${message}\n`,
  };
}

function send(request: IncomingMessage, response: ServerResponse, reply: Reply): void {
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
  response.writeHead(reply.status, {
    ...baseHeaders,
    ...reply.headers,
    'content-length': String(body.byteLength),
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Answers with `route`, refusing other methods and foreign Host headers (DNS rebinding). */
function handler(
  port: () => number,
  policy: () => string,
  route: (target: string) => Promise<Reply>,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const reply = async (): Promise<Reply> => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        const refused = text(405, 'Only GET and HEAD.', policy());
        return { ...refused, headers: { ...refused.headers, allow: 'GET, HEAD' } };
      }
      const host = request.headers.host ?? '';
      if (host !== `${loopback}:${port()}` && host !== `localhost:${port()}`) {
        return text(421, 'Unexpected Host header.', policy());
      }
      return route(request.url ?? '');
    };
    reply()
      .catch(() => text(500, 'The preview server failed on this request.', policy()))
      .then((r) => send(request, response, r))
      .catch(() => response.destroy());
  };
}

async function serveAppFile(root: string, target: string, policy: string): Promise<Reply> {
  const resolved = resolveRequestPath(target);
  if (!resolved.ok) return text(resolved.status, `Refused: ${resolved.reason}.`, policy);
  const full = path.join(root, ...resolved.path.split('/'));
  const real = await realpath(full).catch(() => null);
  // [PKG-071] a link anywhere on the way is not part of the package, even one that stays inside.
  if (real !== full) return text(404, 'Not found.', policy);
  const info = await stat(real).catch(() => null);
  if (!info?.isFile()) return text(404, 'Not found.', policy);
  return {
    status: 200,
    headers: {
      'content-type': contentTypeFor(resolved.path),
      'content-security-policy': policy,
      'cross-origin-resource-policy': 'same-origin',
    },
    body: await readFile(real),
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void => {
      reject(
        new MiniAppError(
          'USAGE',
          error.code === 'EADDRINUSE'
            ? `Port ${port} is already in use.`
            : `Cannot listen on ${loopback}:${port} (${error.code ?? error.message}).`,
          { fix: 'choose another --port, or 0 for any free port', cause: error },
        ),
      );
    };
    server.once('error', fail);
    server.listen(port, loopback, () => {
      server.off('error', fail);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function shut(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Starts `miniapp preview`: checks the directory, then serves the host page on one loopback origin and
 * the mini-app's files, read-only and under the mini-app CSP [BRG-030], on another.
 * Throws MiniAppError (the first error found) when the directory cannot be previewed.
 */
export async function startPreview(options: PreviewOptions): Promise<PreviewServer> {
  const hostApiVersion = checkHostApiVersion(options.hostApiVersion ?? newestHostApiVersion);
  const hostScript = await readFile(hostScriptFile, 'utf8').catch((cause: unknown) => {
    throw new MiniAppError('USAGE', 'The preview host script has not been generated.', {
      fix: 'run `npm run generate`',
      cause,
    });
  });
  const checked = await checkPreviewTarget(options.directory, hostApiVersion);
  const firstError = checked.diagnostics.find((d) => d.severity === 'error');
  if (firstError || !checked.manifest) {
    throw new MiniAppError(
      firstError?.code ?? 'USAGE',
      firstError?.message ?? 'No usable manifest.',
      {
        ...(firstError?.location ? { location: firstError.location } : {}),
        ...(firstError?.fix ? { fix: firstError.fix } : {}),
        details: { diagnostics: checked.diagnostics },
      },
    );
  }
  const manifest = checked.manifest;
  const root = await realpath(options.directory);

  let hostPort = 0;
  let appPort = 0;
  const hostOrigin = (): string => `http://${loopback}:${hostPort}`;
  const appOrigin = (): string => `http://${loopback}:${appPort}`;
  const appPolicy = (): string =>
    appContentSecurityPolicy(manifest.allowedDomains ?? [], hostOrigin());
  const hostPolicy = (): string => hostContentSecurityPolicy(appOrigin());

  const appServer = createServer(
    handler(
      () => appPort,
      appPolicy,
      async (target) => {
        if (target === '/') {
          return { status: 302, headers: { location: `/${manifest.entryPage}` }, body: '' };
        }
        return serveAppFile(root, target, appPolicy());
      },
    ),
  );
  const hostServer = createServer(
    handler(
      () => hostPort,
      hostPolicy,
      async (target) => {
        const route = target.replace(/[?#].*$/s, '');
        const ok = (type: string, body: string): Reply => ({
          status: 200,
          headers: { 'content-type': type, 'content-security-policy': hostPolicy() },
          body,
        });
        if (route === '/') return ok('text/html; charset=utf-8', hostPageHtml(manifest.name));
        if (route === '/host.js') return ok('text/javascript; charset=utf-8', hostScript);
        if (route === '/host.css') return ok('text/css; charset=utf-8', hostPageCss);
        if (route === '/preview-config.json') {
          const config: PreviewConfig = {
            appName: manifest.name,
            manifest: {
              id: manifest.id,
              ...(manifest.permissions ? { permissions: manifest.permissions } : {}),
              ...(manifest.allowedDomains ? { allowedDomains: manifest.allowedDomains } : {}),
            },
            appOrigin: appOrigin(),
            entryUrl: `${appOrigin()}/${manifest.entryPage}`,
            hostApiVersion,
            fixtures: options.fixtures ?? [],
          };
          return ok('application/json; charset=utf-8', JSON.stringify(config));
        }
        return text(404, 'Not found.', hostPolicy());
      },
    ),
  );

  try {
    appPort = await listen(appServer, options.appPort ?? 0);
    hostPort = await listen(hostServer, options.port ?? 0);
  } catch (error) {
    await Promise.all([shut(appServer), shut(hostServer)]);
    throw error;
  }
  return {
    hostUrl: `${hostOrigin()}/`,
    appOrigin: appOrigin(),
    entryUrl: `${appOrigin()}/${manifest.entryPage}`,
    hostApiVersion,
    manifest,
    close: async () => {
      await Promise.all([shut(appServer), shut(hostServer)]);
    },
  };
}
