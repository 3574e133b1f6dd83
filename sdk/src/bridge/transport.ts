/**
 * One connection between a mini-app and its host, carrying envelopes as JSON text.
 * The three bindings of spec/bridge.md implement it: a MessagePort (web), the WebKit message
 * handler (iOS) and the injected Android object.
 */
export interface BridgeTransport {
  /** Which binding this is, for diagnostics. */
  readonly binding: 'port' | 'webkit' | 'android';
  send(text: string): void;
  /** Registers the receiver of every incoming message; there is one receiver per transport. */
  onMessage(receive: (message: unknown) => void): void;
  close(): void;
}

/** Web binding: after the init message, everything goes through this one port [BRG-033]. */
export function portTransport(port: MessagePort): BridgeTransport {
  return {
    binding: 'port',
    send: (text) => port.postMessage(text),
    onMessage(receive) {
      port.onmessage = (event: MessageEvent) => receive(event.data);
    },
    close: () => port.close(),
  };
}

/** The global function native hosts call with each response or event as a JSON string [BRG-036]. */
export const nativeDispatchName = '__openminiappDispatch';

function installDispatch(target: object, receive: (message: unknown) => void): void {
  // Non-writable so that page scripts cannot swap in a function that reads other calls' results.
  Object.defineProperty(target, nativeDispatchName, {
    value: (text: string) => receive(text),
    writable: false,
    configurable: true,
    enumerable: false,
  });
}

function removeDispatch(target: object): void {
  Reflect.deleteProperty(target, nativeDispatchName);
}

/** The part of `window.webkit.messageHandlers.openminiapp` the binding uses. */
export interface WebKitMessageHandler {
  postMessage(message: string): unknown;
}

/**
 * iOS binding [BRG-035]: requests go to the `openminiapp` handler; responses arrive through the
 * dispatch function or, with WKScriptMessageHandlerWithReply, as the reply to postMessage [BRG-037].
 */
export function webkitTransport(handler: WebKitMessageHandler, global: object): BridgeTransport {
  let receiver: (message: unknown) => void = () => undefined;
  installDispatch(global, (message) => receiver(message));
  return {
    binding: 'webkit',
    send(text) {
      const reply = handler.postMessage(text);
      if (reply && typeof (reply as Promise<unknown>).then === 'function') {
        (reply as Promise<unknown>).then(
          (value) => {
            if (typeof value === 'string') receiver(value);
          },
          () => undefined,
        );
      }
    },
    onMessage(receive) {
      receiver = receive;
    },
    close: () => removeDispatch(global),
  };
}

/** The object an Android host injects as `window.OpenMiniAppNative` [BRG-038]. */
export interface AndroidNativeObject {
  postMessage(json: string): void;
}

/** Android binding [BRG-038]: requests through the injected object, replies through dispatch. */
export function androidTransport(native: AndroidNativeObject, global: object): BridgeTransport {
  let receiver: (message: unknown) => void = () => undefined;
  installDispatch(global, (message) => receiver(message));
  return {
    binding: 'android',
    send: (text) => native.postMessage(text),
    onMessage(receive) {
      receiver = receive;
    },
    close: () => removeDispatch(global),
  };
}
