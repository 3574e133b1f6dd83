import path from 'node:path';
import { Registry } from 'prom-client';
import type { Release, SignedDocument, VerifiedStatement } from '#sdk/signing/index.ts';
import { BundleStore } from './bundles/bundle-store.ts';
import { CredentialCache } from './http/credential-cache.ts';
import { loadPlatformKeys, type PlatformKeys } from './trust/platform-keys.ts';
import { createTrustService } from './trust/trust-service.ts';
import type { ServerConfig } from './config.ts';
import type { Database } from './store/database.ts';

/** The platform's signing side: trust root, signed index and countersignatures (spec/signing.md). */
export interface TrustService {
  /** The current trust root envelope [API-036]. */
  currentRoot(): Promise<{ version: number; bytes: Uint8Array }>;
  /** An earlier or current root by version, for clients walking the chain [API-037]. */
  rootByVersion(version: number): Promise<Uint8Array | null>;
  /** The current signed index, re-signed when stale or close to expiry [API-038] [API-039]. */
  currentIndex(): Promise<{ version: number; bytes: Uint8Array; expires: Date }>;
  /** Call after committing any change to releases or revocations: the next index reflects it. */
  indexChanged(): void;
  /** Calls listener after every indexChanged(), so caches of the release set can be dropped. */
  onIndexChange(listener: () => void): () => void;
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
  bundles: BundleStore;
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
}

/** Assembles the services of one server process: the one place main, tests and benchmarks build them. */
export async function createServices(
  config: ServerConfig,
  db: Database,
  options: ServiceOptions = {},
): Promise<Services> {
  const keys = options.keys ?? (await loadPlatformKeys(path.join(config.dataDir, 'trust')));
  const bundles = new BundleStore(config.dataDir);
  // A partial upload left by a killed process would otherwise stay in scratch/ for ever.
  await bundles.sweepScratch();
  return {
    config,
    db,
    metrics: options.metrics ?? new Registry(),
    shuttingDown: { value: false },
    bundles,
    trust: createTrustService(db, keys, options.clock),
    credentials: new CredentialCache(options.credentialCacheMs),
  };
}
