/**
 * Messages between the host, the bootstrap and service worker it serves on each mini-app origin, and
 * the bridge client it injects into every page. None of them travels under the `openminiapp` bridge
 * marker: they are the runtime's own channel, so [BRG-024] holds.
 */

/** Marker of runtime messages (never `openminiapp`). */
export const runtimeMarker = 'omp-runtime';

/** The launch data the runtime server anchors in the service worker script (never page-writable). */
export interface RuntimeLaunch {
  /** Identifies the verified version (and its policy) this worker serves. */
  versionKey: string;
  /** path -> SHA-256 of the verified bytes of every file of the package. */
  files: Record<string, string>;
  /** Pages that may become top-level documents [PKG-061]. */
  pages: string[];
  subpackages: { name: string; root: string }[];
  /** The content security policy of every document and worker [BRG-030]. */
  csp: string;
}

/** Bootstrap -> host: the bootstrap document is ready to receive the files. */
export interface BootstrapHello {
  runtime: typeof runtimeMarker;
  kind: 'bootstrap-hello';
}

/** Host -> bootstrap (over a transferred port): what to provision and where to go. */
export interface BootstrapOrder {
  runtime: typeof runtimeMarker;
  kind: 'bootstrap-order';
  workerUrl: string;
  /** Paths of the main package (subpackages are provisioned on first use). */
  paths: string[];
  /** Where the frame goes once the worker holds the files: /app/<page>?query#fragment. */
  entryUrl: string;
}

/** Host -> bootstrap, over the order's port: the files the worker lacked. */
export interface BootstrapFiles {
  runtime: typeof runtimeMarker;
  kind: 'bootstrap-files';
  files: [string, ArrayBuffer][];
}

/** Bootstrap -> host, over the order's port. */
export type BootstrapReport =
  | { runtime: typeof runtimeMarker; kind: 'bootstrap-need'; paths: string[] }
  | { runtime: typeof runtimeMarker; kind: 'bootstrap-ready' }
  | { runtime: typeof runtimeMarker; kind: 'bootstrap-failed'; reason: string };

/** Page (host client) -> host through window.postMessage: asks for this document's runtime port. */
export interface ClientHello {
  runtime: typeof runtimeMarker;
  kind: 'client-hello';
}

/** Host -> page through window.postMessage, to the frame's exact origin, with the runtime port. */
export interface RuntimePort {
  runtime: typeof runtimeMarker;
  kind: 'runtime-port';
}

/** Host client -> host over the runtime port (never over the bridge port). */
export type ClientReport =
  | {
      runtime: typeof runtimeMarker;
      kind: 'page';
      path: string;
      /** The document's URL, for the adapter's `state.running.documentUrl`. */
      url?: string;
      versionKey: string;
      subpackage?: string;
    }
  /** The page's own scripts have registered their listeners: post the bridge's init message now. */
  | { runtime: typeof runtimeMarker; kind: 'bridge-hello'; versionKey: string }
  | { runtime: typeof runtimeMarker; kind: 'ready'; path: string; versionKey: string }
  | { runtime: typeof runtimeMarker; kind: 'error'; errorType: string; path: string }
  | { runtime: typeof runtimeMarker; kind: 'provisioned'; subpackage: string };

/** Host -> host client over the runtime port. */
export type HostOrder = {
  runtime: typeof runtimeMarker;
  kind: 'provision';
  subpackage: string;
  files: [string, ArrayBuffer][];
};

/** Page or bootstrap -> service worker. */
export interface WorkerProvision {
  runtime: typeof runtimeMarker;
  kind: 'provision';
  files: [string, ArrayBuffer][];
}

export function isRuntimeMessage(value: unknown): value is { runtime: string; kind: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { runtime?: unknown }).runtime === runtimeMarker &&
    typeof (value as { kind?: unknown }).kind === 'string'
  );
}

/** Where the runtime serves the package's files on the mini-app origin. */
export const appPathPrefix = '/app/';
export const bootstrapPath = '/__omp/bootstrap.html';
export const workerPath = '/__omp/sw.js';
export const clientPath = '/__omp/client.js';

/**
 * The address of a warm start: the frame goes straight here, and the worker that controls the
 * origin's `/app/` scope answers it. `/app/` itself is no file of any package (a path is never empty),
 * so it cannot shadow one. The worker sends the frame on to `to` only when it is the worker of this
 * exact launch (`launch` is its digest) and holds every file of the main package verified; otherwise
 * to the bootstrap. Without a worker the runtime server answers 404, and the host runs the bootstrap.
 */
export const warmLaunchParam = 'omp-launch';

export function warmLaunchUrl(digest: string, entryUrl: string): string {
  return `${appPathPrefix}?${warmLaunchParam}=${digest}&to=${encodeURIComponent(entryUrl)}`;
}

/**
 * SHA-256 (hex) of the launch data exactly as the runtime server anchors it in the worker script: the
 * version key, every file digest, the pages, the subpackages and the policy. A worker whose own launch
 * data hashes to another value serves another version (or another policy), and is not trusted.
 */
export async function launchDigest(launch: RuntimeLaunch): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(launch));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
