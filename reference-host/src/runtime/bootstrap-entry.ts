/**
 * The bootstrap document the host loads first on a mini-app's origin. It is host code, served by the
 * runtime server (never by a worker), and it runs before any code of the mini-app: it removes every
 * service worker registration that is not the one the host names for this launch (a page of an earlier
 * version may have registered others), registers that one, hands it the verified files received from
 * the host, and only then navigates to the entry page.
 */
import {
  appPathPrefix,
  isRuntimeMessage,
  runtimeMarker,
  type BootstrapFiles,
  type BootstrapOrder,
  type BootstrapReport,
} from './runtime-protocol.ts';

function report(port: MessagePort, message: BootstrapReport): void {
  port.postMessage(message);
}

async function activeWorker(registration: ServiceWorkerRegistration): Promise<ServiceWorker> {
  const worker = registration.installing ?? registration.waiting ?? registration.active;
  if (!worker) throw new Error('the registration has no worker');
  if (worker.state === 'activated') return worker;
  await new Promise<void>((resolve, reject) => {
    worker.addEventListener('statechange', () => {
      if (worker.state === 'activated') resolve();
      if (worker.state === 'redundant') reject(new Error('the worker became redundant'));
    });
  });
  return worker;
}

/** Posts a message to the worker and waits for its answer on a private channel. */
function ask<T>(worker: ServiceWorker, message: object, transfer: Transferable[]): Promise<T> {
  const channel = new MessageChannel();
  const answer = new Promise<T>((resolve) => {
    channel.port1.onmessage = (event: MessageEvent<T>) => resolve(event.data);
  });
  worker.postMessage(message, [channel.port2, ...transfer]);
  return answer;
}

async function provision(order: BootstrapOrder, port: MessagePort): Promise<void> {
  const container = navigator.serviceWorker;
  const scope = new URL(appPathPrefix, location.origin).href;
  const workerUrl = new URL(order.workerUrl, location.origin).href;
  for (const registration of await container.getRegistrations()) {
    const keep = registration.scope === scope && registration.active?.scriptURL === workerUrl;
    if (!keep) await registration.unregister();
  }
  const registration = await container.register(workerUrl, {
    scope: appPathPrefix,
    updateViaCache: 'none',
  });
  const worker = await activeWorker(registration);
  // A worker still running from an earlier launch of this version may hold the files already.
  const { held } = await ask<{ held: string[] }>(
    worker,
    { runtime: runtimeMarker, kind: 'inventory' },
    [],
  );
  const holding = new Set(held);
  const need = order.paths.filter((path) => !holding.has(path));
  // Only what the worker lacks comes from the host (nothing, when it still runs from a recent launch).
  const files = await new Promise<[string, ArrayBuffer][]>((resolve) => {
    port.onmessage = (event: MessageEvent<BootstrapFiles>) => {
      if (isRuntimeMessage(event.data) && event.data.kind === 'bootstrap-files')
        resolve(event.data.files);
    };
    report(port, { runtime: runtimeMarker, kind: 'bootstrap-need', paths: need });
  });
  if (files.length === 0) return;
  const { accepted } = await ask<{ accepted: number }>(
    worker,
    { runtime: runtimeMarker, kind: 'provision', files },
    files.map(([, buffer]) => buffer),
  );
  if (accepted !== need.length) {
    throw new Error(`the worker accepted ${accepted} of ${need.length} files`);
  }
}

// The host answers only the frame it created, on this exact origin.
window.addEventListener('message', (event: MessageEvent) => {
  if (event.source !== window.parent || !isRuntimeMessage(event.data)) return;
  if (event.data.kind !== 'bootstrap-order' || event.ports.length !== 1) return;
  const port = event.ports[0];
  if (!port) return;
  const order = event.data as BootstrapOrder;
  provision(order, port).then(
    () => {
      report(port, { runtime: runtimeMarker, kind: 'bootstrap-ready' });
      location.replace(order.entryUrl);
    },
    (error: unknown) =>
      report(port, {
        runtime: runtimeMarker,
        kind: 'bootstrap-failed',
        reason: error instanceof Error ? error.message : String(error),
      }),
  );
});

window.parent.postMessage({ runtime: runtimeMarker, kind: 'bootstrap-hello' }, '*');
