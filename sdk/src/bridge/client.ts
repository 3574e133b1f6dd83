import type { BridgeMethodName, BridgeMethods } from '#schemas/generated/bridge/methods.ts';
import { BridgeError } from './bridge-error.ts';
import { encodeEnvelope, maxMessageBytes, parseMessage, utf8Length } from './envelope.ts';
import type { BridgeTransport } from './transport.ts';

/** Default time a call may take before it fails with TIMEOUT [BRG-011]. */
export const defaultCallTimeoutMs = 60_000;

export interface CallOptions {
  /** Overrides the client's default timeout for this call. */
  timeoutMs?: number;
}

export interface MiniAppBridgeOptions {
  defaultTimeoutMs?: number;
  /** The host API version from the init message, when the binding provides one. */
  hostApiVersion?: string;
}

export type EventHandler = (data: Record<string, unknown>) => void;

interface PendingCall {
  resolve(result: unknown): void;
  reject(error: BridgeError): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The mini-app side of the bridge: typed calls correlated by id, timeouts and event subscriptions.
 * It never throws synchronously; every failure rejects the call's promise with a BridgeError.
 */
export class MiniAppBridge {
  readonly hostApiVersion: string | undefined;
  readonly #transport: BridgeTransport;
  readonly #defaultTimeoutMs: number;
  readonly #pending = new Map<string, PendingCall>();
  readonly #listeners = new Map<string, Set<EventHandler>>();
  #nextId = 1;
  #closed = false;

  constructor(transport: BridgeTransport, options: MiniAppBridgeOptions = {}) {
    this.#transport = transport;
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? defaultCallTimeoutMs;
    this.hostApiVersion = options.hostApiVersion;
    transport.onMessage((message) => this.#receive(message));
  }

  /** Calls a bridge method; resolves with its result or rejects with a BridgeError carrying `code`. */
  call<M extends BridgeMethodName>(
    method: M,
    params: BridgeMethods[M]['params'],
    options: CallOptions = {},
  ): Promise<BridgeMethods[M]['result']> {
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(new BridgeError('BRIDGE_UNAVAILABLE', 'The bridge connection is closed.'));
        return;
      }
      // [BRG-010] never reuse the id of a pending call.
      let id = `c-${this.#nextId++}`;
      while (this.#pending.has(id)) id = `c-${this.#nextId++}`;
      const text = encodeEnvelope({
        bridge: 'openminiapp',
        v: 1,
        kind: 'request',
        id,
        method,
        params: params as Record<string, unknown>,
      });
      if (utf8Length(text) > maxMessageBytes) {
        reject(new BridgeError('BRIDGE_TOO_LARGE', `The call of ${method} exceeds 2 MiB.`));
        return;
      }
      const timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
      const timer = setTimeout(() => {
        // [BRG-012] a late response finds no pending call and is dropped.
        this.#pending.delete(id);
        reject(new BridgeError('TIMEOUT', `${method} got no answer within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (result) => resolve(result as BridgeMethods[M]['result']),
        reject,
        timer,
      });
      try {
        this.#transport.send(text);
      } catch (cause) {
        this.#settle(id);
        reject(
          new BridgeError(
            'BRIDGE_UNAVAILABLE',
            `The host could not receive the call: ${String(cause)}`,
          ),
        );
      }
    });
  }

  /** Subscribes to a host event such as `app.show`; returns the function that unsubscribes. */
  on(event: string, handler: EventHandler): () => void {
    let handlers = this.#listeners.get(event);
    if (!handlers) {
      handlers = new Set();
      this.#listeners.set(event, handlers);
    }
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
    };
  }

  /** Whether the host implements a method [BRG-026]; false for unknown names rather than an error. */
  async canIUse(method: string): Promise<boolean> {
    const { available } = await this.call('host.canIUse', { method });
    return available;
  }

  /** Number of calls still waiting for an answer. */
  get pendingCalls(): number {
    return this.#pending.size;
  }

  /** Fails every pending call and stops listening. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of [...this.#pending.keys()]) {
      this.#settle(id)?.reject(new BridgeError('BRIDGE_UNAVAILABLE', 'The bridge was closed.'));
    }
    this.#transport.close();
  }

  #settle(id: string): PendingCall | undefined {
    const call = this.#pending.get(id);
    if (!call) return undefined;
    clearTimeout(call.timer);
    this.#pending.delete(id);
    return call;
  }

  #receive(message: unknown): void {
    const parsed = parseMessage(message);
    if (parsed.outcome !== 'envelope') return;
    const envelope = parsed.envelope;
    if (envelope.kind === 'response') {
      // [BRG-012] unknown and late ids are ignored.
      const call = this.#settle(envelope.id);
      if (!call) return;
      if (envelope.ok) call.resolve(envelope.result);
      else {
        const { code, message: text, details } = envelope.error;
        call.reject(new BridgeError(code, text, details));
      }
    } else if (envelope.kind === 'event') {
      // [BRG-013] events nobody listens to, including unknown ones, are ignored.
      for (const handler of this.#listeners.get(envelope.name) ?? []) {
        try {
          handler(envelope.data);
        } catch (error) {
          // One failing listener must not stop the others or the bridge.
          console.error(error);
        }
      }
    }
  }
}
