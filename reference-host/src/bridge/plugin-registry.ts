/**
 * The one registration interface through which bridge methods reach the dispatcher. Every method of
 * the registry is provided by a host plugin; a vendor adds a capability by registering a plugin too,
 * on a vendor-named channel of its own (spec/bridge.md: vendor methods are outside the `openminiapp`
 * protocol), without touching the dispatcher.
 */
import type {
  BridgeMethodName,
  BridgeMethods,
  PermissionName,
} from '#schemas/generated/bridge/methods.ts';
import type { Manifest } from '#sdk/manifest/manifest.ts';
import { methodCatalog } from './method-catalog.ts';

/** The running mini-app a call comes from. */
export interface AppContext {
  appId: string;
  name: string;
  versionCode: number;
  manifest: Manifest;
  userId: string;
  hostApiVersion: string;
}

/** What a handler may use besides its params; the concrete services are the host's. */
export interface CallContext<S = unknown> {
  app: AppContext;
  method: string;
  services: S;
}

export type MethodHandler<M extends BridgeMethodName, S = unknown> = (
  params: BridgeMethods[M]['params'],
  context: CallContext<S>,
) => BridgeMethods[M]['result'] | Promise<BridgeMethods[M]['result']>;

export type MethodHandlers<S = unknown> = { [M in BridgeMethodName]?: MethodHandler<M, S> };

/** A vendor method: its own channel, its own validation (nothing of the registry applies). */
export interface VendorMethod<S = unknown> {
  /** A permission of the registry it needs, if any; checked like a registry method. */
  permission?: PermissionName;
  handle(params: Record<string, unknown>, context: CallContext<S>): unknown;
}

export interface HostPlugin<S = unknown> {
  /** For the inspector and for error messages. */
  name: string;
  methods?: MethodHandlers<S>;
  vendor?: {
    /** The envelope marker of the vendor's channel, `x-<vendor>` (never `openminiapp`). */
    channel: `x-${string}`;
    methods: Record<string, VendorMethod<S>>;
  };
}

export class PluginRegistry<S = unknown> {
  readonly #methods = new Map<
    string,
    { plugin: string; handler: MethodHandler<BridgeMethodName, S> }
  >();
  readonly #vendors = new Map<string, Map<string, VendorMethod<S>>>();

  /**
   * Adds a plugin. Registry methods must be registered names [BRG-024]; a method already provided
   * is refused, so two plugins never silently compete for it.
   */
  register(plugin: HostPlugin<S>): this {
    for (const [name, handler] of Object.entries(plugin.methods ?? {})) {
      if (!methodCatalog.has(name)) {
        throw new Error(
          `${plugin.name}: ${name} is not a registered bridge method; use a vendor channel`,
        );
      }
      const existing = this.#methods.get(name);
      if (existing)
        throw new Error(`${plugin.name}: ${name} is already provided by ${existing.plugin}`);
      this.#methods.set(name, {
        plugin: plugin.name,
        handler: handler as MethodHandler<BridgeMethodName, S>,
      });
    }
    if (plugin.vendor) {
      const { channel, methods } = plugin.vendor;
      if (!/^x-[a-z0-9]+$/.test(channel))
        throw new Error(`${plugin.name}: vendor channel ${channel} must be x-<vendor>`);
      const table = this.#vendors.get(channel) ?? new Map<string, VendorMethod<S>>();
      for (const [name, method] of Object.entries(methods)) table.set(name, method);
      this.#vendors.set(channel, table);
    }
    return this;
  }

  handler(method: string): MethodHandler<BridgeMethodName, S> | undefined {
    return this.#methods.get(method)?.handler;
  }

  /** Names of the registry methods some plugin provides. */
  get provided(): ReadonlySet<string> {
    return new Set(this.#methods.keys());
  }

  vendorMethod(channel: string, method: string): VendorMethod<S> | undefined {
    return this.#vendors.get(channel)?.get(method);
  }

  get vendorChannels(): ReadonlySet<string> {
    return new Set(this.#vendors.keys());
  }
}
