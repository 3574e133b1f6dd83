import { MiniAppError, isMiniAppError } from '#sdk/diagnostics/index.ts';
import type { ErrorCode } from '#schemas';
import { binPrefixOf, checkBinApps, type AppEntry, type Bin } from './bin.ts';
import { checkDelegation, type Delegation } from './delegation.ts';
import { sha256Hex } from './digest.ts';
import {
  encodeEnvelope,
  parseEnvelope,
  payloadTypes,
  verifyEnvelope,
  type Envelope,
} from './envelope.ts';
import type { PublicJwk } from './jwk.ts';
import { verifyPackageBytes } from './package-identity.ts';
import { decodeSignedPayload } from './payload.ts';
import type { Release } from './release.ts';
import {
  checkBinCover,
  maxIndexLifetimeMs,
  type BinPin,
  type ReleaseIndex,
} from './release-index.ts';
import { checkRoot, roleKeys, type Role, type Root } from './root.ts';
import type { Statement } from './statement.ts';
import { checkValidityWindow, isExpired } from './timestamp.ts';

/** [SIG-110] the most successor roots a host applies in one update session. */
export const maxRootRotations = 32;

/** The delegation a host trusts for one app, kept between sessions [SIG-068] [SIG-086] [SIG-089]. */
export interface TrustedDelegation {
  version: number;
  /** SHA-256 of the delegation envelope bytes. */
  sha256: string;
  expires: string;
  keys: Record<string, PublicJwk>;
  threshold: number;
}

/**
 * What a host persists between update sessions [SIG-068]. Plain JSON, so hosts can store it anywhere.
 */
export interface TrustState {
  /** The envelope of the trusted root, as last accepted. */
  root: Envelope;
  /** The highest index version trusted so far (0 before the first index). */
  indexVersion: number;
  /** The highest installed versionCode per appId (the rollback floor [SIG-035]). */
  installed: Record<string, number>;
  /** The delegation trusted per appId; absent in state saved before spec 1.0.0-draft.2. */
  delegations?: Record<string, TrustedDelegation>;
}

export interface ReleaseRequest {
  appId: string;
  /** The channel the host follows; the bin must pin the release on it [SIG-065]. */
  channel: string;
  /** The time fixed for this update session [SIG-063]. */
  now: Date;
}

/** A release that verified, with the digest of its envelope bytes. */
export interface VerifiedRelease {
  release: Release;
  sha256: string;
}

/** A partner statement that verified under the app's delegation [SIG-090] [SIG-091] [SIG-092]. */
export interface VerifiedReleaseStatement {
  statement: Statement;
  /** SHA-256 of the statement envelope bytes. */
  sha256: string;
  /** The delegated keys whose signatures verified. */
  keyids: string[];
}

/** Where a host finds the bin of an app: the index's pin and the route that serves it [API-103]. */
export interface BinLocation extends BinPin {
  /** The path below the server's origin, e.g. `/v1/trust/bins/a/7.bin.json`. */
  path: string;
}

/** Signature failures of a rotation are reported as one code that names the rotation [SIG-052]. */
const signatureCodes = new Set([
  'SIG_UNKNOWN_KEY',
  'SIG_INVALID_SIGNATURE',
  'SIG_THRESHOLD_NOT_MET',
]);

function sameRole(a: Role, b: Role): boolean {
  return a.threshold === b.threshold && [...a.keyids].sort().join() === [...b.keyids].sort().join();
}

function decodeRoot(envelope: Envelope, trusted: Root): Root {
  const { payload } = verifyEnvelope(
    envelope,
    roleKeys(trusted, 'root'),
    trusted.roles.root.threshold,
    payloadTypes.root,
  );
  const root = decodeSignedPayload<Root>(payload, 'signing/root.schema.json', 'The root');
  checkRoot(root);
  return root;
}

function expired(what: string, expires: string, now: Date, requirement = 'SIG-063'): MiniAppError {
  return new MiniAppError('SIG_EXPIRED', `${what} expired at ${expires}.`, {
    requirement,
    details: { expires, now: now.toISOString() },
  });
}

function notPinned(message: string, requirement: string, details = {}): MiniAppError {
  return new MiniAppError('SIG_NOT_IN_INDEX', message, { requirement, details });
}

function digestMismatch(what: string, requirement: string): MiniAppError {
  return new MiniAppError('SIG_DIGEST_MISMATCH', `${what} does not hash to the pinned digest.`, {
    requirement,
  });
}

function outOfOrder(message: string, fix: string): MiniAppError {
  return new MiniAppError('USAGE', message, { fix });
}

/**
 * The host side of spec/signing.md: a trusted root, the persisted anti-rollback state (index version,
 * installed versionCodes, trusted delegations) and the documents verified in the current session.
 *
 * One update session uses one `now` for every call [SIG-063], in this order:
 *
 * 1. `updateRoot(successors, now)`: the roots N+1, N+2, ... fetched from `/v1/trust/{N}.root.json`
 *    (at most 32 per session [SIG-110]).
 * 2. `verifyIndex(indexBytes, now)`: `/v1/trust/index.json`.
 * 3. For each app: `binFor(appId)` names the bin to fetch; `verifyBin(binBytes, prefix, now)`; then
 *    `appEntry(appId)` is the app's signed entry, the input of `selectUpdate` (`#sdk/distribution`).
 * 4. For an app to install: `verifyDelegation(bytes, { appId, now })` (the entry's delegation pin),
 *    `verifyRelease(bytes, { appId, channel, now })`, `verifyStatement(bytes, release)` (the partner
 *    statement at `/v1/releases/{appId}/{versionCode}.statement.json`), then `verifyPackage(bytes,
 *    release)` and, once installed, `recordInstall(release)`.
 *
 * Before launching an installed version, `verifyInstalled(appId, statementBytes)` checks it against
 * the delegation the host trusts [SIG-089]. Persist `state` after every session [SIG-068].
 */
export class TrustStore {
  #root: Root;
  #rootEnvelope: Envelope;
  #indexVersion: number;
  #installed: Record<string, number>;
  #delegations: Record<string, TrustedDelegation>;
  #index: ReleaseIndex | undefined;
  #bins = new Map<string, Bin>();
  #sessionDelegations = new Map<string, Delegation>();
  #verifiedStatements = new Set<string>();
  #rotations = { at: Number.NaN, count: 0 };

  /**
   * Restores a store from persisted state. The root must be signed by a threshold of its own root
   * keys; the state is otherwise trusted as the host's own storage.
   */
  constructor(state: TrustState) {
    const unverified = decodeSignedPayload<Root>(
      unverifiedRootPayload(state.root),
      'signing/root.schema.json',
      'The trusted root',
    );
    checkRoot(unverified);
    this.#root = decodeRoot(state.root, unverified);
    this.#rootEnvelope = state.root;
    this.#indexVersion = state.indexVersion;
    this.#installed = { ...state.installed };
    this.#delegations = structuredClone(state.delegations ?? {});
  }

  /** A store that trusts the root baked into the host binary [SIG-050]. */
  static fromBakedRoot(rootBytes: Uint8Array): TrustStore {
    return new TrustStore({ root: parseEnvelope(rootBytes), indexVersion: 0, installed: {} });
  }

  /** The state to persist [SIG-068]. */
  get state(): TrustState {
    return {
      root: structuredClone(this.#rootEnvelope),
      indexVersion: this.#indexVersion,
      installed: { ...this.#installed },
      delegations: structuredClone(this.#delegations),
    };
  }

  /** The trusted root payload. */
  get root(): Root {
    return structuredClone(this.#root);
  }

  /** The rollback floor of an app: its highest installed versionCode, 0 when none [SIG-035]. */
  installedVersionCode(appId: string): number {
    return this.#installed[appId] ?? 0;
  }

  /** The delegation the host trusts for an app, if any [SIG-068]. */
  trustedDelegation(appId: string): TrustedDelegation | undefined {
    const trusted = this.#delegations[appId];
    return trusted ? structuredClone(trusted) : undefined;
  }

  /**
   * Applies successor roots in order [SIG-052] [SIG-053] [SIG-056], at most 32 per session [SIG-110],
   * then refuses the result if it has expired [SIG-054]. Intermediate roots may have expired: only the
   * final one must be current. Beyond the cap it throws SIG_ROOT_ROTATION_LIMIT, keeping the 32 roots
   * it applied, so the next session continues from there.
   */
  updateRoot(nextRoots: readonly Uint8Array[], now: Date): Root {
    if (this.#rotations.at !== now.getTime()) this.#rotations = { at: now.getTime(), count: 0 };
    for (const bytes of nextRoots) {
      if (this.#rotations.count >= maxRootRotations) {
        throw new MiniAppError(
          'SIG_ROOT_ROTATION_LIMIT',
          `More than ${maxRootRotations} root rotations in one update session; applied up to version ${this.#root.version}.`,
          { requirement: 'SIG-110', fix: 'Persist the state and continue in the next session.' },
        );
      }
      const envelope = parseEnvelope(bytes);
      const next = this.#verifySuccessor(envelope);
      if (!sameRole(this.#root.roles.index, next.roles.index)) this.#indexVersion = 0;
      this.#root = next;
      this.#rootEnvelope = envelope;
      this.#rotations.count++;
      this.#forgetSession();
    }
    if (isExpired(this.#root.expires, now))
      throw expired('The trusted root', this.#root.expires, now, 'SIG-054');
    return this.root;
  }

  #forgetSession(): void {
    this.#index = undefined;
    this.#bins.clear();
    this.#sessionDelegations.clear();
    this.#verifiedStatements.clear();
  }

  #verifySuccessor(envelope: Envelope): Root {
    let next: Root;
    try {
      // Signed by a threshold of the current root keys; only then is the payload parsed.
      next = decodeRoot(envelope, this.#root);
    } catch (cause) {
      throw rotationError(cause, 'is not signed by a threshold of the current root keys');
    }
    if (next.version !== this.#root.version + 1) {
      throw new MiniAppError(
        'SIG_ROOT_ROTATION_INVALID',
        `Root version ${next.version} does not follow the trusted version ${this.#root.version}.`,
        { requirement: 'SIG-053', fix: 'Fetch and apply every intermediate root in order.' },
      );
    }
    try {
      decodeRoot(envelope, next);
    } catch (cause) {
      throw rotationError(cause, 'is not signed by a threshold of its own root keys');
    }
    return next;
  }

  /**
   * Verifies the session's index [SIG-060] [SIG-062] [SIG-063] [SIG-100] and keeps it for the bins.
   * Bins verified under an earlier index of the session are forgotten.
   */
  verifyIndex(bytes: Uint8Array, now: Date): ReleaseIndex {
    this.#requireFreshRoot(now);
    const envelope = parseEnvelope(bytes);
    const { payload } = verifyEnvelope(
      envelope,
      roleKeys(this.#root, 'index'),
      this.#root.roles.index.threshold,
      payloadTypes.index,
    );
    const index = decodeSignedPayload<ReleaseIndex>(
      payload,
      'signing/index.schema.json',
      'The index',
    );
    checkValidityWindow(index.issuedAt, index.expires, 'SIG-061', maxIndexLifetimeMs);
    checkBinCover(index);
    if (index.version < this.#indexVersion) {
      throw new MiniAppError(
        'SIG_ROLLBACK',
        `Index version ${index.version} is lower than the trusted version ${this.#indexVersion}.`,
        { requirement: 'SIG-062' },
      );
    }
    if (isExpired(index.expires, now)) throw expired('The index', index.expires, now);
    this.#indexVersion = index.version;
    this.#index = index;
    this.#bins.clear();
    return structuredClone(index);
  }

  /** The bin that holds an app, as the session's index pins it [SIG-101] [SIG-107]. */
  binFor(appId: string): BinLocation {
    const index = this.#requireIndex();
    const prefix = binPrefixOf(appId, index.binPrefixLength);
    const pin = index.bins.find((bin) => bin.prefix === prefix);
    if (!pin) throw notPinned(`The index pins no bin of prefix "${prefix}".`, 'SIG-100');
    return { ...pin, path: `/v1/trust/bins/${prefix || 'all'}/${pin.version}.bin.json` };
  }

  /**
   * Verifies a bin against the pin of its prefix in the session's index [SIG-101] [SIG-102]: the
   * digest of the exact bytes first, then the signature of the `index` role, then prefix and version.
   */
  verifyBin(bytes: Uint8Array, prefix: string, now: Date): Bin {
    this.#requireFreshRoot(now);
    const index = this.#requireIndex();
    if (isExpired(index.expires, now)) throw expired('The index', index.expires, now);
    const pin = index.bins.find((bin) => bin.prefix === prefix);
    if (!pin) throw notPinned(`The index pins no bin of prefix "${prefix}".`, 'SIG-102');
    if (sha256Hex(bytes) !== pin.sha256) throw digestMismatch(`The bin "${prefix}"`, 'SIG-102');
    const { payload } = verifyEnvelope(
      parseEnvelope(bytes),
      roleKeys(this.#root, 'index'),
      this.#root.roles.index.threshold,
      payloadTypes.bin,
    );
    const bin = decodeSignedPayload<Bin>(payload, 'signing/bin.schema.json', 'The bin');
    if (bin.prefix !== pin.prefix || bin.version !== pin.version) {
      throw notPinned(
        `The bin is prefix "${bin.prefix}" version ${bin.version}; the index pins "${pin.prefix}" version ${pin.version}.`,
        'SIG-102',
      );
    }
    checkBinApps(bin);
    this.#bins.set(prefix, bin);
    return structuredClone(bin);
  }

  /**
   * The app's entry in its verified bin, or null when the bin does not list it (no installable
   * release [SIG-107]). The input of the update selection [API-101].
   */
  appEntry(appId: string): AppEntry | null {
    const { prefix } = this.binFor(appId);
    const bin = this.#bins.get(prefix);
    if (!bin) {
      throw outOfOrder(
        `The bin "${prefix}" of ${appId} was not verified in this session.`,
        'Fetch the bin named by binFor(appId) and pass it to verifyBin first.',
      );
    }
    const entry = Object.hasOwn(bin.apps, appId) ? bin.apps[appId] : undefined;
    return entry ? structuredClone(entry) : null;
  }

  #requireEntry(appId: string, requirement: string): AppEntry {
    const entry = this.appEntry(appId);
    if (!entry) throw notPinned(`The verified bin does not list ${appId}.`, requirement);
    return entry;
  }

  /**
   * Verifies the app's delegation [SIG-080] [SIG-081] [SIG-083] against the pin of its bin entry
   * [SIG-085], the highest version trusted before [SIG-086] and the session's time [SIG-087], then
   * trusts it; a delegation that drops a key or raises the threshold forgets the app's versionCode
   * floor [SIG-088].
   */
  verifyDelegation(bytes: Uint8Array, request: { appId: string; now: Date }): Delegation {
    const { appId, now } = request;
    this.#requireFreshRoot(now);
    const entry = this.#requireEntry(appId, 'SIG-085');
    const sha256 = sha256Hex(bytes);
    if (sha256 !== entry.delegation.sha256)
      throw digestMismatch(`The delegation of ${appId}`, 'SIG-085');
    const { payload } = verifyEnvelope(
      parseEnvelope(bytes),
      roleKeys(this.#root, 'delegation'),
      this.#root.roles.delegation.threshold,
      payloadTypes.delegation,
    );
    const delegation = decodeSignedPayload<Delegation>(
      payload,
      'signing/delegation.schema.json',
      'The delegation',
    );
    checkDelegation(delegation, this.#root);
    if (delegation.appId !== appId) {
      throw new MiniAppError(
        'SIG_WRONG_APP',
        `The delegation is for ${delegation.appId}, not ${appId}.`,
        { requirement: 'SIG-085', location: { pointer: '/appId' } },
      );
    }
    if (delegation.version !== entry.delegation.version) {
      throw notPinned(
        `Delegation version ${delegation.version} is not the pinned version ${entry.delegation.version}.`,
        'SIG-085',
      );
    }
    const trusted = this.#delegations[appId];
    if (
      trusted &&
      (delegation.version < trusted.version ||
        (delegation.version === trusted.version && sha256 !== trusted.sha256))
    ) {
      throw new MiniAppError(
        'SIG_ROLLBACK',
        `Delegation version ${delegation.version} of ${appId} is not newer than the trusted version ${trusted.version}.`,
        { requirement: 'SIG-086' },
      );
    }
    if (isExpired(delegation.expires, now))
      throw expired(`The delegation of ${appId}`, delegation.expires, now, 'SIG-087');
    if (
      trusted &&
      delegation.version > trusted.version &&
      (Object.keys(trusted.keys).some((keyid) => !Object.hasOwn(delegation.keys, keyid)) ||
        delegation.threshold > trusted.threshold)
    ) {
      // [SIG-088] the partner dropped a key (or raised the bar): a floor that key inflated goes too.
      this.#installed = Object.fromEntries(
        Object.entries(this.#installed).filter(([id]) => id !== appId),
      );
    }
    this.#delegations[appId] = {
      version: delegation.version,
      sha256,
      expires: delegation.expires,
      keys: structuredClone(delegation.keys),
      threshold: delegation.threshold,
    };
    this.#sessionDelegations.set(appId, delegation);
    return structuredClone(delegation);
  }

  /**
   * Verifies release metadata for the requested app [SIG-033] [SIG-034] [SIG-035] against its entry
   * in the session's bin [SIG-064] [SIG-065] [SIG-066] [SIG-067]. Release metadata has no expiry: an
   * envelope of any age is accepted while the bin pins it [SIG-095].
   */
  verifyRelease(bytes: Uint8Array, request: ReleaseRequest): VerifiedRelease {
    const { now } = request;
    this.#requireFreshRoot(now);
    const index = this.#requireIndex();
    if (isExpired(index.expires, now)) throw expired('The index', index.expires, now);
    const entry = this.#requireEntry(request.appId, 'SIG-065');
    const sha256 = sha256Hex(bytes);
    if (entry.revokedReleases.includes(sha256)) {
      throw new MiniAppError('SIG_REVOKED_RELEASE', `Release ${sha256} is revoked.`, {
        requirement: 'SIG-066',
        details: { sha256 },
      });
    }
    const { payload } = verifyEnvelope(
      parseEnvelope(bytes),
      roleKeys(this.#root, 'release'),
      this.#root.roles.release.threshold,
      payloadTypes.release,
    );
    const release = decodeSignedPayload<Release>(
      payload,
      'signing/release.schema.json',
      'The release',
    );
    if (release.appId !== request.appId) {
      throw new MiniAppError(
        'SIG_WRONG_APP',
        `The release is for ${release.appId}, not ${request.appId}.`,
        { requirement: 'SIG-034', location: { pointer: '/appId' } },
      );
    }
    const pinned = entry.releases.some(
      (r) =>
        r.channel === request.channel &&
        r.versionCode === release.versionCode &&
        r.minHostVersion === release.minHostVersion &&
        r.sha256 === sha256,
    );
    if (!pinned) {
      throw notPinned(
        `The bin does not pin this release of ${release.appId} (versionCode ${release.versionCode}) on channel ${request.channel}.`,
        'SIG-065',
        { sha256 },
      );
    }
    if (entry.revokedKeys.includes(release.statement.keyid)) {
      throw new MiniAppError(
        'SIG_REVOKED_KEY',
        `Partner key ${release.statement.keyid} is revoked.`,
        { requirement: 'SIG-067', location: { pointer: '/statement/keyid' } },
      );
    }
    const installed = this.#installed[release.appId] ?? 0;
    if (release.versionCode < installed) {
      throw new MiniAppError(
        'SIG_ROLLBACK',
        `versionCode ${release.versionCode} is lower than the installed ${installed}.`,
        { requirement: 'SIG-035', location: { pointer: '/versionCode' } },
      );
    }
    return { release, sha256 };
  }

  /**
   * Verifies the partner statement of a verified release [SIG-090] [SIG-091] [SIG-092]: its bytes are
   * those the release names, it is signed by a threshold of the keys of the app's delegation verified
   * in this session, minus the keys the bin revokes, and it describes the same package.
   */
  verifyStatement(bytes: Uint8Array, release: Release): VerifiedReleaseStatement {
    const delegation = this.#sessionDelegations.get(release.appId);
    if (!delegation) {
      throw outOfOrder(
        `No delegation of ${release.appId} was verified in this session.`,
        'Fetch the delegation pinned by the app entry and pass it to verifyDelegation first.',
      );
    }
    const sha256 = sha256Hex(bytes);
    if (sha256 !== release.statement.sha256) throw digestMismatch('The statement', 'SIG-090');
    const revoked = new Set(this.#requireEntry(release.appId, 'SIG-091').revokedKeys);
    const keys = Object.fromEntries(
      Object.entries(delegation.keys).filter(([keyid]) => !revoked.has(keyid)),
    );
    const { payload, validKeyids } = verifyEnvelope(
      parseEnvelope(bytes),
      keys,
      delegation.threshold,
      payloadTypes.statement,
    );
    if (!validKeyids.includes(release.statement.keyid)) {
      throw new MiniAppError(
        'SIG_UNKNOWN_KEY',
        `The release names key ${release.statement.keyid}, which did not sign the statement.`,
        { requirement: 'SIG-091', location: { pointer: '/statement/keyid' } },
      );
    }
    const statement = decodeSignedPayload<Statement>(
      payload,
      'signing/statement.schema.json',
      'The statement',
    );
    checkStatementMatches(statement, release);
    this.#verifiedStatements.add(release.statement.sha256);
    return { statement, sha256, keyids: validKeyids };
  }

  /**
   * Checks downloaded bytes against verified release metadata [SIG-041] [SIG-042], only after the
   * release's statement verified in this session [SIG-093].
   */
  verifyPackage(bytes: Uint8Array, release: Release): void {
    if (!this.#verifiedStatements.has(release.statement.sha256)) {
      throw outOfOrder(
        `The statement of ${release.appId} ${release.versionCode} was not verified in this session.`,
        'Fetch the statement and pass it to verifyStatement before the package [SIG-093].',
      );
    }
    verifyPackageBytes(bytes, release);
  }

  /** Raises the installed versionCode once the verified package is installed [SIG-068]. */
  recordInstall(release: Release): void {
    const installed = this.#installed[release.appId] ?? 0;
    if (release.versionCode > installed) this.#installed[release.appId] = release.versionCode;
  }

  /**
   * Checks, before a launch, that the statement of an installed version verifies under the delegation
   * the host trusts for the app [SIG-089]; throws when it does not.
   */
  verifyInstalled(appId: string, statementBytes: Uint8Array): Statement {
    const trusted = this.#delegations[appId];
    if (!trusted) {
      throw new MiniAppError('SIG_UNKNOWN_KEY', `No delegation of ${appId} is trusted.`, {
        requirement: 'SIG-089',
        fix: 'Run an update session that verifies the delegation of the app.',
      });
    }
    const { payload } = verifyEnvelope(
      parseEnvelope(statementBytes),
      trusted.keys,
      trusted.threshold,
      payloadTypes.statement,
    );
    const statement = decodeSignedPayload<Statement>(
      payload,
      'signing/statement.schema.json',
      'The statement',
    );
    if (statement.appId !== appId) {
      throw new MiniAppError('SIG_WRONG_APP', `The statement is for ${statement.appId}.`, {
        requirement: 'SIG-089',
        location: { pointer: '/appId' },
      });
    }
    return statement;
  }

  #requireIndex(): ReleaseIndex {
    if (!this.#index) {
      throw notPinned('No index was verified in this session.', 'SIG-064');
    }
    return this.#index;
  }

  #requireFreshRoot(now: Date): void {
    if (isExpired(this.#root.expires, now))
      throw expired('The trusted root', this.#root.expires, now, 'SIG-054');
  }
}

/** [SIG-092] the statement describes exactly the package the release names. */
function checkStatementMatches(statement: Statement, release: Release): void {
  const fault = (code: ErrorCode, member: string): MiniAppError =>
    new MiniAppError(code, `The statement's ${member} differs from the release metadata.`, {
      requirement: 'SIG-092',
      location: { pointer: `/${member}` },
    });
  if (statement.appId !== release.appId) throw fault('SIG_WRONG_APP', 'appId');
  if (statement.package.length !== release.package.length)
    throw fault('SIG_LENGTH_MISMATCH', 'package/length');
  if (statement.package.sha256 !== release.package.sha256)
    throw fault('SIG_DIGEST_MISMATCH', 'package/sha256');
  if (statement.version !== release.version) throw fault('SIG_MANIFEST_MISMATCH', 'version');
  if (statement.versionCode !== release.versionCode)
    throw fault('SIG_MANIFEST_MISMATCH', 'versionCode');
  if (statement.manifestSha256 !== release.manifestSha256)
    throw fault('SIG_MANIFEST_MISMATCH', 'manifestSha256');
}

/** Decodes a root envelope's payload without checking signatures, only to learn its own keys. */
function unverifiedRootPayload(envelope: Envelope): Uint8Array {
  const parsed = parseEnvelope(encodeEnvelope(envelope));
  if (parsed.payloadType !== payloadTypes.root) {
    throw new MiniAppError(
      'SIG_PAYLOAD_TYPE_MISMATCH',
      `Expected a root, got ${parsed.payloadType}.`,
    );
  }
  return new Uint8Array(Buffer.from(parsed.payload, 'base64'));
}

function rotationError(cause: unknown, what: string): MiniAppError {
  if (isMiniAppError(cause) && !signatureCodes.has(cause.code)) return cause;
  return new MiniAppError('SIG_ROOT_ROTATION_INVALID', `The new root ${what}.`, {
    requirement: 'SIG-052',
    cause,
    details: isMiniAppError(cause) ? { reason: cause.code } : {},
  });
}
