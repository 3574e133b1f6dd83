import type { ErrorCode } from '#schemas/generated/errors/error-codes.ts';
import {
  bridgeEventList,
  bridgeMethodList,
  hostApiVersions,
  type BridgeMethodName,
  type PermissionName,
} from '#schemas/generated/bridge/methods.ts';
import { isAllowedOrigin } from './allowed-origin.ts';
import { BridgeError, isBridgeError } from './bridge-error.ts';
import { encodeEnvelope, parseMessage, type BridgeRequest } from './envelope.ts';
import { compareHostApiVersions, parseHostApiVersion } from './host-api-version.ts';
import {
  defaultMockHandlers,
  implementedMethods,
  type MockCallContext,
  type MockHandler,
  type MockHandlers,
  type PermissionState,
} from './mock-handlers.ts';
import { MockStorage, type StorageNamespace } from './mock-storage.ts';
import { createMethodValidator, type MethodValidator } from './method-validator.ts';

/** The members of manifest.json that the host side of the bridge reads. */
export interface MockManifest {
  id: string;
  permissions?: Partial<Record<PermissionName, { reason: string }>>;
  allowedDomains?: readonly string[];
}

/** A user's answer to a permission prompt; a dismissal is not remembered [PRM-013]. */
export type PromptDecision = 'granted' | 'denied' | 'dismissed';

export interface MockBridgeOptions {
  manifest: MockManifest;
  /** The host API version to emulate; defaults to the newest of this specification. */
  hostApiVersion?: string;
  /** Replace the fake answer of any method. */
  handlers?: MockHandlers;
  /** Remembered decisions at start; declared permissions default to `prompt`. */
  grants?: Partial<Record<PermissionName, PermissionState>>;
  /** Answers prompts; defaults to granting. */
  prompt?: (permission: PermissionName, reason: string) => PromptDecision | Promise<PromptDecision>;
  /** Share one store between mocks to emulate several mini-apps on one host. */
  storage?: MockStorage;
  userId?: string;
  validator?: MethodValidator;
}

/** A host-side dispatcher for tests and plain-browser development, enforcing spec/bridge.md. */
export interface MockBridge {
  readonly hostApiVersion: string;
  /** Handles one incoming message; resolves with the response text, or null when none is due. */
  handle(message: unknown): Promise<string | null>;
  /** Serves the bridge on a MessagePort (the host's end of a web binding). */
  connect(port: MessagePort): void;
  /** Sends a registered event to every connected port [BRG-008]. */
  emit(name: string, data?: Record<string, unknown>): void;
  /** The mini-app's own storage namespace. */
  readonly storage: StorageNamespace;
  permissionState(name: PermissionName): PermissionState;
  /** Revokes a remembered decision as the host's settings would [PRM-014] [PRM-015]. */
  revoke(name: PermissionName): void;
  /** How many prompts the user has seen. */
  readonly promptCount: number;
}

const methodsByName = new Map(bridgeMethodList.map((m) => [m.name as string, m]));
const eventsByName = new Map(bridgeEventList.map((e) => [e.name, e]));
const newestHostApiVersion = hostApiVersions[hostApiVersions.length - 1] ?? '1.0.0';

function failure(
  id: string,
  code: ErrorCode,
  message: string,
  extra: { method?: string; details?: Record<string, unknown> } = {},
): string {
  return encodeEnvelope({
    bridge: 'openminiapp',
    v: 1,
    kind: 'response',
    id,
    ok: false,
    error: new BridgeError(code, message, extra.details).toErrorObject(extra.method),
  });
}

/** Creates a mock host for one mini-app. */
export function createMockBridge(options: MockBridgeOptions): MockBridge {
  const { manifest } = options;
  const hostApiVersion = options.hostApiVersion ?? newestHostApiVersion;
  if (!parseHostApiVersion(hostApiVersion)) {
    throw new BridgeError(
      'USAGE',
      `hostApiVersion must be MAJOR.MINOR.PATCH, not ${hostApiVersion}.`,
    );
  }
  const validator = options.validator ?? createMethodValidator();
  const storage = (options.storage ?? new MockStorage()).namespace(manifest.id, options.userId);
  const handlers: MockHandlers = { ...defaultMockHandlers(), ...options.handlers };
  const implemented = implementedMethods(hostApiVersion);
  const declared = new Map(Object.entries(manifest.permissions ?? {}));
  const remembered = new Map<string, PermissionState>(Object.entries(options.grants ?? {}));
  const prompts = new Map<string, Promise<PermissionState>>();
  const pending = new Set<string>();
  const ports = new Set<MessagePort>();
  let promptCount = 0;

  const permissionState = (name: PermissionName): PermissionState => {
    if (!declared.has(name)) return 'denied';
    return remembered.get(name) ?? 'prompt';
  };

  const requestPermission = (name: PermissionName): Promise<PermissionState> => {
    const state = permissionState(name);
    if (state !== 'prompt') return Promise.resolve(state);
    // [PRM-010] one prompt at a time; every waiting call gets its decision.
    let asking = prompts.get(name);
    if (!asking) {
      promptCount++;
      const reason = declared.get(name)?.reason ?? '';
      asking = Promise.resolve(options.prompt ? options.prompt(name, reason) : 'granted')
        .then((decision): PermissionState => {
          if (decision === 'dismissed') return 'denied';
          remembered.set(name, decision);
          return decision;
        })
        .finally(() => prompts.delete(name));
      prompts.set(name, asking);
    }
    return asking;
  };

  const context: MockCallContext = {
    appId: manifest.id,
    hostApiVersion,
    storage,
    permissionState,
    requestPermission,
    implements: (method) => implemented.has(method),
  };

  /** Runs the checks of [BRG-014] to [BRG-018] in order, then the handler. */
  async function execute(request: BridgeRequest): Promise<string> {
    const { id, method, params } = request;
    const entry = methodsByName.get(method);
    if (!entry) {
      return failure(id, 'UNKNOWN_METHOD', `"${method}" is not a registered bridge method.`, {
        method,
      });
    }
    if (!implemented.has(entry.name)) {
      return failure(
        id,
        'NOT_SUPPORTED',
        `${method} needs host API ${entry.since}; this host implements ${hostApiVersion}.`,
        { method },
      );
    }
    const permission = entry.permission as PermissionName | null;
    if (permission !== null && !declared.has(permission)) {
      // [BRG-017] [PRM-005] no prompt, nothing executed.
      return failure(
        id,
        'PERMISSION_DENIED',
        `${method} needs the "${permission}" permission, which the manifest does not declare.`,
        { method, details: { permission } },
      );
    }
    const paramsCheck = validator.params(method, params);
    if (!paramsCheck.ok) {
      return failure(id, 'INVALID_PARAMS', paramsCheck.message, {
        method,
        details: { pointer: paramsCheck.pointer },
      });
    }
    if (
      entry.name === 'network.request' &&
      !isAllowedOrigin(String(params.url), manifest.allowedDomains ?? [])
    ) {
      // [BRG-028] refused before any network activity.
      return failure(
        id,
        'DOMAIN_NOT_ALLOWED',
        `${String(params.url)} is not on the manifest's allowedDomains.`,
        { method },
      );
    }
    if (permission !== null && (await requestPermission(permission)) !== 'granted') {
      // [PRM-008] [PRM-011]
      return failure(id, 'PERMISSION_DENIED', `The user did not grant "${permission}".`, {
        method,
        details: { permission },
      });
    }
    const handler = handlers[entry.name] as MockHandler<BridgeMethodName> | undefined;
    try {
      if (!handler) throw new BridgeError('HOST_ERROR', `The mock has no handler for ${method}.`);
      const result = await handler(params as never, context);
      const resultCheck = validator.result(method, result);
      if (!resultCheck.ok) {
        // [BRG-020] a handler bug must not reach the mini-app as a malformed result.
        return failure(
          id,
          'HOST_ERROR',
          `The mock handler returned an invalid result: ${resultCheck.message}`,
          { method },
        );
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
        return failure(id, error.code, error.message, {
          method,
          ...(error.details ? { details: error.details } : {}),
        });
      // [BRG-021] nothing of the internal failure leaks.
      return failure(id, 'HOST_ERROR', `${method} failed inside the host.`, { method });
    }
  }

  async function handle(message: unknown): Promise<string | null> {
    const parsed = parseMessage(message);
    if (parsed.outcome === 'foreign') return null; // [BRG-001]
    if (parsed.outcome === 'too-large' || parsed.outcome === 'malformed') {
      if (parsed.id === undefined) return null;
      return parsed.outcome === 'too-large'
        ? failure(parsed.id, 'BRIDGE_TOO_LARGE', 'The message exceeds 2 MiB of UTF-8 JSON text.')
        : failure(parsed.id, 'BRIDGE_MALFORMED', `Malformed request: ${parsed.reason}.`);
    }
    const envelope = parsed.envelope;
    if (envelope.kind !== 'request') return null;
    if (pending.has(envelope.id)) {
      // [BRG-005] refused without running; the earlier call still runs and is answered.
      return failure(
        envelope.id,
        'BRIDGE_DUPLICATE_ID',
        `Request id ${envelope.id} is still pending.`,
        { method: envelope.method },
      );
    }
    pending.add(envelope.id);
    try {
      return await execute(envelope);
    } finally {
      pending.delete(envelope.id);
    }
  }

  return {
    hostApiVersion,
    handle,
    connect(port) {
      ports.add(port);
      port.onmessage = (event: MessageEvent) => {
        void handle(event.data).then((reply) => {
          if (reply !== null) port.postMessage(reply);
        });
      };
      port.start();
    },
    emit(name, data = {}) {
      const event = eventsByName.get(name);
      if (!event || compareHostApiVersions(event.since, hostApiVersion) > 0) {
        throw new BridgeError('USAGE', `${name} is not an event of host API ${hostApiVersion}.`);
      }
      const text = encodeEnvelope({ bridge: 'openminiapp', v: 1, kind: 'event', name, data });
      for (const port of ports) port.postMessage(text);
    },
    storage,
    permissionState,
    revoke(name) {
      if (!declared.has(name)) return;
      remembered.delete(name);
      if (ports.size > 0 && compareHostApiVersions('1.1.0', hostApiVersion) <= 0) {
        this.emit('permissions.change', { name, state: 'prompt' });
      }
    },
    get promptCount() {
      return promptCount;
    },
  };
}
