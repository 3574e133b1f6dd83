/**
 * Classic-script entry: defines `globalThis.MiniAppBridge`, a connected singleton, for pages that do
 * not bundle. Calls made before the host answers the connection wait for it.
 */
import type { BridgeMethodName, BridgeMethods } from '#schemas/generated/bridge/methods.ts';
import type { CallOptions, EventHandler, MiniAppBridge } from './client.ts';
import { connect } from './connect.ts';

const connection: Promise<MiniAppBridge> = connect();
// Failures surface on each call; an unobserved rejection here would only add noise.
connection.catch(() => undefined);

const pendingSubscriptions = new Set<{ event: string; handler: EventHandler }>();

const singleton = {
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
    void connection.then(
      (bridge) => {
        if (pendingSubscriptions.delete(entry)) unsubscribe = bridge.on(event, handler);
      },
      () => undefined,
    );
    return () => {
      pendingSubscriptions.delete(entry);
      unsubscribe?.();
    };
  },
  canIUse(method: string): Promise<boolean> {
    return connection.then((bridge) => bridge.canIUse(method));
  },
  /** Resolves once connected; rejects with BRIDGE_UNAVAILABLE outside a host. */
  ready(): Promise<void> {
    return connection.then(() => undefined);
  },
};

Object.defineProperty(globalThis, 'MiniAppBridge', {
  value: Object.freeze(singleton),
  writable: false,
  configurable: false,
  enumerable: true,
});
