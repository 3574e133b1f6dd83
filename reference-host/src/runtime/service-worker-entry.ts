/**
 * The service worker the runtime serves on each mini-app origin (scope /app/). It serves the
 * package's files, and only those: every byte it hands to a page is checked against the SHA-256 of
 * the verified package, which the runtime server anchors in this script (`__OMP_LAUNCH__`), where no
 * page can write. Files arrive from the host (through the bootstrap or the injected client) and are
 * kept in memory and in Cache Storage, so a worker restarted by the browser can serve them again;
 * a page that rewrites that cache only makes its own requests fail. Nothing is ever fetched from the
 * network, and every response carries the mini-app's content security policy [BRG-030].
 */
/// <reference lib="webworker" />
import {
  appPathPrefix,
  bootstrapPath,
  clientPath,
  isRuntimeMessage,
  launchDigest,
  warmLaunchParam,
  type RuntimeLaunch,
  type WorkerProvision,
} from './runtime-protocol.ts';
import { contentTypeFor } from './content-type.ts';

declare const self: ServiceWorkerGlobalScope & {
  __OMP_LAUNCH__: RuntimeLaunch;
  __OMP_CLIENT__: string;
};

const launch = self.__OMP_LAUNCH__;
const clientSource = self.__OMP_CLIENT__;
const cacheName = `omp-${launch.versionKey}`;
const verified = new Map<string, Uint8Array<ArrayBuffer>>();
/**
 * One Blob per verified file (and per page with the client tag), made once: every response shares
 * it, so a launch neither copies nor re-checks the bytes per request.
 */
const bodies = new Map<string, Blob>();
const documents = new Map<string, Blob>();
const pageSet = new Set(launch.pages);
const scope = new URL(appPathPrefix, self.location.origin).href;
/** The launch data this worker was built with, hashed as the host hashes the launch it wants. */
const ownDigest = launchDigest(launch);
const subpackageRoots = launch.subpackages.map((s) => s.root);
const mainPaths = Object.keys(launch.files).filter(
  (path) => !subpackageRoots.some((root) => path.startsWith(root)),
);

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** Accepts bytes for a path only when they hash to the verified digest. */
async function accept(path: string, bytes: Uint8Array<ArrayBuffer>): Promise<boolean> {
  const expected = Object.hasOwn(launch.files, path) ? launch.files[path] : undefined;
  if (expected === undefined || (await sha256Hex(bytes)) !== expected) return false;
  verified.set(path, bytes);
  bodies.set(path, new Blob([bytes]));
  documents.delete(path);
  return true;
}

/**
 * Verifies provisioned files and keeps them in memory at once; they reach Cache Storage afterwards
 * (only those it lacks), so that a restarted worker can serve them again.
 */
async function provision(
  files: [string, ArrayBuffer][],
): Promise<{ accepted: number; persisted: Promise<void> }> {
  const accepted: string[] = [];
  await Promise.all(
    files.map(async ([path, buffer]) => {
      if (await accept(path, new Uint8Array(buffer))) accepted.push(path);
    }),
  );
  const persisted = (async () => {
    const cache = await caches.open(cacheName);
    const present = new Set((await cache.keys()).map((request) => new URL(request.url).pathname));
    for (const path of accepted) {
      const url = new URL(appPathPrefix + path, self.location.origin);
      const bytes = verified.get(path);
      if (bytes && !present.has(url.pathname))
        await cache.put(new Request(url), new Response(bytes));
    }
  })().catch(() => undefined);
  return { accepted: accepted.length, persisted };
}

/** From memory, or from the cache after a restart, re-checked either way before it is served. */
async function verifiedBytes(path: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const known = verified.get(path);
  if (known) return known;
  const cached = await (
    await caches.open(cacheName)
  ).match(new URL(appPathPrefix + path, self.location.origin));
  if (!cached) return undefined;
  const bytes = new Uint8Array(await cached.arrayBuffer());
  return (await accept(path, bytes)) ? bytes : undefined;
}

const baseHeaders = (): Headers =>
  new Headers({
    'content-security-policy': launch.csp,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
  });

function refusal(status: number, text: string): Response {
  const headers = baseHeaders();
  headers.set('content-type', 'text/plain; charset=utf-8');
  return new Response(text, { status, headers });
}

const clientTag = new TextEncoder().encode(`<script src="${clientPath}"></script>`);

/** Where the client tag goes: after a leading doctype (so the page keeps its standards mode), else first. */
function insertionPoint(html: Uint8Array): number {
  const head = new TextDecoder('latin1').decode(html.subarray(0, 1024));
  const match = /^(\uFEFF|\xEF\xBB\xBF)?\s*<!doctype[^>]*>/i.exec(head);
  return match ? match[0].length : 0;
}

/**
 * The host's bridge client runs before any script of the page; the page's own bytes follow unchanged
 * (the web counterpart of a native WebView's document-start script).
 */
function withClient(html: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const at = insertionPoint(html);
  const out = new Uint8Array(clientTag.length + html.length);
  out.set(html.subarray(0, at), 0);
  out.set(clientTag, at);
  out.set(html.subarray(at), at + clientTag.length);
  return out;
}

function subpackageOf(path: string): { name: string; root: string } | undefined {
  return launch.subpackages.find((s) => path.startsWith(s.root));
}

/** A page of a subpackage that is not loaded yet: the client asks the host to load it, then reloads. */
function subpackageStub(name: string): Response {
  const headers = baseHeaders();
  headers.set('content-type', 'text/html; charset=utf-8');
  const html = `<script src="${clientPath}" data-omp-subpackage="${name}"></script>`;
  return new Response(`<!doctype html><meta charset="utf-8"><title>Loading</title>${html}`, {
    headers,
  });
}

async function serve(request: Request, url: URL): Promise<Response> {
  if (!url.pathname.startsWith(appPathPrefix)) return refusal(404, 'Not part of this mini-app.');
  let path: string;
  try {
    path = decodeURIComponent(url.pathname.slice(appPathPrefix.length));
  } catch {
    return refusal(404, 'Not part of this mini-app.');
  }
  const navigation = request.mode === 'navigate';
  // [PKG-061] only declared pages become documents.
  if (navigation && !pageSet.has(path)) return refusal(404, 'Not a page of this mini-app.');
  const bytes = await verifiedBytes(path);
  if (!bytes) {
    const subpackage = subpackageOf(path);
    if (navigation && subpackage && Object.hasOwn(launch.files, path))
      return subpackageStub(subpackage.name);
    return refusal(Object.hasOwn(launch.files, path) ? 503 : 404, 'Not part of this mini-app.');
  }
  return fromMemory(request, url) ?? refusal(503, 'Not part of this mini-app.');
}

self.addEventListener('install', (event) => {
  // Only ever the one worker of /app/: a page that registers this script under a narrower scope (to
  // outlive a version change there) gets a registration that never installs.
  if (self.registration.scope !== scope) {
    event.waitUntil(Promise.reject(new Error(`the runtime worker serves ${scope} only`)));
    return;
  }
  event.waitUntil(self.skipWaiting());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      // Caches of other versions are never served again.
      for (const name of await caches.keys()) if (name !== cacheName) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

const headersByType = new Map<string, Headers>();

function headersFor(type: string): Headers {
  let headers = headersByType.get(type);
  if (!headers) {
    headers = baseHeaders();
    headers.set('content-type', type);
    headersByType.set(type, headers);
  }
  return headers;
}

const clientBody = new Blob([clientSource]);

/** A declared page as a document: the client tag first, made once per page. */
function documentBody(path: string): Blob | undefined {
  const made = documents.get(path);
  if (made) return made;
  const bytes = verified.get(path);
  if (!bytes) return undefined;
  const body = new Blob([withClient(bytes)]);
  documents.set(path, body);
  return body;
}

/** The response of what this worker holds in memory, built without waiting for anything. */
function fromMemory(request: Request, url: URL): Response | undefined {
  if (url.pathname === clientPath)
    return new Response(clientBody, { headers: headersFor('text/javascript; charset=utf-8') });
  if (!url.pathname.startsWith(appPathPrefix)) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname.slice(appPathPrefix.length));
  } catch {
    return undefined;
  }
  const navigation = request.mode === 'navigate';
  // [PKG-061] only declared pages become documents (serve() answers the others).
  if (navigation && !pageSet.has(path)) return undefined;
  const body = navigation ? documentBody(path) : bodies.get(path);
  if (!body) return undefined;
  return new Response(body, { headers: headersFor(contentTypeFor(path)) });
}

/** Whether every file of the main package is held verified (from memory, or re-checked from the cache). */
async function holdsMainPackage(): Promise<boolean> {
  for (const path of mainPaths)
    if (!verified.has(path) && !(await verifiedBytes(path))) return false;
  return true;
}

/**
 * A warm start: the host opened the frame at /app/?omp-launch=<digest>&to=<entry>, without the
 * bootstrap. The frame goes on to the entry page only when this worker serves exactly the launch the
 * host verified (same digest of version key, file digests, pages and policy) and holds all of its main
 * package; otherwise to the bootstrap, which replaces or completes this worker.
 */
async function warmLaunch(url: URL): Promise<Response> {
  const target = new URL(url.searchParams.get('to') ?? '', scope);
  if (target.origin !== self.location.origin || !target.pathname.startsWith(appPathPrefix))
    return refusal(404, 'Not a page of this mini-app.');
  const trusted =
    url.searchParams.get(warmLaunchParam) === (await ownDigest) && (await holdsMainPackage());
  return Response.redirect(trusted ? target.href : new URL(bootstrapPath, scope).href, 302);
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  // Other origins: the page's content security policy has already decided.
  if (url.origin !== self.location.origin) return;
  // A worker under any other scope never serves (it cannot install either; see 'install').
  if (self.registration.scope !== scope) {
    event.respondWith(refusal(404, 'Not part of this mini-app.'));
    return;
  }
  if (
    event.request.mode === 'navigate' &&
    url.pathname === appPathPrefix &&
    url.searchParams.has(warmLaunchParam)
  ) {
    event.respondWith(warmLaunch(url));
    return;
  }
  // Same origin: the verified files or nothing; never the network.
  event.respondWith(fromMemory(event.request, url) ?? serve(event.request, url));
});

self.addEventListener('message', (event) => {
  const data: unknown = event.data;
  if (!isRuntimeMessage(data)) return;
  const port = event.ports[0];
  if (data.kind === 'inventory') {
    // What this worker already holds verified, so that a warm start sends nothing twice.
    port?.postMessage({ held: [...verified.keys()] });
    return;
  }
  if (data.kind !== 'provision') return;
  event.waitUntil(
    provision((data as WorkerProvision).files).then(
      ({ accepted, persisted }) => {
        port?.postMessage({ accepted });
        return persisted;
      },
      () => port?.postMessage({ accepted: 0 }),
    ),
  );
});
