import type { Registry } from 'prom-client';
import type { Release, SignedDocument, VerifiedStatement } from '#sdk/signing/index.ts';
import type { BundleStore } from './bundles/bundle-store.ts';
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
  metrics: Registry;
  /** Set when a graceful shutdown has begun, so /readyz turns unready before the listener closes. */
  shuttingDown: { value: boolean };
}
