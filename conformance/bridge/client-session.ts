import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bridgeMethodRegistry } from '#schemas';
import { chromium, type Frame } from 'playwright-core';
import { manifestOf } from '../manifest/manifest-inspection.ts';
import { memoised, type PackageSubject } from '../suites/package-subject.ts';

/**
 * Runs the package's entry page in headless Chromium, in a frame of a conformance host on another
 * origin, and watches what its bridge client does (spec/bridge.md, "Client behaviour" and "Web
 * hosts"): which ports it sends requests on, which ids it reuses while they are pending, and whether
 * its code throws when the host sends a stray response or an event it does not know.
 */

export interface BridgeRequestSeen {
  /** Which port carried it: the real init's, a sibling frame's fake init's, or a second init's. */
  port: 'host' | 'sibling' | 'second-init';
  id: unknown;
  method: unknown;
  params: unknown;
  at: number;
}

export interface ClientObservation {
  /** Why the session could not run (no Chromium, no entry page); the cases fail or skip on it. */
  unavailable?: { reason: string; blocking: boolean };
  requests: BridgeRequestSeen[];
  /** Requests whose id equalled that of a request still unanswered (BRG-010). */
  reusedIds: { id: string; method: unknown }[];
  /** Uncaught errors of the mini-app's frame, each with the phase it happened in. */
  errors: { phase: Phase; message: string }[];
}

type Phase = 'start' | 'stray-response' | 'late-response' | 'unknown-event';

export const defaultChromium = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const hostApiVersion = '1.2.0';
const marker = { bridge: 'openminiapp', v: 1 } as const;

const contentTypes: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  cjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  png: 'image/png',
  webp: 'image/webp',
  svg: 'image/svg+xml',
};

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Serves the package's verified files, and nothing else, from an origin of their own. */
function packageServer(subject: PackageSubject): Server {
  return createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname).slice(1);
    const bytes = subject.files.get(pathname)?.read();
    if (!bytes) {
      response.writeHead(404).end();
      return;
    }
    const type =
      contentTypes[pathname.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
    response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(bytes);
  });
}

/** The conformance host: the mini-app frame and a sibling frame that is not its parent. */
function hostServer(appUrl: string): Server {
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>conformance host</title></head><body>
<iframe id="app" src="${appUrl}" width="400" height="700"></iframe>
<iframe id="sibling" src="/sibling.html" width="10" height="10"></iframe>
</body></html>`;
  const sibling =
    '<!doctype html><html><head><meta charset="utf-8"></head><body>sibling</body></html>';
  return createServer((request, response) => {
    const body = request.url === '/sibling.html' ? sibling : page;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
}

/** A benign answer for each request, so that the mini-app keeps running. */
function answerFor(
  method: unknown,
  params: unknown,
): { ok: true; result: unknown } | { ok: false; error: unknown } {
  const registry = bridgeMethodRegistry();
  switch (method) {
    case 'host.canIUse': {
      const query = (params as { method?: unknown } | undefined)?.method;
      return { ok: true, result: { available: registry.methods.some((m) => m.name === query) } };
    }
    case 'storage.get':
      return { ok: true, result: { value: null } };
    case 'storage.list':
      return { ok: true, result: { keys: [] } };
    case 'storage.set':
    case 'storage.remove':
    case 'storage.clear':
    case 'ui.showToast':
    case 'device.vibrate':
      return { ok: true, result: {} };
    default:
      return {
        ok: false,
        error: { code: 'USER_CANCELLED', message: 'The conformance host declined the call.' },
      };
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function observe(subject: PackageSubject, chromiumPath: string): Promise<ClientObservation> {
  const observation: ClientObservation = { requests: [], reusedIds: [], errors: [] };
  const manifest = manifestOf(subject).manifest;
  const entry = manifest?.['entryPage'];
  if (subject.blocked || typeof entry !== 'string' || !subject.files.has(entry)) {
    return {
      ...observation,
      unavailable: { reason: 'blocked: no readable entry page to run', blocking: false },
    };
  }
  if (!existsSync(chromiumPath)) {
    return {
      ...observation,
      unavailable: {
        reason: `cannot run the package: no Chromium at ${chromiumPath} (set --chromium or CHROMIUM_PATH)`,
        blocking: true,
      },
    };
  }
  const appServer = packageServer(subject);
  const appPort = await listen(appServer);
  const appOrigin = `http://127.0.0.1:${appPort}`;
  const host = hostServer(`${appOrigin}/${entry.split('/').map(encodeURIComponent).join('/')}`);
  const hostPort = await listen(host);
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-component-update',
    ],
  });
  let phase: Phase = 'start';
  const started = Date.now();
  try {
    const context = await browser.newContext();
    await context.exposeBinding(
      '__certifyError',
      ({ frame }: { frame: Frame }, message: string) => {
        if (frame.url().startsWith(appOrigin))
          observation.errors.push({ phase, message: String(message).slice(0, 300) });
      },
    );
    // Browser-side code goes in as text: the TypeScript loader would wrap named functions in helpers the page lacks.
    await context.addInitScript({
      content: `addEventListener('error', (event) => globalThis.__certifyError?.(String(event.message)));
addEventListener('unhandledrejection', (event) => {
  const reason = event.reason;
  globalThis.__certifyError?.('unhandled rejection: ' + String(reason && reason.message !== undefined ? reason.message : reason));
});`,
    });
    const page = await context.newPage();
    const unanswered = new Set<string>();
    await page.exposeBinding(
      '__certifyRequest',
      (_source, port: BridgeRequestSeen['port'], text: unknown) => {
        let envelope: Record<string, unknown>;
        try {
          envelope = (typeof text === 'string' ? JSON.parse(text) : text) as Record<
            string,
            unknown
          >;
        } catch {
          return;
        }
        if (envelope?.['kind'] !== 'request') return;
        // [BRG-010] an id may come again only once its earlier request was answered.
        if (port === 'host') {
          const id = String(envelope['id']);
          if (unanswered.has(id)) observation.reusedIds.push({ id, method: envelope['method'] });
          unanswered.add(id);
        }
        observation.requests.push({
          port,
          id: envelope['id'],
          method: envelope['method'],
          params: envelope['params'],
          at: Date.now() - started,
        });
      },
    );
    await page.goto(`http://127.0.0.1:${hostPort}/`, { waitUntil: 'load', timeout: 15_000 });
    const sibling = page.frames().find((f) => f.url().endsWith('/sibling.html'));
    // [BRG-034] an init from a window that is not the parent must be ignored.
    await sibling?.evaluate(
      (init) => {
        const report = (window as unknown as { __certifyRequest: (p: string, t: unknown) => void })
          .__certifyRequest;
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => report('sibling', event.data);
        window.parent.frames[0]?.postMessage(init, '*', [channel.port2]);
      },
      { ...marker, kind: 'init', hostApiVersion },
    );
    await delay(300);
    // The real init, from the parent, with answers held back for a while so that calls stay pending.
    await page.evaluate(
      ({ init, origin }) => {
        const state = window as unknown as {
          __certifyHostPort: MessagePort;
          __certifyRequest: (p: string, t: unknown) => void;
        };
        const channel = new MessageChannel();
        state.__certifyHostPort = channel.port1;
        channel.port1.onmessage = (event) => state.__certifyRequest('host', event.data);
        const app = (document.getElementById('app') as HTMLIFrameElement).contentWindow;
        app?.postMessage(init, origin, [channel.port2]);
      },
      { init: { ...marker, kind: 'init', hostApiVersion }, origin: appOrigin },
    );
    // Under load a page can take a while to send its first request: wait for it, then hold answers back.
    for (let waited = 0; waited < 5000 && observation.requests.length === 0; waited += 100)
      await delay(100);
    await delay(800);
    const answered = new Set<string>();
    const answerAll = async () => {
      for (const r of observation.requests.filter((x) => x.port === 'host')) {
        const id = String(r.id);
        if (answered.has(id) && !unanswered.has(id)) continue;
        answered.add(id);
        unanswered.delete(id);
        const answer = answerFor(r.method, r.params);
        await page.evaluate(
          (text) =>
            (window as unknown as { __certifyHostPort: MessagePort }).__certifyHostPort.postMessage(
              text,
            ),
          JSON.stringify({ ...marker, kind: 'response', id: r.id, ...answer }),
        );
      }
    };
    await answerAll();
    const poll = setInterval(() => void answerAll().catch(() => undefined), 100);
    try {
      await delay(300);
      // [BRG-034] a second init in the same document must be ignored.
      await page.evaluate(
        ({ init, origin }) => {
          const channel = new MessageChannel();
          channel.port1.onmessage = (event) =>
            (
              window as unknown as { __certifyRequest: (p: string, t: unknown) => void }
            ).__certifyRequest('second-init', event.data);
          (document.getElementById('app') as HTMLIFrameElement).contentWindow?.postMessage(
            init,
            origin,
            [channel.port2],
          );
        },
        { init: { ...marker, kind: 'init', hostApiVersion }, origin: appOrigin },
      );
      await delay(400);
      const appFrame = page.frames().find((f) => f.url().startsWith(appOrigin));
      // Lets the mini-app's frame run what is queued before the next phase starts.
      const settle = async () => {
        for (let i = 0; i < 3; i += 1) {
          await appFrame
            ?.evaluate('new Promise((resolve) => setTimeout(resolve, 50))')
            .catch(() => undefined);
        }
        await delay(150);
      };
      const send = (envelope: unknown) =>
        page.evaluate(
          (text) =>
            (window as unknown as { __certifyHostPort: MessagePort }).__certifyHostPort.postMessage(
              text,
            ),
          JSON.stringify(envelope),
        );
      // [BRG-012] a response whose id matches no pending call, then a late second answer to an answered call.
      phase = 'stray-response';
      await send({
        ...marker,
        kind: 'response',
        id: 'certify-stray-7f3a',
        ok: true,
        result: { injected: true },
      });
      await settle();
      const first = observation.requests.find((r) => r.port === 'host');
      if (first) {
        phase = 'late-response';
        await send({
          ...marker,
          kind: 'response',
          id: first.id,
          ok: false,
          error: { code: 'TIMEOUT', message: 'A late answer.' },
        });
        await settle();
      }
      // [BRG-013] an event the client does not know.
      phase = 'unknown-event';
      await send({
        ...marker,
        kind: 'event',
        name: 'certify.futureEvent',
        data: { from: 'a newer host' },
      });
      await settle();
    } finally {
      clearInterval(poll);
    }
    return observation;
  } finally {
    await browser.close();
    await close(host);
    await close(appServer);
  }
}

/** Runs the session once per subject; every client-behaviour case reads the same observation. */
export function clientObservation(subject: PackageSubject): Promise<ClientObservation> {
  return memoised(subject, 'bridge-client', () =>
    observe(subject, subject.chromiumPath ?? defaultChromium).catch((error: unknown) => ({
      requests: [],
      reusedIds: [],
      errors: [],
      unavailable: {
        reason: `the package could not be run in Chromium: ${(error as Error).message.split('\n')[0] ?? ''}`,
        blocking: true,
      },
    })),
  );
}
