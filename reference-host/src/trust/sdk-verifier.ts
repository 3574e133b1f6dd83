/**
 * The Verifier port implemented with the sdk's TrustStore (spec/signing.md of 1.0.0-draft.2), running
 * unchanged in the browser through the shims of src/platform. The store verifies; this class fetches
 * each document from the route of spec/distribution.md that the document before it pins, and keeps
 * the trust state persisted [SIG-068]. Package digests use WebCrypto, which is native and
 * asynchronous, so a 2 MiB bundle costs a few milliseconds.
 */
import { isMiniAppError } from '#sdk/diagnostics/index.ts';
import {
  maxRootRotations,
  TrustStore,
  type AppEntry,
  type BinRelease,
  type Release,
  type TrustState,
} from '#sdk/signing/index.ts';
import { DistributionError, type DistributionClient } from '../distribution/distribution-client.ts';
import { HostFailure } from '../launch/host-failure.ts';
import type {
  InstalledStatement,
  TrustSession,
  TrustSummary,
  TrustedRelease,
  Verifier,
} from './verifier.ts';

/** Where the verifier keeps its state between sessions [SIG-068]. */
export interface TrustStatePort {
  load(): Promise<TrustState | undefined>;
  save(state: TrustState): Promise<void>;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>),
  );
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** Compares two hex digests in time independent of where they differ. */
export function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** [SIG-041] the length, then the digest, before any parser sees the bytes. */
export async function checkPackageDigest(
  bytes: Uint8Array,
  signed: { sha256: string; length: number },
): Promise<void> {
  if (bytes.length !== signed.length) {
    throw new HostFailure(
      'SIG_LENGTH_MISMATCH',
      `The package has ${bytes.length} bytes; ${signed.length} were signed.`,
      'SIG-041',
    );
  }
  if (!sameDigest(await sha256Hex(bytes), signed.sha256)) {
    throw new HostFailure(
      'SIG_DIGEST_MISMATCH',
      'The package does not hash to the signed digest.',
      'SIG-041',
    );
  }
}

function notServed(what: string, requirement: string): HostFailure {
  return new HostFailure('SIG_NOT_IN_INDEX', `The server does not serve ${what}.`, requirement);
}

export class SdkVerifier implements Verifier {
  readonly #store: TrustStore;
  #saving: Promise<void> = Promise.resolve();
  /** Delegation envelopes by digest: immutable, so fetched once per host session. */
  readonly #delegationBytes = new Map<string, Uint8Array>();
  /** Bins being fetched, by route, so concurrent lookups share one download. */
  readonly #binDownloads = new Map<string, Promise<void>>();

  private constructor(
    store: TrustStore,
    private readonly client: DistributionClient,
    private readonly port: TrustStatePort,
  ) {
    this.#store = store;
  }

  /**
   * Restores the persisted trust state, or starts from the root the host ships with [SIG-050]
   * (`bakedRoot`, the envelope bytes).
   */
  static async create(
    bakedRoot: Uint8Array,
    client: DistributionClient,
    port: TrustStatePort,
  ): Promise<SdkVerifier> {
    const persisted = await port.load();
    const store = persisted ? new TrustStore(persisted) : TrustStore.fromBakedRoot(bakedRoot);
    return new SdkVerifier(store, client, port);
  }

  /** [SIG-068] written in order, each time after the document that changed the state verified. */
  #persist(): Promise<void> {
    this.#saving = this.#saving.then(() => this.port.save(this.#store.state));
    return this.#saving;
  }

  summary(): TrustSummary {
    const root = this.#store.root;
    const state = this.#store.state;
    return {
      rootVersion: root.version,
      rootExpires: root.expires,
      indexVersion: state.indexVersion,
      installed: state.installed,
      delegations: Object.fromEntries(
        Object.entries(state.delegations ?? {}).map(([appId, d]) => [appId, d.version]),
      ),
    };
  }

  async open(now: Date, channel: string): Promise<TrustSession> {
    const store = this.#store;
    // [SIG-053] successors one version at a time from the immutable per-version route; one more
    // than the cap is fetched so that the store can tell that the cap was reached [SIG-110].
    const successors: Uint8Array[] = [];
    for (let version = store.root.version + 1; successors.length <= maxRootRotations; version++) {
      const bytes = await this.client.metadata(`v1/trust/${version}.root.json`, `Root ${version}`);
      if (!bytes) break;
      successors.push(bytes);
    }
    try {
      store.updateRoot(successors, now);
    } finally {
      // The roots applied before a failure (or before the cap) are kept for the next session.
      if (successors.length > 0) await this.#persist();
    }
    const indexBytes = await this.client.metadata('v1/trust/index.json', 'The index');
    if (!indexBytes) throw notServed('an index', 'SIG-064');
    const index = store.verifyIndex(indexBytes, now);
    await this.#persist();
    return this.#session(now, channel, index.version);
  }

  #session(now: Date, channel: string, indexVersion: number): TrustSession {
    const store = this.#store;
    const verified = new WeakSet<TrustedRelease>();
    const expectation = (release: TrustedRelease): { sha256: string; length: number } => {
      if (!verified.has(release)) {
        throw new HostFailure(
          'HOST_ERROR',
          'Package bytes reached verification without a statement verified in this session.',
          'SIG-093',
        );
      }
      return { sha256: release.package.sha256, length: release.package.length };
    };
    const entry = (appId: string): Promise<AppEntry | null> => this.#entry(appId, now);
    return {
      now,
      channel,
      indexVersion,
      entry,
      refreshDelegation: async (appId) => {
        const current = await entry(appId);
        if (!current) return;
        const trusted = store.trustedDelegation(appId);
        if (
          trusted?.version === current.delegation.version &&
          trusted.sha256 === current.delegation.sha256
        ) {
          return;
        }
        await this.#verifyDelegation(appId, current, now);
      },
      verifyRelease: async (appId, pin) => {
        const current = await entry(appId);
        if (!current) throw notServed(`a bin that lists ${appId}`, 'SIG-107');
        // Every install verifies the pinned delegation in this session: the statement needs it.
        await this.#verifyDelegation(appId, current, now);
        const release = await this.#verifyReleaseEnvelope(appId, pin, channel, now);
        const statementBytes = await this.client.metadata(
          `v1/releases/${encodeURIComponent(appId)}/${release.release.versionCode}.statement.json`,
          'The statement',
        );
        if (!statementBytes) {
          throw new DistributionError(
            'API_NOT_FOUND',
            404,
            `The server has no statement of ${appId} ${release.release.versionCode}.`,
          );
        }
        // [SIG-090] [SIG-091] [SIG-092] before any package byte is read [SIG-093].
        store.verifyStatement(statementBytes, release.release);
        const trusted: TrustedRelease = {
          appId: release.release.appId,
          version: release.release.version,
          versionCode: release.release.versionCode,
          minHostVersion: release.release.minHostVersion,
          package: { ...release.release.package },
          manifestSha256: release.release.manifestSha256,
          permissions: [...release.release.permissions],
          releaseSha256: release.sha256,
          statementKeyid: release.release.statement.keyid,
          statement: statementBytes,
        };
        verified.add(trusted);
        return trusted;
      },
      verifyPackage: async (bytes, release) => {
        await checkPackageDigest(bytes, expectation(release));
      },
      packageExpectation: expectation,
    };
  }

  /** The app's entry in the bin of its prefix, fetching and verifying that bin once per index [SIG-102]. */
  async #entry(appId: string, now: Date): Promise<AppEntry | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        return this.#store.appEntry(appId);
      } catch (error) {
        // USAGE: the store has not verified this bin under its current index yet.
        if (!isMiniAppError(error) || error.code !== 'USAGE' || attempt > 0) throw error;
      }
      const location = this.#store.binFor(appId);
      const route = location.path.slice(1);
      let download = this.#binDownloads.get(route);
      if (!download) {
        download = (async () => {
          const bytes = await this.client.metadata(route, `The bin "${location.prefix}"`);
          if (!bytes) throw notServed(`the bin the index pins at ${location.path}`, 'SIG-102');
          this.#store.verifyBin(bytes, location.prefix, now);
        })().finally(() => this.#binDownloads.delete(route));
        this.#binDownloads.set(route, download);
      }
      await download;
    }
  }

  /** [SIG-085] to [SIG-088] the delegation the entry pins, trusted and persisted. */
  async #verifyDelegation(appId: string, entry: AppEntry, now: Date): Promise<void> {
    const pin = entry.delegation;
    let bytes = this.#delegationBytes.get(pin.sha256);
    if (!bytes) {
      const fetched = await this.client.metadata(
        `v1/delegations/${encodeURIComponent(appId)}/${pin.version}.delegation.json`,
        'The delegation',
      );
      if (!fetched) throw notServed(`delegation ${pin.version} of ${appId}`, 'SIG-085');
      bytes = fetched;
    }
    this.#store.verifyDelegation(bytes, { appId, now });
    this.#delegationBytes.set(pin.sha256, bytes);
    await this.#persist();
  }

  /** [SIG-033] to [SIG-035] [SIG-065] to [SIG-067] the release envelope the bin pins on the channel. */
  async #verifyReleaseEnvelope(
    appId: string,
    pin: BinRelease,
    channel: string,
    now: Date,
  ): Promise<{ release: Release; sha256: string }> {
    const bytes = await this.client.metadata(
      `v1/releases/${encodeURIComponent(appId)}/${pin.versionCode}.release.json`,
      'The release metadata',
    );
    if (!bytes) throw notServed(`release ${pin.versionCode} of ${appId}`, 'SIG-065');
    const verified = this.#store.verifyRelease(bytes, { appId, channel, now });
    if (
      verified.release.versionCode !== pin.versionCode ||
      (pin.sha256 !== '' && verified.sha256 !== pin.sha256)
    ) {
      throw new HostFailure(
        'SIG_NOT_IN_INDEX',
        `The server answered another release than versionCode ${pin.versionCode} that the bin pins.`,
        'SIG-065',
      );
    }
    return verified;
  }

  async recordInstall(release: Pick<TrustedRelease, 'appId' | 'versionCode'>): Promise<void> {
    this.#store.recordInstall({
      appId: release.appId,
      versionCode: release.versionCode,
    } as Release);
    await this.#persist();
  }

  verifyInstalled(appId: string, installed: InstalledStatement): void {
    const statement = this.#store.verifyInstalled(appId, installed.statement);
    if (statement.versionCode !== installed.versionCode) {
      throw new HostFailure(
        'SIG_MANIFEST_MISMATCH',
        `The kept statement is for versionCode ${statement.versionCode}, not ${installed.versionCode}.`,
        'SIG-089',
      );
    }
    if (!sameDigest(statement.package.sha256, installed.packageSha256)) {
      throw new HostFailure(
        'SIG_DIGEST_MISMATCH',
        'The kept statement names another package than the installed one.',
        'SIG-089',
      );
    }
  }
}
