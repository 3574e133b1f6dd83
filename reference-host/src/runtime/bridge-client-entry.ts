/**
 * The bridge client the runtime injects as the first script of every mini-app page. It is host code:
 * it asks the parent (the host) for this document's bridge port, accepts the init message only from
 * the parent and only once [BRG-034], and exposes the sdk's MiniAppBridge as `window.MiniAppBridge`,
 * so a package never has to touch `parent` itself. It consumes the init message, so a copy of the sdk
 * client bundled by an older package never competes for the port.
 *
 * Over the same port it tells the host which page it is and when the page is ready (the ready signal
 * of the launch), reports uncaught errors by type only (ANL-005), answers watchdog pings, and loads a
 * subpackage into the runtime on first use.
 */
import type { BridgeMethodName, BridgeMethods } from '#schemas/generated/bridge/methods.ts';
import { MiniAppBridge, type CallOptions, type EventHandler } from '#sdk/bridge/client.ts';
import { parseMessage } from '#sdk/bridge/envelope.ts';
import type { BridgeTransport } from '#sdk/bridge/transport.ts';
import {
  appPathPrefix,
  isRuntimeMessage,
  runtimeMarker,
  type ClientReport,
  type HostOrder,
} from './runtime-protocol.ts';

declare const __OMP_VERSION_KEY__: string;

const versionKey = __OMP_VERSION_KEY__;
const script = document.currentScript;
const subpackage = script?.getAttribute('data-omp-subpackage') ?? undefined;
const path = decodeURIComponent(location.pathname.slice(appPathPrefix.length));
const parent = window.parent;

let port: MessagePort | undefined;

function send(report: ClientReport): void {
  port?.postMessage(report);
}

async function provisionSubpackage(name: string, files: [string, ArrayBuffer][]): Promise<void> {
  const worker = navigator.serviceWorker.controller;
  if (!worker) throw new Error('no runtime worker controls this page');
  const channel = new MessageChannel();
  const done = new Promise<void>((resolve) => {
    channel.port1.onmessage = () => resolve();
  });
  worker.postMessage({ runtime: runtimeMarker, kind: 'provision', files }, [
    channel.port2,
    ...files.map(([, buffer]) => buffer),
  ]);
  await done;
  send({ runtime: runtimeMarker, kind: 'provisioned', subpackage: name });
  location.reload();
}

function onHostOrder(order: HostOrder): void {
  if (order.kind === 'ping') send({ runtime: runtimeMarker, kind: 'pong', seq: order.seq });
  else if (order.kind === 'provision' && order.subpackage === subpackage) {
    void provisionSubpackage(order.subpackage, order.files);
  }
}

/** The port carries both the bridge envelopes and the runtime's own messages. */
function runtimeAwareTransport(channel: MessagePort): BridgeTransport {
  let receiver: (message: unknown) => void = () => undefined;
  channel.onmessage = (event: MessageEvent) => {
    if (isRuntimeMessage(event.data)) onHostOrder(event.data as HostOrder);
    else receiver(event.data);
  };
  return {
    binding: 'port',
    send: (text) => channel.postMessage(text),
    onMessage(receive) {
      receiver = receive;
    },
    close: () => channel.close(),
  };
}

let resolveConnection: (bridge: MiniAppBridge) => void = () => undefined;
const connection = new Promise<MiniAppBridge>((resolve) => {
  resolveConnection = resolve;
});

function announceReady(): void {
  send({ runtime: runtimeMarker, kind: 'ready', path, versionKey });
}

// Capture phase, registered before any script of the page: the init message is taken here.
window.addEventListener(
  'message',
  (event: MessageEvent) => {
    if (event.source !== parent) return;
    const parsed = parseMessage(event.data);
    if (parsed.outcome !== 'envelope' || parsed.envelope.kind !== 'init') return;
    event.stopImmediatePropagation();
    // [BRG-034] once per document, with exactly one port.
    const received = event.ports[0];
    if (port || !received || event.ports.length !== 1) return;
    port = received;
    const bridge = new MiniAppBridge(runtimeAwareTransport(received), {
      hostApiVersion: parsed.envelope.hostApiVersion,
    });
    received.start();
    send({
      runtime: runtimeMarker,
      kind: 'page',
      path,
      versionKey,
      ...(subpackage === undefined ? {} : { subpackage }),
    });
    if (subpackage === undefined) {
      if (document.readyState === 'complete') announceReady();
      else window.addEventListener('load', announceReady, { once: true });
    }
    resolveConnection(bridge);
  },
  { capture: true },
);

window.addEventListener('error', (event: ErrorEvent) => {
  const type = event.error instanceof Error ? event.error.constructor.name : 'Error';
  send({ runtime: runtimeMarker, kind: 'error', errorType: type, path });
});
window.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
  const reason: unknown = event.reason;
  const type = reason instanceof Error ? reason.constructor.name : typeof reason;
  send({ runtime: runtimeMarker, kind: 'error', errorType: type, path });
});

const pendingSubscriptions = new Set<{ event: string; handler: EventHandler }>();

const singleton = Object.freeze({
  call<M extends BridgeMethodName>(
    method: M,
    params: BridgeMethods[M]['params'],
    options?: CallOptions,
  ): Promise<BridgeMethods[M]['result']> {
    return connection.then((bridge) => bridge.call(method, params, options));
  },
  on(event: string, handler: EventHandler): () => void {
    const entry = { event, handler };
    pendingSubscriptions.add(entry);
    let unsubscribe: (() => void) | undefined;
    void connection.then((bridge) => {
      if (pendingSubscriptions.delete(entry)) unsubscribe = bridge.on(event, handler);
    });
    return () => {
      pendingSubscriptions.delete(entry);
      unsubscribe?.();
    };
  },
  canIUse(method: string): Promise<boolean> {
    return connection.then((bridge) => bridge.canIUse(method));
  },
  ready(): Promise<void> {
    return connection.then(() => undefined);
  },
});

Object.defineProperty(window, 'MiniAppBridge', {
  value: singleton,
  writable: false,
  configurable: false,
  enumerable: true,
});

parent.postMessage({ runtime: runtimeMarker, kind: 'client-hello' }, '*');
