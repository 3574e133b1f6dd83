/**
 * The host's bridge dispatcher for one running mini-app (spec/bridge.md). It checks each message in
 * the order the specification fixes, so nothing the user sees and nothing that touches data happens
 * before every static check passed: envelope [BRG-001] to [BRG-009], rate [BRG-022], method
 * [BRG-014] [BRG-015], host API version [BRG-016], declared permission [BRG-017], params [BRG-018],
 * then the user's consent [PRM-006] and the plugin's handler, whose result is checked too [BRG-020].
 */
import type { ErrorCode } from '#schemas/generated/errors/error-codes.ts';
import type { PermissionName } from '#schemas/generated/bridge/methods.ts';
import { BridgeError, isBridgeError } from '#sdk/bridge/bridge-error.ts';
import {
  encodeEnvelope,
  parseMessage,
  isPlainObject,
  type BridgeRequest,
} from '#sdk/bridge/envelope.ts';
import { compareHostApiVersions } from '#sdk/versioning/host-api-version.ts';
import { validatorFor } from '#schemas';
import { methodCatalog } from './method-catalog.ts';
import type { AppContext, PluginRegistry } from './plugin-registry.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** Where the dispatcher asks for the user's consent (permissions/permission-manager.ts). */
export interface ConsentGate {
  /** `granted` or `denied` after the remembered decision or a prompt [PRM-006] to [PRM-013]. */
  request(app: AppContext, permission: PermissionName): Promise<'granted' | 'denied'>;
}

/** One finished call, for the inspector and analytics. */
export interface CallRecord {
  appId: string;
  id: string;
  channel: string;
  method: string;
  params: unknown;
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
  startedAt: number;
  durationMs: number;
}

export interface DispatcherOptions<S> {
  app: AppContext;
  registry: PluginRegistry<S>;
  services: S;
  consent: ConsentGate;
  limiter: RateLimiter;
  onCall?: (record: CallRecord) => void;
  now?: () => number;
}

function failure(
  id: string,
  code: ErrorCode,
  message: string,
  method?: string,
  details?: Record<string, unknown>,
): string {
  return encodeEnvelope({
    bridge: 'openminiapp',
    v: 1,
    kind: 'response',
    id,
    ok: false,
    error: new BridgeError(code, message, details).toErrorObject(method),
  });
}

function firstError(
  errors:
    | readonly { instancePath?: string; message?: string; keyword?: string; params?: unknown }[]
    | null
    | undefined,
): { pointer: string; message: string } {
  const error = errors?.[0];
  const extra =
    error?.keyword === 'additionalProperties'
      ? ` (${String((error.params as { additionalProperty?: unknown }).additionalProperty)})`
      : '';
  return {
    pointer: error?.instancePath ?? '',
    message: `${error?.instancePath || '/'} ${error?.message ?? 'is invalid'}${extra}`,
  };
}

export class Dispatcher<S> {
  readonly #pending = new Set<string>();
  readonly #options: DispatcherOptions<S>;
  readonly #now: () => number;

  constructor(options: DispatcherOptions<S>) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Methods of the registry this host implements at its API version [BRG-023]. */
  implemented(): ReadonlySet<string> {
    const { app, registry } = this.#options;
    return new Set(
      [...registry.provided].filter((name) => {
        const entry = methodCatalog.get(name);
        return entry !== undefined && compareHostApiVersions(entry.since, app.hostApiVersion) <= 0;
      }),
    );
  }

  /** Handles one incoming message; resolves with the reply text, or null when none is due [BRG-001]. */
  async handle(message: unknown): Promise<string | null> {
    const vendor = this.#vendorChannel(message);
    if (vendor) return this.#handleVendor(vendor, message as Record<string, unknown>);
    let parsed;
    try {
      parsed = parseMessage(message);
    } catch {
      return null; // [BRG-009] never a crash, whatever arrives.
    }
    if (parsed.outcome === 'foreign') return null;
    if (parsed.outcome === 'too-large') {
      return parsed.id === undefined
        ? null
        : failure(parsed.id, 'BRIDGE_TOO_LARGE', 'The message exceeds 2 MiB of UTF-8 JSON text.');
    }
    if (parsed.outcome === 'malformed') {
      return parsed.id === undefined
        ? null
        : failure(parsed.id, 'BRIDGE_MALFORMED', `Malformed request: ${parsed.reason}.`);
    }
    const envelope = parsed.envelope;
    if (envelope.kind !== 'request') return null;
    const { app, limiter } = this.#options;
    if (!limiter.take(`${app.appId}\u0000${envelope.method}`)) {
      const reply = failure(
        envelope.id,
        'RATE_LIMITED',
        `${envelope.method} was called too often; retry later.`,
        envelope.method,
      );
      // Not executed, but answered with an error: a bridge.error event like any other (analytics.md).
      this.#record(
        envelope.id,
        'openminiapp',
        envelope.method,
        envelope.params,
        reply,
        this.#now(),
      );
      return reply;
    }
    if (this.#pending.has(envelope.id)) {
      // [BRG-005] refused without running; the earlier call still runs and is answered.
      return failure(
        envelope.id,
        'BRIDGE_DUPLICATE_ID',
        `Request id ${envelope.id} is still pending.`,
        envelope.method,
      );
    }
    this.#pending.add(envelope.id);
    const startedAt = this.#now();
    try {
      const reply = await this.#execute(envelope);
      this.#record(envelope.id, 'openminiapp', envelope.method, envelope.params, reply, startedAt);
      return reply;
    } finally {
      this.#pending.delete(envelope.id);
    }
  }

  #record(
    id: string,
    channel: string,
    method: string,
    params: unknown,
    reply: string,
    startedAt: number,
  ): void {
    const { onCall, app } = this.#options;
    if (!onCall) return;
    const parsed = JSON.parse(reply) as {
      ok: boolean;
      result?: unknown;
      error?: { code: string; message: string };
    };
    onCall({
      appId: app.appId,
      id,
      channel,
      method,
      params,
      ok: parsed.ok,
      ...(parsed.ok ? { result: parsed.result } : { error: parsed.error }),
      startedAt,
      durationMs: this.#now() - startedAt,
    });
  }

  async #execute(request: BridgeRequest): Promise<string> {
    const { id, method, params } = request;
    const { app, registry, consent, services } = this.#options;
    // [BRG-014] [BRG-015] exact, own-key lookup.
    const entry = methodCatalog.get(method);
    if (!entry)
      return failure(
        id,
        'UNKNOWN_METHOD',
        `"${method}" is not a registered bridge method.`,
        method,
      );
    // [BRG-016]
    if (compareHostApiVersions(entry.since, app.hostApiVersion) > 0) {
      return failure(
        id,
        'NOT_SUPPORTED',
        `${method} needs host API ${entry.since}; this host implements ${app.hostApiVersion}.`,
        method,
      );
    }
    const permission = entry.permission;
    const declared = app.manifest.permissions ?? {};
    if (permission !== null && !Object.hasOwn(declared, permission)) {
      // [BRG-017] [PRM-005] at once: no prompt, nothing executed.
      return failure(
        id,
        'PERMISSION_DENIED',
        `${method} needs the "${permission}" permission, which the manifest does not declare.`,
        method,
        { permission },
      );
    }
    // [BRG-018]
    const validateParams = validatorFor(`${entry.schemaPath}#/$defs/params`);
    if (!validateParams(params)) {
      const problem = firstError(validateParams.errors);
      return failure(
        id,
        'INVALID_PARAMS',
        `Invalid params of ${method}: ${problem.message}.`,
        method,
        { pointer: problem.pointer },
      );
    }
    const handler = registry.handler(method);
    if (!handler) return failure(id, 'NOT_SUPPORTED', `This host provides no ${method}.`, method);
    if (permission !== null && (await consent.request(app, permission)) !== 'granted') {
      // [PRM-008] [PRM-011]
      return failure(id, 'PERMISSION_DENIED', `The user did not grant "${permission}".`, method, {
        permission,
      });
    }
    try {
      const result = await handler(params as never, { app, method, services });
      const validateResult = validatorFor(`${entry.schemaPath}#/$defs/result`);
      if (!validateResult(result)) {
        // [BRG-020] a plugin bug never reaches the mini-app as a malformed result.
        return failure(id, 'HOST_ERROR', `${method} failed inside the host.`, method);
      }
      return encodeEnvelope({
        bridge: 'openminiapp',
        v: 1,
        kind: 'response',
        id,
        ok: true,
        result,
      });
    } catch (error) {
      if (isBridgeError(error))
        return failure(id, error.code, error.message, method, error.details);
      // [BRG-021] nothing of the internal failure leaks.
      return failure(id, 'HOST_ERROR', `${method} failed inside the host.`, method);
    }
  }

  #vendorChannel(message: unknown): string | undefined {
    if (!isPlainObject(message)) return undefined;
    const channel = message.bridge;
    return typeof channel === 'string' && this.#options.registry.vendorChannels.has(channel)
      ? channel
      : undefined;
  }

  /** A vendor channel: the same envelope shape, answered under the vendor's marker. */
  async #handleVendor(channel: string, message: Record<string, unknown>): Promise<string | null> {
    const { id, method, params } = message;
    if (typeof id !== 'string' || !/^[A-Za-z0-9._:-]{1,64}$/.test(id) || message.kind !== 'request')
      return null;
    const reply = (ok: boolean, body: unknown): string =>
      JSON.stringify({
        bridge: channel,
        v: 1,
        kind: 'response',
        id,
        ok,
        ...(ok ? { result: body } : { error: body }),
      });
    const vendor =
      typeof method === 'string' ? this.#options.registry.vendorMethod(channel, method) : undefined;
    if (!vendor || !isPlainObject(params)) {
      return reply(false, {
        code: 'UNKNOWN_METHOD',
        message: `${channel} has no method ${String(method)}.`,
      });
    }
    const { app, consent, services } = this.#options;
    const startedAt = this.#now();
    let text: string;
    try {
      if (vendor.permission) {
        const declared = Object.hasOwn(app.manifest.permissions ?? {}, vendor.permission);
        if (!declared || (await consent.request(app, vendor.permission)) !== 'granted') {
          throw new BridgeError(
            'PERMISSION_DENIED',
            `${String(method)} needs "${vendor.permission}".`,
          );
        }
      }
      text = reply(true, await vendor.handle(params, { app, method: String(method), services }));
    } catch (error) {
      text = isBridgeError(error)
        ? reply(false, error.toErrorObject(String(method)))
        : reply(false, {
            code: 'HOST_ERROR',
            message: `${String(method)} failed inside the host.`,
          });
    }
    this.#record(id, channel, String(method), params, text, startedAt);
    return text;
  }
}
