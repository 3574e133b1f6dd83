/**
 * The host's port to the trust chain of spec/signing.md (1.0.0-draft.2). The launch pipeline and the
 * update logic depend only on this interface; `SdkVerifier` implements it with the sdk's TrustStore.
 *
 * One session: root rotations (at most 32) and a fresh index [SIG-063] [SIG-064] [SIG-110]; the bin
 * of an app fetched by the index's pin [SIG-102] [SIG-107]; for a release to install, the app's
 * delegation pinned by the bin [SIG-085] to [SIG-088], the release envelope pinned on the host's
 * channel and not revoked [SIG-065] to [SIG-067], and the partner statement under the delegation
 * [SIG-090] to [SIG-092], all before any package byte is opened [SIG-093].
 */
import type { MiniAppError } from '#sdk/diagnostics/index.ts';
import type { AppEntry, BinRelease } from '#sdk/signing/index.ts';

export type { AppEntry, BinRelease };

/** Verified release metadata and statement: everything the host installs is checked against this. */
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
  /** The partner key that signed the statement, as the release names it. */
  statementKeyid: string;
  /** The partner statement's envelope bytes, kept with the installed version [SIG-089]. */
  statement: Uint8Array;
}

/** What the conformance adapter's `state` reports about trust. */
export interface TrustSummary {
  rootVersion: number;
  rootExpires: string;
  /** The highest index version trusted, 0 before the first [SIG-068]. */
  indexVersion: number;
  /** Anti-rollback floors: the highest installed versionCode per app [SIG-068]. */
  installed: Record<string, number>;
  /** The delegation version trusted per app [SIG-068]. */
  delegations: Record<string, number>;
}

/** One update session: a fixed time and a verified index [SIG-063] [SIG-064]. */
export interface TrustSession {
  readonly now: Date;
  readonly channel: string;
  readonly indexVersion: number;
  /**
   * The app's entry in the verified bin of its prefix, fetched by the index's pin; null when the
   * bin does not list the app, which then has no installable release [SIG-107].
   */
  entry(appId: string): Promise<AppEntry | null>;
  /**
   * Verifies and trusts the delegation the app's entry pins when it is not the one trusted already
   * [SIG-085] to [SIG-088] (a new delegation may forget the app's versionCode floor).
   */
  refreshDelegation(appId: string): Promise<void>;
  /** Delegation, release envelope and statement of one release of the app's entry. */
  verifyRelease(appId: string, pin: BinRelease): Promise<TrustedRelease>;
  /** Length and digest of downloaded bytes against a release this session verified [SIG-041] [SIG-093]. */
  verifyPackage(bytes: Uint8Array, release: TrustedRelease): Promise<void>;
  /**
   * The signed length and digest that package bytes of a release this session verified must have,
   * for a download checked on another thread; throws for any other release [SIG-093].
   */
  packageExpectation(release: TrustedRelease): { sha256: string; length: number };
}

/** What the host knows of an installed version when it checks it before a launch [SIG-089]. */
export interface InstalledStatement {
  versionCode: number;
  packageSha256: string;
  /** The statement envelope bytes kept at install. */
  statement: Uint8Array;
}

export interface Verifier {
  /** Walks root rotations and verifies the current index; fails with a SIG_ code. */
  open(now: Date, channel: string): Promise<TrustSession>;
  /** Raises the anti-rollback floor once the verified package is installed [SIG-068]. */
  recordInstall(release: Pick<TrustedRelease, 'appId' | 'versionCode'>): Promise<void>;
  /**
   * Throws unless the statement of an installed version verifies under the keys and threshold of the
   * app's delegation the host trusts, and describes that version [SIG-089].
   */
  verifyInstalled(appId: string, installed: InstalledStatement): void;
  summary(): TrustSummary;
}

/** A failure of verification, carrying a code of the closed registry. */
export type VerificationError = MiniAppError;
