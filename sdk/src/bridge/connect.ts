import { BridgeError } from './bridge-error.ts';
import { MiniAppBridge, type MiniAppBridgeOptions } from './client.ts';
import { parseMessage } from './envelope.ts';
import {
  androidTransport,
  portTransport,
  webkitTransport,
  type AndroidNativeObject,
  type WebKitMessageHandler,
} from './transport.ts';

/** The parts of `window` that binding detection reads; a real window satisfies it. */
export interface BridgeGlobal {
  webkit?: { messageHandlers?: { openminiapp?: WebKitMessageHandler } };
  OpenMiniAppNative?: AndroidNativeObject;
  parent?: unknown;
  addEventListener?(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener?(type: 'message', listener: (event: MessageEvent) => void): void;
}

export interface ConnectOptions extends MiniAppBridgeOptions {
  /** Defaults to globalThis. */
  global?: BridgeGlobal;
  /** How long to wait for a web host's init message before failing with BRIDGE_UNAVAILABLE. */
  initTimeoutMs?: number;
}

/**
 * Connects to the host through whichever binding is present: the iOS message handler, the Android
 * object, or else a web host's init message carrying a MessagePort.
 */
export function connect(options: ConnectOptions = {}): Promise<MiniAppBridge> {
  const global = options.global ?? (globalThis as BridgeGlobal);
  const webkit = global.webkit?.messageHandlers?.openminiapp;
  if (webkit) return Promise.resolve(new MiniAppBridge(webkitTransport(webkit, global), options));
  const native = global.OpenMiniAppNative;
  if (native && typeof native.postMessage === 'function') {
    return Promise.resolve(new MiniAppBridge(androidTransport(native, global), options));
  }
  return waitForInit(global, options);
}

function waitForInit(global: BridgeGlobal, options: ConnectOptions): Promise<MiniAppBridge> {
  const { addEventListener: add, removeEventListener: remove } = global;
  if (!add || !remove) {
    return Promise.reject(
      new BridgeError(
        'BRIDGE_UNAVAILABLE',
        'No host bridge: not in a WebView or a frame of a host.',
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      remove.call(global, 'message', listener);
      reject(new BridgeError('BRIDGE_UNAVAILABLE', 'No init message arrived from a host.'));
    }, options.initTimeoutMs ?? 10_000);
    function listener(event: MessageEvent): void {
      // [BRG-034] only the parent window may hand over the port, and only once.
      if (event.source !== global.parent) return;
      const parsed = parseMessage(event.data);
      if (parsed.outcome !== 'envelope' || parsed.envelope.kind !== 'init') return;
      const port = event.ports[0];
      if (!port || event.ports.length !== 1) return;
      clearTimeout(timer);
      remove?.call(global, 'message', listener);
      const bridge = new MiniAppBridge(portTransport(port), {
        ...options,
        hostApiVersion: parsed.envelope.hostApiVersion,
      });
      port.start();
      resolve(bridge);
    }
    add.call(global, 'message', listener);
  });
}
