/**
 * The host's composition root and the behaviour the specification certifies: the launch pipeline,
 * lifecycle, background updates and rollback, and the bridge with its plugins. The shell draws it;
 * the conformance adapter drives it through the same methods.
 */
import { parseMiniAppLink } from '#sdk/addressing/link-parser.ts';
import { encodeEnvelope } from '#sdk/bridge/envelope.ts';
import { BridgeError } from '#sdk/bridge/bridge-error.ts';
import type { PermissionName } from '#schemas/generated/bridge/methods.ts';
import { hostSatisfies } from '#sdk/versioning/host-api-version.ts';
import { errorCodes } from '#schemas';
import {
  AnalyticsQueue,
  type AnalyticsData,
  type AnalyticsEvent,
} from '../analytics/analytics-queue.ts';
import { Dispatcher, type CallRecord } from '../bridge/dispatcher.ts';
import type { DeviceCapabilities } from '../bridge/device-capabilities.ts';
import type { HostInfo, HostServices } from '../bridge/host-services.ts';
import { eventAvailable } from '../bridge/method-catalog.ts';
import { PluginRegistry, type AppContext, type HostPlugin } from '../bridge/plugin-registry.ts';
import { RateLimiter } from '../bridge/rate-limiter.ts';
import { accountPlugin } from '../bridge/plugins/account-plugin.ts';
import { commercePlugin } from '../bridge/plugins/commerce-plugin.ts';
import { corePlugin } from '../bridge/plugins/core-plugin.ts';
import { devicePlugin } from '../bridge/plugins/device-plugin.ts';
import { loyaltyPlugin } from '../bridge/plugins/loyalty-plugin.ts';
import { networkPlugin } from '../bridge/plugins/network-plugin.ts';
import { notificationsPlugin } from '../bridge/plugins/notifications-plugin.ts';
import { storagePlugin } from '../bridge/plugins/storage-plugin.ts';
import { uiPlugin } from '../bridge/plugins/ui-plugin.ts';
import {
  DistributionClient,
  OfflineError,
  type DistributionTransport,
} from '../distribution/distribution-client.ts';
import type { BundleProgress } from '../distribution/transfer.ts';
import { HostFailure, failureOf } from '../launch/host-failure.ts';
import {
  advance,
  initialLaunchState,
  type LaunchEvent,
  type LaunchState,
} from '../launch/launch-state.ts';
import { inThreadExtractor, type PackageExtractor } from '../launch/package-extractor.ts';
import { PermissionManager } from '../permissions/permission-manager.ts';
import { miniAppPolicy } from '../runtime/content-security-policy.ts';
import {
  RuntimeFrame,
  type LaunchRegistrar,
  type RuntimeOrigins,
} from '../runtime/runtime-frame.ts';
import {
  runtimeMarker,
  type ClientReport,
  type RuntimeLaunch,
} from '../runtime/runtime-protocol.ts';
import { BridgeStorage } from '../state/bridge-storage.ts';
import type { KeyValueStore, StoreOperation } from '../state/key-value-store.ts';
import { PackageStore } from '../state/package-store.ts';
import { SdkVerifier, sha256Hex } from '../trust/sdk-verifier.ts';
import type {
  BinRelease,
  TrustSession,
  TrustSummary,
  TrustedRelease,
  Verifier,
} from '../trust/verifier.ts';
import {
  activate,
  confirm,
  installNow,
  newRecord,
  packagesInUse,
  rollBack,
  stage,
  type AppRecord,
  type InstalledVersion,
} from '../updates/app-record.ts';
import {
  binDecider,
  serverDecider,
  type InstalledApp,
  type UpdateDecider,
  type UpdateDecision,
} from '../updates/update-decision.ts';
import {
  readyTimeoutMs,
  hostApiVersion as defaultHostApiVersion,
  randomDeviceId,
  randomRuntimeLabel,
  type HostConfig,
} from './host-config.ts';
import type { HostUi, NavigationBar, UserProfile } from './host-ui.ts';
import type { HostScreens, LaunchingApp } from './host-screens.ts';
import { buildMode } from './build-mode.ts';

/**
 * How a launch ended (spec/conformance.md, Outcomes): `receivedAt` is when the launch request
 * arrived, in milliseconds since the Unix epoch on the device's clock; `mode` is the host's own.
 */
export type LaunchOutcome =
  | {
      kind: 'launched';
      appId: string;
      versionCode: number;
      /** The page path opened, without query or fragment. */
      page: string;
      mode: 'cold' | 'warm';
      receivedAt: number;
    }
  /** `appId` is null for a link whose id could not be read. */
  | { kind: 'refused'; code: string; appId: string | null; receivedAt: number }
  | { kind: 'updateRequired'; appId: string; minHostVersion: string; receivedAt: number }
  | { kind: 'notAvailable'; appId: string; receivedAt: number };

type Unstamped<T> = T extends unknown ? Omit<T, 'receivedAt'> : never;

/** What an update session did for one app (the adapter's `install` and `refresh`). */
export type InstallOutcome =
  | { kind: 'installed'; appId: string; versionCode: number }
  | { kind: 'upToDate'; appId: string; versionCode: number }
  | { kind: 'refused'; appId: string; code: string }
  | { kind: 'updateRequired'; appId: string; minHostVersion: string }
  | { kind: 'notAvailable'; appId: string };

export type Lifecycle = 'launching' | 'foreground' | 'background' | 'error';

interface Instance {
  appId: string;
  name: string;
  launchId: string;
  record: AppRecord;
  version: InstalledVersion;
  versionKey: string;
  frame: RuntimeFrame;
  dispatcher: Dispatcher<HostServices>;
  lifecycle: Lifecycle;
  page?: string;
  /** The URL of the instance's current document, as its runtime client reported it. */
  documentUrl?: string;
  /** Resolves with the page path when the launch's own document signals ready. */
  ready: Promise<string>;
  signalReady(path: string): void;
  launchedAt: number;
  simulator: boolean;
  unloadTimer?: ReturnType<typeof setTimeout>;
  /** Reads the stored files of the version (subpackages are loaded from it on first use). */
  storedFiles: () => Promise<Record<string, Uint8Array> | undefined>;
}

export interface SuperAppDeps {
  store: KeyValueStore;
  ui: HostUi;
  screens: HostScreens;
  origins: RuntimeOrigins;
  registrar: LaunchRegistrar;
  transport: DistributionTransport;
  device: DeviceCapabilities;
  info: HostInfo;
  /** Extra plugins (vendor capabilities); the registry methods are always registered. */
  plugins?: HostPlugin<HostServices>[];
  /** Where step 6 runs (the web build's verification worker); on this thread by default. */
  extractor?: PackageExtractor;
}

/** How long a launch may rely on the last verified index (API-038 lets an index be cached 300 s). */
export const sessionReuseMs = 300_000;

/** [LIF-004] a hidden app is unloaded after this long. */
export const backgroundUnloadMs = 5 * 60_000;

const defaultProfile: UserProfile = {
  displayName: 'Alex Rivera',
  phoneNumber: '+4915112345678',
  phoneVerified: true,
  addresses: [
    {
      recipient: 'Alex Rivera',
      countryCode: 'DE',
      city: 'Berlin',
      postalCode: '10115',
      lines: ['Invalidenstraße 117'],
    },
    {
      recipient: 'Alex Rivera',
      countryCode: 'DE',
      city: 'Hamburg',
      postalCode: '20095',
      lines: ['Mönckebergstraße 7', '3rd floor'],
    },
  ],
};

function base64Bytes(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function bytesBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export class SuperApp {
  readonly registry = new PluginRegistry<HostServices>();
  readonly limiter = new RateLimiter();
  readonly calls: CallRecord[] = [];
  readonly #callListeners = new Set<(record: CallRecord) => void>();
  readonly #stateListeners = new Set<() => void>();
  readonly #instances = new Map<string, Instance>();
  readonly #launching = new Map<string, Promise<LaunchOutcome>>();
  #foreground: string | undefined;
  #config: HostConfig | undefined;
  #client: DistributionClient | undefined;
  #verifier: Verifier | undefined;
  /** [CNF-029] the offset of the set clock from the device clock, or null for the device clock. */
  #clockOffset: number | null = null;
  /** When the pending launch of each app was requested (epoch ms), for its outcome. */
  readonly #receivedAt = new Map<string, number>();
  #outcome: LaunchOutcome | undefined;
  #simulatorFiles = new Map<
    string,
    { manifest: InstalledVersion['manifest']; files: Record<string, Uint8Array> }
  >();
  readonly permissions: PermissionManager;
  readonly storage: BridgeStorage;
  readonly packages: PackageStore;
  readonly analytics: AnalyticsQueue;
  readonly launchStates = new Map<string, LaunchState>();
  /** Runtime frames whose bootstrap loads while their package is being installed. */
  readonly #preloaded = new Map<string, RuntimeFrame>();

  #preload(appId: string, label: string): void {
    if (this.#preloaded.has(label) || this.#provisioned.has(label)) return;
    const frame = new RuntimeFrame(
      this.deps.screens.frameContainer(),
      this.deps.origins,
      this.deps.registrar,
      { bridge: async () => null, report: () => undefined, connected: () => undefined },
      appId,
      label,
    );
    frame.preload();
    this.#preloaded.set(label, frame);
  }

  /** Files of packages installed moments ago, until their launch has read them. */
  readonly #justInstalled = new Map<string, Record<string, Uint8Array>>();
  /** Runtime origins whose worker this host session provisioned, with the version it holds. */
  readonly #provisioned = new Map<string, string>();

  constructor(readonly deps: SuperAppDeps) {
    this.permissions = new PermissionManager(
      deps.store,
      { ask: (r) => deps.ui.askPermission(r) },
      () => this.now(),
    );
    this.storage = new BridgeStorage(deps.store);
    this.packages = new PackageStore(deps.store);
    this.analytics = new AnalyticsQueue(deps.store, defaultHostApiVersion, () => this.now());
    for (const plugin of [
      corePlugin,
      uiPlugin,
      storagePlugin,
      accountPlugin,
      devicePlugin,
      commercePlugin,
      networkPlugin,
      notificationsPlugin,
      loyaltyPlugin,
      ...(deps.plugins ?? []),
    ]) {
      this.registry.register(plugin);
    }
    // [PRM-015] a revocation reaches the running app at once.
    this.permissions.onRevoke(({ appId, permission }) => {
      const instance = this.#instances.get(appId);
      if (instance)
        this.#emit(instance, 'permissions.change', { name: permission, state: 'prompt' });
    });
  }

  // ---- configuration -------------------------------------------------------------------------

  /**
   * The time of every time-based decision: the device clock, or the clock the conformance adapter
   * set, which advances with the device clock from the moment it was set [CNF-029].
   */
  now(): Date {
    return new Date(Date.now() + (this.#clockOffset ?? 0));
  }

  /** Kept across restarts, as a device's clock setting is. */
  async setClock(time: string | null): Promise<void> {
    this.#clockOffset = time === null ? null : Date.parse(time) - Date.now();
    this.#recent = undefined;
    if (this.#clockOffset === null) await this.deps.store.delete('cfg/clock');
    else await this.deps.store.put('cfg/clock', this.#clockOffset);
  }

  get config(): HostConfig {
    if (!this.#config) throw new HostFailure('HOST_ERROR', 'The host is not configured.');
    return this.#config;
  }

  get configured(): boolean {
    return this.#config !== undefined;
  }

  get hostApiVersion(): string {
    return this.#config?.hostApiVersion ?? defaultHostApiVersion;
  }

  get client(): DistributionClient {
    if (!this.#client) throw new HostFailure('HOST_ERROR', 'The host is not configured.');
    return this.#client;
  }

  get userId(): string {
    return this.#config?.credentials?.user?.userId ?? 'local-user';
  }

  /** Applies a configuration (the host's build configuration, or the adapter's `init`). */
  async configure(config: HostConfig): Promise<void> {
    this.#config = config;
    this.#recent = undefined;
    await this.deps.store.put('cfg/host', config);
    this.#client = new DistributionClient(
      config.distributionUrl,
      this.deps.transport,
      config.credentials ?? {},
    );
    this.#verifier = await SdkVerifier.create(base64Bytes(config.trustRoot), this.#client, {
      load: () => this.deps.store.get('trust/state'),
      save: (state) => this.deps.store.put('trust/state', state),
    });
  }

  /** Restores the persisted configuration (and a set clock), if any. */
  async restore(): Promise<boolean> {
    const config = await this.deps.store.get<HostConfig>('cfg/host');
    this.#clockOffset = (await this.deps.store.get<number>('cfg/clock')) ?? null;
    if (!config) return false;
    await this.configure(config);
    return true;
  }

  get verifier(): Verifier {
    if (!this.#verifier) throw new HostFailure('HOST_ERROR', 'The host is not configured.');
    return this.#verifier;
  }

  trustSummary(): TrustSummary | undefined {
    return this.#verifier?.summary();
  }

  onCall(listener: (record: CallRecord) => void): () => void {
    this.#callListeners.add(listener);
    return () => this.#callListeners.delete(listener);
  }

  onChange(listener: () => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  #changed(): void {
    for (const listener of this.#stateListeners) listener();
  }

  get outcome(): LaunchOutcome | undefined {
    return this.#outcome;
  }

  get foregroundApp(): string | undefined {
    return this.#foreground;
  }

  instanceState(
    appId: string,
  ): { lifecycle: Lifecycle; page?: string; versionCode: number; simulator: boolean } | undefined {
    const instance = this.#instances.get(appId);
    return instance
      ? {
          lifecycle: instance.lifecycle,
          ...(instance.page ? { page: instance.page } : {}),
          versionCode: instance.version.versionCode,
          simulator: instance.simulator,
        }
      : undefined;
  }

  async record(appId: string): Promise<AppRecord | undefined> {
    return this.deps.store.get<AppRecord>(`app/${appId}`);
  }

  async records(): Promise<AppRecord[]> {
    return (await this.deps.store.entries<AppRecord>('app/')).map(([, r]) => r);
  }

  async #save(record: AppRecord): Promise<void> {
    await this.deps.store.put(`app/${record.appId}`, record);
  }

  /**
   * Stores a verified package and the record that names it in one transaction (never a record
   * without its package, nor a package no record needs), then [SIG-068] the floor it sets.
   */
  async #persistInstall(
    record: AppRecord,
    version: InstalledVersion,
    files: Record<string, Uint8Array>,
  ): Promise<void> {
    const withRecord: StoreOperation[] = [{ put: `app/${record.appId}`, value: record }];
    // Where the worker that verified the files still holds them, it stores them itself.
    const stored = await this.deps.extractor?.persist?.(version.packageSha256, withRecord);
    performance.mark(`omp:${record.appId}:install:persisted`);
    if (!stored) {
      await this.deps.store.batch([
        this.packages.operation({ sha256: version.packageSha256, files }),
        ...withRecord,
      ]);
    }
    await this.verifier.recordInstall({ appId: record.appId, versionCode: version.versionCode });
  }

  /** Deletes stored packages no record needs (only when no install is under way). */
  async #collectPackages(): Promise<void> {
    if (this.#launching.size > 0) return;
    await this.packages.retain(new Set((await this.records()).flatMap(packagesInUse)));
  }

  async profile(): Promise<UserProfile> {
    return (await this.deps.store.get<UserProfile>('profile')) ?? defaultProfile;
  }

  /** Records an event when it happens, off the launch's critical path; the queue keeps call order. */
  #track(appId: string, versionCode: number, data: AnalyticsData): Promise<void> {
    void this.analytics.record(appId, versionCode, data).catch(() => undefined);
    return Promise.resolve();
  }

  /** Every event recorded so far (the conformance adapter's `events` waits for pending writes). */
  async settledEvents(): Promise<AnalyticsEvent[]> {
    await this.analytics.settled();
    return this.events();
  }

  events(): AnalyticsEvent[] {
    return [...this.analytics.recorded];
  }

  // ---- trust sessions ------------------------------------------------------------------------

  #recent: { session: TrustSession; openedAt: number } | undefined;

  /**
   * A verified session no older than the longest an index may be cached [API-038] (300 s) is reused
   * by launches; a background check or an install always opens a new one.
   */
  async #session(fresh = false): Promise<TrustSession> {
    const recent = this.#recent;
    if (!fresh && recent && performance.now() - recent.openedAt < sessionReuseMs) {
      return recent.session;
    }
    const session = await this.verifier.open(this.now(), this.config.channel);
    this.#recent = { session, openedAt: performance.now() };
    return session;
  }

  // ---- launch --------------------------------------------------------------------------------

  #step(appId: string, event: LaunchEvent): LaunchState {
    const next = advance(this.launchStates.get(appId) ?? initialLaunchState, event);
    if (next.step !== this.launchStates.get(appId)?.step)
      performance.mark(`omp:${appId}:${next.step}`);
    this.launchStates.set(appId, next);
    return next;
  }

  /** Opens a mini-app by link (spec/addressing.md) or by id. */
  async launch(link: string): Promise<LaunchOutcome> {
    const receivedAt = Date.now();
    let target;
    try {
      target = link.includes(':') ? parseMiniAppLink(link) : parseMiniAppLink(`miniapp://${link}/`);
    } catch (error) {
      this.#outcome = { kind: 'refused', code: failureOf(error).code, appId: null, receivedAt };
      this.#changed();
      return this.#outcome;
    }
    // [ADR-010] [ADR-013] the version of a link and anything in it change no decision here.
    const appId = target.id;
    const running = this.#launching.get(appId);
    if (running) return running;
    this.#receivedAt.set(appId, receivedAt);
    const work = this.#launch(appId, target.page, target.query, target.fragment).finally(() =>
      this.#launching.delete(appId),
    );
    this.#launching.set(appId, work);
    return work;
  }

  #finish(outcome: Unstamped<LaunchOutcome>): LaunchOutcome {
    const stamped = {
      ...outcome,
      receivedAt: (outcome.appId && this.#receivedAt.get(outcome.appId)) || Date.now(),
    } as LaunchOutcome;
    this.#outcome = stamped;
    this.#changed();
    return stamped;
  }

  async #launch(
    appId: string,
    page: string,
    query?: string,
    fragment?: string,
  ): Promise<LaunchOutcome> {
    const requestedAt = performance.now();
    const existing = this.#instances.get(appId);
    if (existing && existing.lifecycle !== 'error') {
      // A warm start: the code is already running [LIF-007].
      await this.#foregroundInstance(existing, requestedAt);
      return this.#finish({
        kind: 'launched',
        appId,
        versionCode: existing.version.versionCode,
        page: existing.page ?? existing.version.manifest.entryPage,
        mode: 'warm',
      });
    }
    if (existing) this.#unload(existing);
    const launchId = crypto.randomUUID();
    this.#step(appId, { type: 'start', launchId });
    const catalogName = appId;
    const display: LaunchingApp = { appId, name: catalogName };
    this.deps.screens.loading(display, 'Checking for the latest version');
    // 1. Local cache: an update staged in the background is applied at this cold start [LIF-008].
    let record = await this.record(appId);
    if (record?.pending) {
      const from = record.current?.versionCode;
      record = activate(record);
      await this.#save(record);
      if (record.current) {
        await this.#track(appId, record.current.versionCode, {
          type: 'update.applied',
          fromVersionCode: from ?? 0,
          toVersionCode: record.current.versionCode,
        });
      }
    }
    const cached =
      record?.current && (await this.packages.has(record.current.packageSha256))
        ? record.current
        : undefined;
    this.#step(appId, cached ? { type: 'cacheHit' } : { type: 'cacheMiss' });
    if (cached) display.name = cached.manifest.name;
    // 2. Metadata: a fresh, verified index and the app's bin decide whether the cache may run.
    let session: TrustSession | undefined;
    let decision: UpdateDecision;
    // [SIG-089] the installed version runs only while its statement verifies under the delegation.
    let installedFault: HostFailure | undefined;
    try {
      session = await this.#session();
      const decide = async (current: TrustSession): Promise<UpdateDecision> => {
        installedFault = await this.#refreshInstalled(current, record);
        const [answer = { kind: 'upToDate' }] = await this.#decider().decide(current, [
          this.#installedApp(appId, record, installedFault),
        ]);
        return answer;
      };
      decision = await decide(session);
      if (decision.kind === 'notFound' || (decision.kind === 'upToDate' && !cached)) {
        // A reused index may predate this app's release: only a fresh one can say it is absent.
        session = await this.#session(true);
        decision = await decide(session);
      }
    } catch (error) {
      const failure = failureOf(error);
      const fault = cached ? this.#checkInstalled(appId, cached) : undefined;
      if (cached && !fault) {
        // Offline, or metadata that cannot be verified now: the verified cache still runs.
        this.#step(appId, { type: 'offline' });
        return this.#run(
          appId,
          record as AppRecord,
          cached,
          page,
          query,
          fragment,
          launchId,
          requestedAt,
        );
      }
      const reason = fault ?? failure;
      this.#step(
        appId,
        error instanceof OfflineError && !fault
          ? { type: 'fail', code: reason.code }
          : { type: 'refuse', code: reason.code },
      );
      return this.#refuse(display, reason);
    }
    switch (decision.kind) {
      case 'notFound':
        if (cached) {
          this.#step(appId, { type: 'upToDate' });
          return this.#run(
            appId,
            record as AppRecord,
            cached,
            page,
            query,
            fragment,
            launchId,
            requestedAt,
          );
        }
        this.#step(appId, { type: 'notFound' });
        this.deps.screens.notAvailable(appId);
        return this.#finish({ kind: 'notAvailable', appId });
      case 'incompatible':
        if (cached) {
          this.#step(appId, { type: 'upToDate' });
          return this.#run(
            appId,
            record as AppRecord,
            cached,
            page,
            query,
            fragment,
            launchId,
            requestedAt,
          );
        }
        this.#step(appId, { type: 'incompatible' });
        this.deps.screens.updateRequired(display, decision.minHostVersion);
        return this.#finish({
          kind: 'updateRequired',
          appId,
          minHostVersion: decision.minHostVersion,
        });
      case 'upToDate':
        if (cached) {
          this.#step(appId, { type: 'upToDate' });
          return this.#run(
            appId,
            record as AppRecord,
            cached,
            page,
            query,
            fragment,
            launchId,
            requestedAt,
          );
        }
        this.#step(appId, { type: 'notFound' });
        this.deps.screens.notAvailable(appId);
        return this.#finish({ kind: 'notAvailable', appId });
      case 'revoked':
        if (!decision.replacement) {
          const failure =
            installedFault ??
            (decision.code === 'SIG_REVOKED_KEY'
              ? new HostFailure(
                  'SIG_REVOKED_KEY',
                  'The partner key that signed the installed version was revoked; no release replaces it.',
                  'SIG-067',
                )
              : new HostFailure(
                  'SIG_REVOKED_RELEASE',
                  'The installed release was revoked and has no replacement.',
                  'SIG-066',
                ));
          this.#step(appId, { type: 'refuse', code: failure.code });
          return this.#refuse(display, failure);
        }
        return this.#installAndRun(
          session,
          appId,
          decision.replacement,
          record,
          display,
          page,
          query,
          fragment,
          launchId,
          requestedAt,
        );
      case 'update':
        if (cached && !decision.mandatory) {
          // The cache runs now; the update downloads in the background for the next cold start.
          this.#step(appId, { type: 'upToDate' });
          void this.#stageUpdate(session, appId, decision.release, false);
          return this.#run(
            appId,
            record as AppRecord,
            cached,
            page,
            query,
            fragment,
            launchId,
            requestedAt,
          );
        }
        // [API-035] a mandatory update is applied before the installed version may start.
        return this.#installAndRun(
          session,
          appId,
          decision.release,
          record,
          display,
          page,
          query,
          fragment,
          launchId,
          requestedAt,
        );
    }
  }

  /** The selection on the verified bins [API-101], or the server's batch check when configured. */
  #decider(): UpdateDecider {
    const config = this.config;
    const request = {
      hostApiVersion: this.hostApiVersion,
      channel: config.channel,
      deviceId: config.deviceId,
    };
    return config.updateCheck === 'server' && this.client.hasDeviceCredential
      ? serverDecider(this.client, request)
      : binDecider(request);
  }

  /**
   * [SIG-088] [SIG-089] Before deciding about an installed app, trusts the delegation its bin pins
   * (which may forget its versionCode floor) and checks the installed version's statement under it.
   */
  async #refreshInstalled(
    session: TrustSession,
    record: AppRecord | undefined,
  ): Promise<HostFailure | undefined> {
    if (!record?.current) return undefined;
    await session.refreshDelegation(record.appId);
    return this.#checkInstalled(record.appId, record.current);
  }

  /** [SIG-089] why an installed version may not run, or undefined when its statement verifies. */
  #checkInstalled(appId: string, version: InstalledVersion): HostFailure | undefined {
    if (typeof version.statement !== 'string') {
      return new HostFailure(
        'SIG_UNKNOWN_KEY',
        'The version was installed without a partner statement; it must be installed again.',
        'SIG-089',
      );
    }
    try {
      this.verifier.verifyInstalled(appId, {
        versionCode: version.versionCode,
        packageSha256: version.packageSha256,
        statement: base64Bytes(version.statement),
      });
      return undefined;
    } catch (error) {
      return failureOf(error);
    }
  }

  #installedApp(
    appId: string,
    record: AppRecord | undefined,
    fault: HostFailure | undefined,
  ): InstalledApp {
    const current = record?.current;
    return {
      appId,
      ...(current
        ? {
            installed: {
              versionCode: current.versionCode,
              releaseSha256: current.releaseSha256,
              statementKeyid: current.statementKeyid,
              verified: fault === undefined,
            },
          }
        : {}),
      ...(record?.pending ? { stagedVersionCode: record.pending.versionCode } : {}),
      rejected: record?.rejected ?? [],
    };
  }

  /** The error screen, and a refusal with the registry code of its reason [ERR-002]. */
  #refuse(display: LaunchingApp, failure: HostFailure): LaunchOutcome {
    this.deps.screens.failed(display, failure.code, failure.message);
    return this.#finish({ kind: 'refused', code: failure.code, appId: display.appId });
  }

  /** Steps 2 (release) to 6 of a launch for one pinned release; nothing is stored unless all pass. */
  async #install(
    session: TrustSession,
    appId: string,
    pin: BinRelease,
    onStep: (event: LaunchEvent) => void,
    onProgress: (progress: BundleProgress) => void,
  ): Promise<InstalledVersion | { minHostVersion: string }> {
    // Each step of an install in the performance timeline (omp:<appId>:install:<step>).
    // A stage reached on another thread is marked at the time it was reached there.
    const mark = (step: string, at?: number): void =>
      void performance.mark(
        `omp:${appId}:install:${step}`,
        at === undefined ? undefined : { startTime: at - performance.timeOrigin },
      );
    mark('start');
    // Delegation, release envelope and statement, before any byte of the package [SIG-093].
    const release: TrustedRelease = await session.verifyRelease(appId, pin);
    mark('metadata');
    onStep({ type: 'metadataVerified' });
    // [VER-007] checked before a byte is downloaded: an old host keeps what it can run.
    if (!hostSatisfies(this.hostApiVersion, release.minHostVersion))
      return { minHostVersion: release.minHostVersion };
    const url = release.package.url ?? this.client.bundleUrl(release.package.sha256);
    const extractor = this.deps.extractor ?? inThreadExtractor;
    const stage = (name: 'downloaded' | 'verified', at?: number): void => {
      mark(name === 'downloaded' ? 'downloaded' : 'digest', at);
      onStep({ type: name });
      if (name === 'verified') onStep({ type: 'compatible' });
    };
    // Where the extractor can, it reads the download itself and checks its length and digest
    // against what this session's verified statement signed [SIG-041] [SIG-093] [BUD-012].
    let extracted = await extractor.download?.({
      url,
      signed: session.packageExpectation(release),
      expected: release,
      onProgress,
      onStage: stage,
    });
    if (!extracted) {
      const bytes = await this.client.bundle(url, release.package.length, onProgress);
      stage('downloaded');
      await session.verifyPackage(bytes, release);
      stage('verified');
      // The bytes are given up here (a worker may take them): nothing below reads them again.
      extracted = await extractor.extract(bytes, release.package.sha256, release);
    }
    mark('extracted');
    if (!hostSatisfies(this.hostApiVersion, extracted.manifest.minHostVersion)) {
      return { minHostVersion: extracted.manifest.minHostVersion };
    }
    // Stored by the caller, with the record that names it; a launch runs from these bytes at once.
    this.#justInstalled.set(release.package.sha256, extracted.files);
    onStep({ type: 'extracted' });
    return {
      versionCode: release.versionCode,
      version: release.version,
      releaseSha256: release.releaseSha256,
      statementKeyid: release.statementKeyid,
      statement: bytesBase64(release.statement),
      packageSha256: release.package.sha256,
      minHostVersion: release.minHostVersion,
      manifest: extracted.manifest,
      files: extracted.digests,
      installedAt: this.now().toISOString(),
    };
  }

  async #installAndRun(
    session: TrustSession,
    appId: string,
    pin: BinRelease,
    previousRecord: AppRecord | undefined,
    display: LaunchingApp,
    page: string,
    query: string | undefined,
    fragment: string | undefined,
    launchId: string,
    requestedAt: number,
  ): Promise<LaunchOutcome> {
    // The runtime origin of this installation starts loading while the package downloads.
    const label = previousRecord?.runtimeLabel ?? randomRuntimeLabel();
    this.#preload(appId, label);
    let installed: InstalledVersion | { minHostVersion: string };
    try {
      installed = await this.#install(
        session,
        appId,
        pin,
        (event) => {
          this.#step(appId, event);
          this.deps.screens.loading(display, this.launchStates.get(appId)?.step ?? '');
        },
        (progress) => this.deps.screens.loading(display, 'download', progress),
      );
    } catch (error) {
      this.#preloaded.get(label)?.destroy();
      this.#preloaded.delete(label);
      const failure = failureOf(error);
      const offline = error instanceof OfflineError;
      this.#step(
        appId,
        offline ? { type: 'fail', code: failure.code } : { type: 'refuse', code: failure.code },
      );
      await this.#track(appId, pin.versionCode, {
        type: 'update.failed',
        toVersionCode: pin.versionCode,
        code: this.#registryCode(failure.code),
      });
      return this.#refuse(display, failure);
    }
    if (!('versionCode' in installed)) {
      this.#preloaded.get(label)?.destroy();
      this.#preloaded.delete(label);
      this.#step(appId, { type: 'incompatible' });
      // [VER-008] the update screen, not an error; nothing was stored.
      this.deps.screens.updateRequired(display, installed.minHostVersion);
      return this.#finish({
        kind: 'updateRequired',
        appId,
        minHostVersion: installed.minHostVersion,
      });
    }
    let record = previousRecord ?? newRecord(appId, label);
    const from = record.current?.versionCode;
    record = installNow(record, installed, {
      currentUntrusted: !!record.current && !!this.#checkInstalled(appId, record.current),
    });
    const files = this.#justInstalled.get(installed.packageSha256) ?? {};
    const current = record;
    // Stored while the runtime starts from the bytes in memory: package first, then the record,
    // then [SIG-068] the floor, each only once what it depends on is stored.
    const persisted = this.#persistInstall(current, installed, files);
    persisted.catch(() => undefined);
    if (from !== undefined) {
      await this.#track(appId, installed.versionCode, {
        type: 'update.applied',
        fromVersionCode: from,
        toVersionCode: installed.versionCode,
      });
    }
    return this.#run(
      appId,
      record,
      installed,
      page,
      query,
      fragment,
      launchId,
      requestedAt,
      false,
      persisted,
    );
  }

  /** Analytics codes come from the registry [ANL-003]; a host-only code is reported as HOST_ERROR. */
  #registryCode(code: string): string {
    return Object.hasOwn(errorCodes, code) ? code : 'HOST_ERROR';
  }

  /** Step 7: load into the runtime, handshake, ready; a version on probation that never gets ready is rolled back. */
  async #run(
    appId: string,
    record: AppRecord,
    version: InstalledVersion,
    page: string,
    query: string | undefined,
    fragment: string | undefined,
    launchId: string,
    requestedAt: number,
    simulator = false,
    persisted: Promise<void> = Promise.resolve(),
  ): Promise<LaunchOutcome> {
    const display: LaunchingApp = { appId, name: version.manifest.name };
    const simulated = simulator
      ? this.#simulatorFiles.get(appId)?.files
      : this.#justInstalled.get(version.packageSha256);
    this.#justInstalled.delete(version.packageSha256);
    // [SIG-089] a kept version runs only while its statement verifies under the trusted
    // delegation; a version installed by this launch was verified under it moments ago.
    const fault = simulator || simulated ? undefined : this.#checkInstalled(appId, version);
    if (fault) {
      this.#step(appId, { type: 'refuse', code: fault.code });
      return this.#refuse(display, fault);
    }
    // The files are read only if the runtime lacks them (a warm runtime still holds them).
    let files: Promise<Record<string, Uint8Array> | undefined> | undefined;
    const stored = (): Promise<Record<string, Uint8Array> | undefined> => {
      files ??= simulated
        ? Promise.resolve(simulated)
        : this.packages.get(version.packageSha256).then((p) => p?.files);
      return files;
    };
    if (!(simulated !== undefined || (await this.packages.has(version.packageSha256)))) {
      const failure = new HostFailure(
        'HOST_ERROR',
        'The verified package is missing from the host storage.',
      );
      this.#step(appId, { type: 'fail', code: failure.code });
      return this.#refuse(display, failure);
    }
    const started = performance.now();
    // [LIF-200] the 10 seconds run from the moment the host begins loading the entry page.
    const readyBy = started + readyTimeoutMs;
    const instance = this.#createInstance(record, version, launchId, stored, simulator);
    this.#instances.set(appId, instance);
    this.deps.screens.loading(display, 'Opening');
    // [ADR-009] an unknown or empty page opens the entry page.
    const pages = this.#pages(version);
    const target = page && pages.includes(page) ? page : version.manifest.entryPage;
    // [LIF-200] loading counts against the same 10 seconds: a runtime that never finishes loading
    // (a worker that never activates, a frame that never answers) is a launch that never got ready.
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      deadline = setTimeout(() => resolve('late'), Math.max(0, readyBy - performance.now()));
    });
    try {
      const loading = instance.frame.start(
        {
          label: record.runtimeLabel,
          versionKey: instance.versionKey,
          launch: this.#runtimeLaunch(version, instance.versionKey),
          paths: this.#mainPaths(version),
          load: async (paths) => {
            const all = (await stored()) ?? {};
            return paths
              .filter((path) => all[path] !== undefined)
              .map((path) => [path, all[path] as Uint8Array]);
          },
          page: target,
          ...(query ? { query } : {}),
          ...(fragment ? { fragment } : {}),
          hostApiVersion: this.hostApiVersion,
        },
        // A version installed by this launch meets a preloaded bootstrap; any other first asks the
        // origin's worker whether it still serves exactly this version.
        {
          warm:
            simulated === undefined ||
            this.#provisioned.get(record.runtimeLabel) === instance.versionKey,
        },
      );
      // Settled after the deadline, it only unloads a frame that is gone already.
      loading.catch(() => undefined);
      if ((await Promise.race([loading, late])) === 'late') {
        return await this.#readyTimedOut(instance, page, query, fragment, requestedAt);
      }
      this.#provisioned.set(record.runtimeLabel, instance.versionKey);
      await persisted;
      this.#step(appId, { type: 'loaded' });
    } catch {
      clearTimeout(deadline);
      this.#unload(instance);
      const failure = new HostFailure('HOST_ERROR', 'The runtime could not load the mini-app.');
      this.#step(appId, { type: 'fail', code: failure.code });
      return this.#refuse(display, failure);
    }
    const readyPage = await Promise.race([instance.ready, late]);
    clearTimeout(deadline);
    if (readyPage === 'late')
      return this.#readyTimedOut(instance, page, query, fragment, requestedAt);
    this.#step(appId, { type: 'ready', launchId });
    if (!simulator && record.probation) {
      // The ready signal of this launch ends the probation of its version.
      const current = (await this.record(appId)) ?? record;
      await this.#save(confirm(current, version.versionCode));
    }
    // [LIF-007] [ANL-002] a cold start ends when the entry page is ready; installing is not part of it.
    const durationMs = Math.round(performance.now() - Math.max(requestedAt, started));
    await this.#foregroundInstance(instance, undefined);
    await this.#track(appId, version.versionCode, { type: 'app.launch', mode: 'cold', durationMs });
    return this.#finish({
      kind: 'launched',
      appId,
      versionCode: version.versionCode,
      page: readyPage,
      mode: 'cold',
    });
  }

  async #readyTimedOut(
    instance: Instance,
    page: string,
    query: string | undefined,
    fragment: string | undefined,
    requestedAt: number,
  ): Promise<LaunchOutcome> {
    const { appId } = instance;
    this.#unload(instance);
    await this.#track(appId, instance.version.versionCode, {
      type: 'app.crash',
      reason: 'watchdog',
    });
    const record = await this.record(appId);
    if (
      record?.probation &&
      record.previous &&
      record.current?.versionCode === instance.version.versionCode
    ) {
      // [LIF-200] [LIF-201] the first launch of an update failed: the kept version runs instead,
      // in this same launch, and the failed versionCode is never applied again.
      const failed = instance.version.versionCode;
      const rolled = rollBack(record);
      await this.#save(rolled);
      // [LIF-202]
      await this.#track(appId, failed, {
        type: 'update.failed',
        toVersionCode: failed,
        code: 'APP_NOT_READY',
      });
      this.#changed();
      if (rolled.current) {
        const launchId = crypto.randomUUID();
        this.#step(appId, { type: 'start', launchId });
        this.#step(appId, { type: 'cacheHit' });
        this.#step(appId, { type: 'offline' });
        return this.#run(
          appId,
          rolled,
          rolled.current,
          page,
          query,
          fragment,
          launchId,
          requestedAt,
        );
      }
    }
    // [LIF-203] any other cold start that never gets ready ends in the error state.
    const failure = new HostFailure(
      'APP_NOT_READY',
      'The mini-app did not become ready within 10 seconds.',
      'LIF-203',
    );
    this.#step(appId, { type: 'fail', code: failure.code });
    return this.#refuse({ appId, name: instance.name }, failure);
  }

  #pages(version: InstalledVersion): string[] {
    const m = version.manifest;
    return [...m.pages, ...(m.subpackages ?? []).flatMap((s) => s.pages.map((p) => s.root + p))];
  }

  #runtimeLaunch(version: InstalledVersion, versionKey: string): RuntimeLaunch {
    return {
      versionKey,
      files: version.files,
      pages: this.#pages(version),
      subpackages: (version.manifest.subpackages ?? []).map((s) => ({
        name: s.name,
        root: s.root,
      })),
      csp: miniAppPolicy(version.manifest.allowedDomains ?? [], this.deps.origins.hostOrigin),
    };
  }

  /** Subpackages are loaded into the runtime on first use, not at launch. */
  #mainPaths(version: InstalledVersion): string[] {
    const roots = (version.manifest.subpackages ?? []).map((s) => s.root);
    return Object.keys(version.files).filter(
      (path) => !roots.some((root) => path.startsWith(root)),
    );
  }

  #createInstance(
    record: AppRecord,
    version: InstalledVersion,
    launchId: string,
    stored: () => Promise<Record<string, Uint8Array> | undefined>,
    simulator: boolean,
  ): Instance {
    const appId = record.appId;
    let signalReady: (path: string) => void = () => undefined;
    const ready = new Promise<string>((resolve) => {
      signalReady = resolve;
    });
    const app: AppContext = {
      appId,
      name: version.manifest.name,
      versionCode: version.versionCode,
      manifest: version.manifest,
      userId: this.userId,
      hostApiVersion: this.hostApiVersion,
    };
    const dispatcher = new Dispatcher<HostServices>({
      app,
      registry: this.registry,
      services: this.#services(),
      consent: this.permissions,
      limiter: this.limiter,
      onCall: (call) => this.#recordCall(call, version.versionCode),
    });
    const versionKey = `${version.packageSha256.slice(0, 24)}${simulator ? 's' : 'v'}${version.versionCode.toString(36)}`;
    const instance: Instance = {
      appId,
      name: version.manifest.name,
      launchId,
      record,
      version,
      versionKey,
      dispatcher,
      lifecycle: 'launching',
      ready,
      signalReady: (path) => signalReady(path),
      launchedAt: performance.now(),
      simulator,
      storedFiles: stored,
      frame: undefined as unknown as RuntimeFrame,
    };
    const handlers = {
      bridge: (message: unknown) => dispatcher.handle(message),
      report: (report: ClientReport, documentId: number) =>
        void this.#onReport(instance, report, documentId),
      connected: () => undefined,
    };
    const preloaded = this.#preloaded.get(record.runtimeLabel);
    this.#preloaded.delete(record.runtimeLabel);
    if (preloaded && preloaded.appId === appId) {
      preloaded.handlers = handlers;
      instance.frame = preloaded;
    } else {
      preloaded?.destroy();
      instance.frame = new RuntimeFrame(
        this.deps.screens.frameContainer(),
        this.deps.origins,
        this.deps.registrar,
        handlers,
        appId,
        record.runtimeLabel,
      );
    }
    return instance;
  }

  #recordCall(call: CallRecord, versionCode: number): void {
    this.calls.push(call);
    if (this.calls.length > 500) this.calls.splice(0, this.calls.length - 500);
    for (const listener of this.#callListeners) listener(call);
    if (!call.ok && call.error && call.channel === 'openminiapp') {
      void this.#track(call.appId, versionCode, {
        type: 'bridge.error',
        method: call.method,
        code: call.error.code,
      });
    }
  }

  async #onReport(instance: Instance, report: ClientReport, _documentId: number): Promise<void> {
    // Only this version's pages count: the key is anchored by the runtime for this version.
    if ('versionKey' in report && report.versionKey !== instance.versionKey) return;
    switch (report.kind) {
      case 'page': {
        if (report.url) instance.documentUrl = report.url;
        if (report.subpackage !== undefined) {
          const sub = (instance.version.manifest.subpackages ?? []).find(
            (s) => s.name === report.subpackage,
          );
          const stored = sub ? await instance.storedFiles() : undefined;
          if (!sub || !stored) return;
          const files = Object.entries(stored)
            .filter(([path]) => path.startsWith(sub.root))
            .map(([path, bytes]) => [path, bytes.slice().buffer] as [string, ArrayBuffer]);
          instance.frame.postRuntime(
            { runtime: runtimeMarker, kind: 'provision', subpackage: sub.name, files },
            files.map(([, buffer]) => buffer),
          );
          return;
        }
        const previous = instance.page;
        instance.page = report.path;
        if (instance.lifecycle === 'foreground') {
          if (previous && previous !== report.path)
            this.#emit(instance, 'page.show', { page: report.path });
          else this.#emit(instance, 'page.show', { page: report.path });
          await this.#track(instance.appId, instance.version.versionCode, {
            type: 'page.view',
            page: report.path,
          });
        }
        return;
      }
      case 'ready':
        instance.signalReady(report.path);
        return;
      case 'error':
        if (this.#pages(instance.version).includes(report.path)) {
          await this.#track(instance.appId, instance.version.versionCode, {
            type: 'app.error',
            errorType: report.errorType.slice(0, 64) || 'Error',
            page: report.path,
          });
        }
        return;
      default:
        return;
    }
  }

  #emit(instance: Instance, name: string, data: Record<string, unknown>): void {
    if (!eventAvailable(name, this.hostApiVersion)) return;
    instance.frame.postBridge(
      encodeEnvelope({ bridge: 'openminiapp', v: 1, kind: 'event', name, data }),
    );
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /** [LIF-002] [LIF-006] [LIF-011] app.show before page.show; one foreground app at a time. */
  async #foregroundInstance(instance: Instance, requestedAt: number | undefined): Promise<void> {
    const other =
      this.#foreground !== undefined && this.#foreground !== instance.appId
        ? this.#instances.get(this.#foreground)
        : undefined;
    if (other) this.#toBackground(other);
    if (instance.unloadTimer) clearTimeout(instance.unloadTimer);
    this.#foreground = instance.appId;
    instance.frame.setVisible(true);
    this.deps.screens.showApp(
      { appId: instance.appId, name: instance.name },
      { simulator: instance.simulator },
    );
    if (instance.lifecycle !== 'foreground') {
      instance.lifecycle = 'foreground';
      this.#emit(instance, 'app.show', {});
      if (instance.page) {
        this.#emit(instance, 'page.show', { page: instance.page });
        await this.#track(instance.appId, instance.version.versionCode, {
          type: 'page.view',
          page: instance.page,
        });
      }
      if (requestedAt !== undefined) {
        // [LIF-007] a warm start ends when app.show is sent.
        await this.#track(instance.appId, instance.version.versionCode, {
          type: 'app.launch',
          mode: 'warm',
          durationMs: Math.round(performance.now() - requestedAt),
        });
      }
    }
    this.#changed();
  }

  /** [LIF-003] [LIF-011] page.hide, then app.hide, then the frame is hidden. */
  #toBackground(instance: Instance): void {
    if (instance.lifecycle === 'foreground') {
      if (instance.page) this.#emit(instance, 'page.hide', { page: instance.page });
      this.#emit(instance, 'app.hide', {});
    }
    instance.lifecycle = 'background';
    instance.frame.setVisible(false);
    if (this.#foreground === instance.appId) this.#foreground = undefined;
    // [LIF-004] a hidden app is unloaded after five minutes.
    instance.unloadTimer = setTimeout(() => this.#unload(instance), backgroundUnloadMs);
    this.#changed();
  }

  #unload(instance: Instance): void {
    if (instance.unloadTimer) clearTimeout(instance.unloadTimer);
    if (instance.lifecycle === 'foreground') this.#toBackground(instance);
    if (instance.unloadTimer) clearTimeout(instance.unloadTimer);
    if (instance.page) this.#emit(instance, 'page.unload', { page: instance.page });
    instance.frame.destroy();
    if (this.#instances.get(instance.appId) === instance) this.#instances.delete(instance.appId);
    if (this.#foreground === instance.appId) this.#foreground = undefined;
    this.#changed();
  }

  /** The foreground app goes to the background (the user leaves it, or app.close); false when none. */
  async background(appId = this.#foreground): Promise<boolean> {
    const instance = appId === undefined ? undefined : this.#instances.get(appId);
    if (!instance || instance.lifecycle !== 'foreground') return false;
    this.#toBackground(instance);
    this.deps.screens.home();
    return true;
  }

  /** The most recent background app returns (warm start); undefined when none is in the background. */
  async foreground(appId?: string): Promise<LaunchOutcome | undefined> {
    const target =
      appId ??
      [...this.#instances.values()]
        .filter((i) => i.lifecycle === 'background')
        .map((i) => i.appId)
        .pop();
    const instance = target === undefined ? undefined : this.#instances.get(target);
    if (!instance || instance.lifecycle !== 'background') return undefined;
    this.#receivedAt.set(instance.appId, Date.now());
    await this.#foregroundInstance(instance, performance.now());
    return this.#finish({
      kind: 'launched',
      appId: instance.appId,
      versionCode: instance.version.versionCode,
      page: instance.page ?? instance.version.manifest.entryPage,
      mode: 'warm',
    });
  }

  // ---- installs and updates ------------------------------------------------------------------

  /** What an update session says about one app, with the trust checks an installed one needs. */
  async #decideOne(
    session: TrustSession,
    record: AppRecord | undefined,
    appId: string,
  ): Promise<{ decision: UpdateDecision; fault: HostFailure | undefined }> {
    const fault = await this.#refreshInstalled(session, record);
    const [decision = { kind: 'upToDate' }] = await this.#decider().decide(session, [
      this.#installedApp(appId, record, fault),
    ]);
    return { decision, fault };
  }

  /** The outcome of a decision that installs nothing (no update, or none that may run here). */
  #settled(
    appId: string,
    record: AppRecord | undefined,
    decision: UpdateDecision,
    fault: HostFailure | undefined,
  ): InstallOutcome {
    if (decision.kind === 'incompatible')
      return { kind: 'updateRequired', appId, minHostVersion: decision.minHostVersion };
    if (decision.kind === 'revoked' || fault) {
      return {
        kind: 'refused',
        appId,
        code:
          fault?.code ??
          (decision.kind === 'revoked' ? decision.code : undefined) ??
          'SIG_REVOKED_RELEASE',
      };
    }
    const current = record?.pending ?? record?.current;
    return current
      ? { kind: 'upToDate', appId, versionCode: current.versionCode }
      : { kind: 'notAvailable', appId };
  }

  /** Installs (or updates to) the release the update session selects, without launching it. */
  async install(appId: string): Promise<InstallOutcome> {
    let record = await this.record(appId);
    try {
      const session = await this.#session(true);
      const { decision, fault } = await this.#decideOne(session, record, appId);
      const pin =
        decision.kind === 'update'
          ? decision.release
          : decision.kind === 'revoked'
            ? decision.replacement
            : undefined;
      if (!pin) return this.#settled(appId, record, decision, fault);
      const result = await this.#install(
        session,
        appId,
        pin,
        () => undefined,
        () => undefined,
      );
      if (!('versionCode' in result))
        return { kind: 'updateRequired', appId, minHostVersion: result.minHostVersion };
      const files = this.#justInstalled.get(result.packageSha256) ?? {};
      this.#justInstalled.delete(result.packageSha256);
      const base = record ?? newRecord(appId, randomRuntimeLabel());
      record = installNow(base, result, {
        currentUntrusted: !!base.current && !!this.#checkInstalled(appId, base.current),
      });
      // Installed only once the package, its record and the floor are stored.
      await this.#persistInstall(record, result, files);
      performance.mark(`omp:${appId}:install:stored`);
      this.#changed();
      return { kind: 'installed', appId, versionCode: result.versionCode };
    } catch (error) {
      return { kind: 'refused', appId, code: failureOf(error).code };
    }
  }

  /** Downloads and verifies one update in the background; it is activated at the next cold start. */
  async #stageUpdate(
    session: TrustSession,
    appId: string,
    pin: BinRelease,
    mandatory: boolean,
  ): Promise<InstallOutcome> {
    try {
      const result = await this.#install(
        session,
        appId,
        pin,
        () => undefined,
        () => undefined,
      );
      if (!('versionCode' in result))
        return { kind: 'updateRequired', appId, minHostVersion: result.minHostVersion };
      const files = this.#justInstalled.get(result.packageSha256) ?? {};
      this.#justInstalled.delete(result.packageSha256);
      const record = await this.record(appId);
      if (!record) return { kind: 'notAvailable', appId };
      await this.#persistInstall(stage(record, result, mandatory), result, files);
      this.#changed();
      return { kind: 'installed', appId, versionCode: result.versionCode };
    } catch (error) {
      const failure = failureOf(error);
      await this.#track(appId, pin.versionCode, {
        type: 'update.failed',
        toVersionCode: pin.versionCode,
        code: this.#registryCode(failure.code),
      });
      return { kind: 'refused', appId, code: failure.code };
    }
  }

  /**
   * The update session of a cold start of the super app: one check for every installed app, in order
   * of app id; new versions are downloaded and verified now and activated at their next launch.
   */
  async refresh(): Promise<InstallOutcome[]> {
    const records = (await this.records())
      .filter((r) => r.current)
      .sort((a, b) => (a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : 0));
    if (records.length === 0) return [];
    let session: TrustSession;
    let faults: (HostFailure | undefined)[];
    let decisions: UpdateDecision[];
    try {
      session = await this.#session(true);
      faults = await Promise.all(records.map((r) => this.#refreshInstalled(session, r)));
      decisions = await this.#decider().decide(
        session,
        records.map((r, i) => this.#installedApp(r.appId, r, faults[i])),
      );
    } catch (error) {
      const code = failureOf(error).code;
      return records.map((r) => ({ kind: 'refused', appId: r.appId, code }));
    }
    const outcomes: InstallOutcome[] = [];
    for (const [i, record] of records.entries()) {
      const decision = decisions[i] ?? { kind: 'upToDate' };
      const pin =
        decision.kind === 'update'
          ? decision.release
          : decision.kind === 'revoked'
            ? decision.replacement
            : undefined;
      if (!pin) {
        outcomes.push(this.#settled(record.appId, record, decision, faults[i]));
        continue;
      }
      const mandatory = decision.kind === 'update' ? decision.mandatory : true;
      outcomes.push(await this.#stageUpdate(session, record.appId, pin, mandatory));
    }
    this.#changed();
    return outcomes;
  }

  /** [STO-005] [PRM-017] storage, web storage and decisions go with the app; false when not installed. */
  async uninstall(appId: string): Promise<boolean> {
    const instance = this.#instances.get(appId);
    if (instance) this.#unload(instance);
    const record = await this.record(appId);
    await this.storage.deleteApp(appId);
    await this.permissions.forgetApp(this.userId, appId);
    await this.deps.store.delete(`app/${appId}`);
    await this.deps.store.delete(`fav/${appId}`);
    await this.#collectPackages();
    if (record) await this.#clearWebStorage(record.runtimeLabel);
    this.#changed();
    return record?.current !== undefined;
  }

  /** The runtime origin's cookies, storage and workers are cleared (and the origin is never reused). */
  async #clearWebStorage(label: string): Promise<void> {
    const frame = document.createElement('iframe');
    frame.hidden = true;
    frame.setAttribute('sandbox', 'allow-same-origin');
    const loaded = new Promise<void>((resolve) => {
      frame.onload = () => resolve();
      setTimeout(resolve, 3000);
    });
    frame.src = `${this.deps.origins.runtimeOrigin(label)}/__omp/clear`;
    document.body.append(frame);
    await loaded;
    frame.remove();
  }

  /** Everything forgotten: trust state, installs, decisions, storage, history (adapter `reset`). */
  async reset(): Promise<void> {
    for (const instance of [...this.#instances.values()]) this.#unload(instance);
    const labels = (await this.records()).map((r) => r.runtimeLabel);
    await this.analytics.clear();
    for (const prefix of [
      'app/',
      'pkg/',
      'perm/',
      'sto/',
      'ana/',
      'trust/',
      'hist/',
      'fav/',
      'notif/',
      'report/',
      'feedback/',
      'profile',
    ]) {
      await this.deps.store.deletePrefix(prefix);
    }
    for (const frame of this.#preloaded.values()) frame.destroy();
    this.#preloaded.clear();
    this.#provisioned.clear();
    this.#justInstalled.clear();
    this.#launching.clear();
    this.#receivedAt.clear();
    this.calls.length = 0;
    this.launchStates.clear();
    this.#outcome = undefined;
    this.#recent = undefined;
    this.#clockOffset = null;
    await this.deps.store.delete('cfg/clock');
    for (const label of labels) await this.#clearWebStorage(label);
    if (this.#config) await this.configure(this.#config);
    this.#changed();
  }

  /** Forgets the configuration too: the host holds nothing of earlier sessions [CNF-026]. */
  async forget(): Promise<void> {
    await this.reset();
    await this.deps.store.delete('cfg/host');
    this.#config = undefined;
    this.#client = undefined;
    this.#verifier = undefined;
    this.#changed();
  }

  // ---- settings, as the user changes them ----------------------------------------------------

  /** [ANL-008] whether the user allows analytics. */
  async analyticsAllowed(): Promise<boolean> {
    return !(await this.analytics.optedOut());
  }

  async setAnalyticsAllowed(allowed: boolean): Promise<void> {
    await this.analytics.setOptOut(!allowed);
  }

  /** [ANL-007] a new random device pseudonym, from now on in update checks and analytics. */
  async resetDeviceId(): Promise<string> {
    const config = { ...this.config, deviceId: randomDeviceId() };
    await this.configure(config);
    return config.deviceId;
  }

  /** The remembered permission decisions of the user, as the settings list them [PRM-014]. */
  async decisions(): Promise<
    { appId: string; permission: PermissionName; decision: 'granted' | 'denied' }[]
  > {
    return (await this.permissions.decisions(this.userId)).map((d) => ({
      appId: d.appId,
      permission: d.permission,
      decision: d.state,
    }));
  }

  /** The running mini-app: the one in the foreground, else the one most recently started. */
  running():
    { appId: string; versionCode: number; state: Lifecycle; documentUrl: string } | undefined {
    const instances = [...this.#instances.values()];
    const instance =
      instances.find((i) => i.appId === this.#foreground) ?? instances[instances.length - 1];
    if (!instance) return undefined;
    return {
      appId: instance.appId,
      versionCode: instance.version.versionCode,
      state: instance.lifecycle,
      documentUrl:
        instance.documentUrl ??
        `${this.deps.origins.runtimeOrigin(instance.record.runtimeLabel)}/app/${instance.page ?? instance.version.manifest.entryPage}`,
    };
  }

  /** Sends what the analytics queue holds now, as the batch timer would [ANL-012]; the number sent. */
  async sendAnalytics(): Promise<number> {
    await this.analytics.settled();
    if (!this.client.hasDeviceCredential) return 0;
    return this.analytics.flush(
      { send: (batch) => this.client.postAnalytics(batch) },
      this.config.deviceId,
    );
  }

  // ---- simulator -----------------------------------------------------------------------------

  /**
   * Development builds only: runs files from a local directory without signatures, on a runtime
   * origin of its own, visibly marked as a simulation.
   */
  async simulate(
    manifest: InstalledVersion['manifest'],
    files: Record<string, Uint8Array>,
  ): Promise<LaunchOutcome> {
    if (buildMode === 'production')
      throw new HostFailure('HOST_ERROR', 'The simulator exists only in development builds.');
    const appId = manifest.id;
    const existing = this.#instances.get(appId);
    if (existing) this.#unload(existing);
    const digests: Record<string, string> = {};
    for (const [path, bytes] of Object.entries(files)) digests[path] = await sha256Hex(bytes);
    const packageSha256 = await sha256Hex(new TextEncoder().encode(JSON.stringify(digests)));
    this.#simulatorFiles.set(appId, { manifest, files });
    const version: InstalledVersion = {
      versionCode: manifest.versionCode,
      version: manifest.version,
      releaseSha256: 'simulator',
      statementKeyid: 'simulator',
      statement: '',
      packageSha256,
      minHostVersion: manifest.minHostVersion,
      manifest,
      files: digests,
      installedAt: this.now().toISOString(),
    };
    const record = newRecord(appId, `sim${packageSha256.slice(0, 20)}`);
    const launchId = crypto.randomUUID();
    return this.#run(
      appId,
      record,
      version,
      manifest.entryPage,
      undefined,
      undefined,
      launchId,
      performance.now(),
      true,
    );
  }

  // ---- services for plugins ------------------------------------------------------------------

  #services(): HostServices {
    return {
      info: this.deps.info,
      ui: this.deps.ui,
      permissions: this.permissions,
      storage: this.storage,
      distribution: this.client,
      device: this.deps.device,
      profile: () => this.profile(),
      subscribe: async (appId, topics) => {
        const key = `notif/${encodeURIComponent(this.userId)}/${encodeURIComponent(appId)}`;
        const current = new Set((await this.deps.store.get<string[]>(key)) ?? []);
        for (const topic of topics) current.add(topic);
        await this.deps.store.put(key, [...current].sort());
        return topics;
      },
      fetch: (url, init) => this.deps.transport.fetch(url, init),
      apps: {
        close: async (appId) => {
          await this.background(appId);
        },
        open: async (appId, page, query) => {
          const known = (await this.record(appId)) ?? (await this.#existsInCatalog(appId));
          if (!known) throw new BridgeError('NOT_FOUND', `No mini-app ${appId} exists.`);
          const search = query ? new URLSearchParams(query).toString() : '';
          const link = `miniapp://${appId}/${page ?? ''}${search ? `?${search}` : ''}`;
          // Opened after this call is answered, so the caller gets its response first.
          setTimeout(() => void this.launch(link), 0);
        },
        setNavigationBar: (appId, bar: NavigationBar) => this.deps.ui.setNavigationBar(appId, bar),
        implemented: () => new Set([...this.registry.provided]),
        link: (appId, page) => `miniapp://${appId}/${page ?? ''}`,
      },
    };
  }

  async #existsInCatalog(appId: string): Promise<boolean> {
    try {
      const session = await this.#session();
      const entry = await session.entry(appId);
      return entry?.releases.some((r) => r.channel === session.channel) ?? false;
    } catch {
      return false;
    }
  }

  // ---- permissions and history for the shell -------------------------------------------------

  async revoke(appId: string, permission: PermissionName): Promise<void> {
    await this.permissions.revoke(this.userId, appId, permission);
  }

  async addHistory(appId: string): Promise<void> {
    await this.deps.store.put(`hist/${appId}`, { appId, at: this.now().toISOString() });
  }

  async history(): Promise<{ appId: string; at: string }[]> {
    return (await this.deps.store.entries<{ appId: string; at: string }>('hist/'))
      .map(([, h]) => h)
      .sort((a, b) => (a.at < b.at ? 1 : -1));
  }

  async favourites(): Promise<string[]> {
    return (await this.deps.store.keys('fav/')).map((k) => k.slice(4));
  }

  async toggleFavourite(appId: string): Promise<boolean> {
    const key = `fav/${appId}`;
    const on = (await this.deps.store.keys(key)).includes(key);
    if (on) await this.deps.store.delete(key);
    else await this.deps.store.put(key, true);
    this.#changed();
    return !on;
  }
}
