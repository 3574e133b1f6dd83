/**
 * The host's port to the trust chain of spec/signing.md. The launch pipeline and the update logic
 * depend only on this interface; `SdkVerifier` implements it today with the sdk's TrustStore (root,
 * index, release metadata). The delegation/statement/bin chain of draft.2 slots in behind the same
 * port: `open` then also fetches the pinned bins, `verifyRelease` the statement and delegation.
 */
import type { MiniAppError } from '#sdk/diagnostics/index.ts';

/** A release that the verified metadata of a session lets the host install, before its envelope is checked. */
export interface PinnedRelease {
  appId: string;
  channel: string;
  versionCode: number;
  /** SHA-256 of the release envelope bytes that the index pins [SIG-065]. */
  releaseSha256: string;
  /** Present when the metadata carries it (bins of draft.2); otherwise read from the release. */
  minHostVersion?: string;
  mandatory?: boolean;
  rolloutPercent?: number;
}

/** Verified release metadata: everything the host installs is checked against this. */
export interface TrustedRelease {
  appId: string;
  version: string;
  versionCode: number;
  minHostVersion: string;
  package: { sha256: string; length: number; url?: string };
  manifestSha256: string;
  permissions: string[];
  /** Digest of the release envelope bytes. */
  releaseSha256: string;
  /** The partner key whose statement the platform countersigned. */
  statementKeyid: string;
}

/** What the conformance adapter's `state` reports about trust. */
export interface TrustSummary {
  rootVersion: number;
  rootExpires: string;
  indexVersion: number;
  /** Anti-rollback floors: the highest installed versionCode per app [SIG-068]. */
  installed: Record<string, number>;
}

/** One update session: a fixed time and a verified index [SIG-063] [SIG-064]. */
export interface TrustSession {
  readonly now: Date;
  readonly channel: string;
  readonly indexVersion: number;
  /** Every release of the app that the session's index pins on its channel, newest first. */
  pinned(appId: string): PinnedRelease[];
  /** Whether the index lists this release envelope digest as revoked [SIG-066]. */
  isRevoked(releaseSha256: string): boolean;
  /** Fetches and verifies one pinned release [SIG-033] [SIG-034] [SIG-035] [SIG-065] to [SIG-067]. */
  verifyRelease(pin: PinnedRelease): Promise<TrustedRelease>;
  /** Length and digest of downloaded bytes against verified metadata, before any parser sees them [SIG-041]. */
  verifyPackage(bytes: Uint8Array, release: TrustedRelease): Promise<void>;
}

export interface Verifier {
  /** Walks root rotations and verifies the current index; fails with a SIG_ code. */
  open(now: Date, channel: string): Promise<TrustSession>;
  /** Raises the anti-rollback floor once the verified package is installed [SIG-068]. */
  recordInstall(appId: string, versionCode: number): Promise<void>;
  summary(): TrustSummary;
}

/** A failure of verification, carrying a code of the closed registry. */
export type VerificationError = MiniAppError;
