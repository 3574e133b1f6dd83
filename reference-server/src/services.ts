import path from 'node:path';
import { Registry } from 'prom-client';
import type { Release, SignedDocument, VerifiedStatement } from '#sdk/signing/index.ts';
import type { BundleStorage } from './bundles/bundle-storage.ts';
import { createBundleStorage } from './bundles/bundle-store-config.ts';
import { CredentialCache, credentialChannel } from './http/credential-cache.ts';
import { loadPlatformKeys, type PlatformKeys } from './trust/platform-keys.ts';
import type { DelegationStore } from './trust/delegation-store.ts';
import { createTrustService, type PublishedIndex } from './trust/trust-service.ts';
import type { ServerConfig } from './config.ts';
import type { Database } from './store/database.ts';

/** The platform's signing side: trust root, delegations, signed index and bins, countersignatures (spec/signing.md). */
export interface TrustService {
  /** The delegations of partner keys to apps [SIG-080] [API-108] [API-109]. */
  delegations: DelegationStore;
  /** The current trust root envelope [API-036]. */
  currentRoot(): Promise<{ version: number; bytes: Uint8Array }>;
  /** An earlier or current root by version, for clients walking the chain [API-037]. */
  rootByVersion(version: number): Promise<Uint8Array | null>;
  /**
   * The newest signed index and its bins, re-signed when a change or its expiry requires it, and
   * followed across processes within 5 seconds [API-038] [API-039] [API-106].
   */
  currentIndex(): Promise<PublishedIndex>;
  /** Any index ever published [API-102]. */
  indexByVersion(version: number): Promise<Uint8Array | null>;
  /** Any bin ever published ('' is the prefix of binPrefixLength 0) [API-103]. */
  binByVersion(prefix: string, version: number): Promise<Uint8Array | null>;
  /** Call after committing a change to releases, revocations or delegations: signs the next index now. */
  indexChanged(): void;
  /** Calls listener whenever this process adopts a newer index. */
  onIndexChange(listener: (index: PublishedIndex) => void): () => void;
  /** The platform countersignature of an approved version [API-084]. */
  countersign(input: {
    statement: VerifiedStatement;
    minHostVersion: string;
    permissions: readonly string[];
    url: string;
  }): Promise<SignedDocument<Release>>;
}

/** What route handlers may use; built once at start and passed in, so tests can build their own. */
export interface Services {
  config: ServerConfig;
  db: Database;
  bundles: BundleStorage;
  trust: TrustService;
  /** Recently seen credentials; forget() after any revocation. */
  credentials: CredentialCache;
  metrics: Registry;
  /** Set when a graceful shutdown has begun, so /readyz turns unready before the listener closes. */
  shuttingDown: { value: boolean };
}

export interface ServiceOptions {
  /** The platform's keys; loaded from DATA_DIR/trust when not given. */
  keys?: PlatformKeys;
  metrics?: Registry;
  clock?: () => Date;
  /** How long a credential lookup may be reused [API-094]; 0 disables the cache. */
  credentialCacheMs?: number;
  /** How often the process polls the store for another process's index [API-106]; at most 5 s. */
  trustPollMs?: number;
}

/** Assembles the services of one server process: the one place main, tests and benchmarks build them. */
export async function createServices(
  config: ServerConfig,
  db: Database,
  options: ServiceOptions = {},
): Promise<Services> {
  const keys = options.keys ?? (await loadPlatformKeys(path.join(config.dataDir, 'trust')));
  const bundles = createBundleStorage(config.dataDir, config.bundleStore);
  // A partial upload left by a killed process would otherwise stay in scratch/ for ever.
  await bundles.sweepScratch();
  const credentials = new CredentialCache(options.credentialCacheMs);
  // [API-094] another process revoked a credential (or the listening connection was lost and some
  // announcement may have been missed): drop every cached lookup. The entry age bound stays the
  // fallback when no announcement arrives.
  await db.listen(credentialChannel, () => credentials.forget());
  return {
    config,
    db,
    metrics: options.metrics ?? new Registry(),
    shuttingDown: { value: false },
    bundles,
    trust: createTrustService(db, keys, {
      publicUrl: config.publicUrl,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.trustPollMs === undefined ? {} : { pollMs: options.trustPollMs }),
    }),
    credentials,
  };
}
