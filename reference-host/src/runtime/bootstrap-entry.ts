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

async function provision(order: BootstrapOrder): Promise<void> {
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
  const channel = new MessageChannel();
  const accepted = new Promise<number>((resolve) => {
    channel.port1.onmessage = (event: MessageEvent<{ accepted: number }>) =>
      resolve(event.data.accepted);
  });
  worker.postMessage({ runtime: runtimeMarker, kind: 'provision', files: order.files }, [
    channel.port2,
    ...order.files.map(([, buffer]) => buffer),
  ]);
  const count = await accepted;
  if (count !== order.files.length)
    throw new Error(`the worker accepted ${count} of ${order.files.length} files`);
}

// The host answers only the frame it created, on this exact origin.
window.addEventListener('message', (event: MessageEvent) => {
  if (event.source !== window.parent || !isRuntimeMessage(event.data)) return;
  if (event.data.kind !== 'bootstrap-order' || event.ports.length !== 1) return;
  const port = event.ports[0];
  if (!port) return;
  const order = event.data as BootstrapOrder;
  provision(order).then(
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
