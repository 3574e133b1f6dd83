/**
 * The script the runtime injects as the first script of every mini-app page. It is host code with
 * two jobs, kept on two channels:
 *
 * - The runtime's own channel (never the bridge): at document start it asks the host for a private
 *   port, over which it reports the page and its URL, the ready signal at the end of the `load` event
 *   (the ready signal of the launch), uncaught errors by type only [ANL-005], and loads a subpackage
 *   into the runtime on first use.
 * - The bridge of spec/bridge.md, untouched: once the document's parser-inserted scripts have run
 *   (DOMContentLoaded), it asks the host to post the init message, so that the package's own code,
 *   whatever client it bundles or none (the conformance probe talks to the port directly), receives
 *   it from the parent window [BRG-032] [BRG-034]. This script listens to the same event without
 *   consuming it and offers `window.MiniAppBridge` on that port for packages that bundle no client;
 *   a package that bundles the sdk's client replaces the global with its own.
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

let runtime: MessagePort | undefined;
const unsent: ClientReport[] = [];

function send(report: ClientReport): void {
  if (runtime) runtime.postMessage(report);
  else unsent.push(report);
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
  if (order.kind === 'provision' && order.subpackage === subpackage) {
    void provisionSubpackage(order.subpackage, order.files);
  }
}

// The runtime port: a message of the runtime's own marker, from the parent, once per document.
window.addEventListener(
  'message',
  (event: MessageEvent) => {
    if (event.source !== parent || !isRuntimeMessage(event.data)) return;
    event.stopImmediatePropagation();
    const received = event.ports[0];
    if (event.data.kind !== 'runtime-port' || runtime || !received || event.ports.length !== 1)
      return;
    runtime = received;
    runtime.onmessage = (message: MessageEvent) => {
      if (isRuntimeMessage(message.data)) onHostOrder(message.data as HostOrder);
    };
    for (const report of unsent.splice(0)) runtime.postMessage(report);
  },
  { capture: true },
);

/** The bridge port, shared with whatever code of the page listens to it. */
function sharedPortTransport(port: MessagePort): BridgeTransport {
  let receiver: (message: unknown) => void = () => undefined;
  port.addEventListener('message', (event: MessageEvent) => receiver(event.data));
  port.start();
  return {
    binding: 'port',
    send: (text) => port.postMessage(text),
    onMessage(receive) {
      receiver = receive;
    },
    close: () => undefined,
  };
}

let resolveConnection: (bridge: MiniAppBridge) => void = () => undefined;
const connection = new Promise<MiniAppBridge>((resolve) => {
  resolveConnection = resolve;
});
let bridged = false;

// [BRG-034] the init message from the parent, once, with exactly one port; not consumed.
window.addEventListener(
  'message',
  (event: MessageEvent) => {
    if (event.source !== parent || bridged) return;
    const parsed = parseMessage(event.data);
    if (parsed.outcome !== 'envelope' || parsed.envelope.kind !== 'init') return;
    const port = event.ports[0];
    if (!port || event.ports.length !== 1) return;
    bridged = true;
    resolveConnection(
      new MiniAppBridge(sharedPortTransport(port), {
        hostApiVersion: parsed.envelope.hostApiVersion,
      }),
    );
  },
  { capture: true },
);

send({
  runtime: runtimeMarker,
  kind: 'page',
  path,
  url: location.href,
  versionKey,
  ...(subpackage === undefined ? {} : { subpackage }),
});

function askForBridge(): void {
  send({ runtime: runtimeMarker, kind: 'bridge-hello', versionKey });
}
if (subpackage === undefined) {
  // After every parser-inserted script registered its listeners.
  if (document.readyState === 'loading')
    document.addEventListener('DOMContentLoaded', askForBridge, { once: true });
  else askForBridge();
  const announceReady = (): void =>
    send({ runtime: runtimeMarker, kind: 'ready', path, versionKey });
  if (document.readyState === 'complete') announceReady();
  else window.addEventListener('load', announceReady, { once: true });
}

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

// Configurable: a package that bundles the sdk's own client defines its global over this one.
Object.defineProperty(window, 'MiniAppBridge', {
  value: singleton,
  writable: false,
  configurable: true,
  enumerable: true,
});

parent.postMessage({ runtime: runtimeMarker, kind: 'client-hello' }, '*');
