import { MiniAppError, isMiniAppError } from '#sdk/diagnostics/index.ts';
import { sha256Hex } from './digest.ts';
import {
  encodeEnvelope,
  parseEnvelope,
  payloadTypes,
  verifyEnvelope,
  type Envelope,
} from './envelope.ts';
import { verifyPackageBytes } from './package-identity.ts';
import { decodePayload } from './payload.ts';
import { checkValidityWindow, type Release } from './release.ts';
import type { ReleaseIndex } from './release-index.ts';
import { checkRoot, roleKeys, type Role, type Root } from './root.ts';
import { isExpired } from './timestamp.ts';

/**
 * What a host persists between update sessions [SIG-068]. Plain JSON, so hosts can store it anywhere.
 */
export interface TrustState {
  /** The envelope of the trusted root, as last accepted. */
  root: Envelope;
  /** The highest index version trusted so far (0 before the first index). */
  indexVersion: number;
  /** The highest installed versionCode per appId. */
  installed: Record<string, number>;
}

export interface ReleaseRequest {
  appId: string;
  /** The channel the host follows; the index must pin the release on it [SIG-065]. */
  channel: string;
  /** The time fixed for this update session [SIG-063]. */
  now: Date;
}

/** A release that verified, with the digest of its envelope bytes. */
export interface VerifiedRelease {
  release: Release;
  sha256: string;
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
  const root = decodePayload<Root>(payload, 'signing/root.schema.json', 'The root');
  checkRoot(root);
  return root;
}

function expired(what: string, expires: string, now: Date, requirement = 'SIG-063'): MiniAppError {
  return new MiniAppError('SIG_EXPIRED', `${what} expired at ${expires}.`, {
    requirement,
    details: { expires, now: now.toISOString() },
  });
}

/**
 * The host side of spec/signing.md: a trusted root, the anti-rollback state and the index of the
 * current session. Call updateRoot, verifyIndex, verifyRelease and verifyPackage in that order, with
 * one `now` fixed for the whole session [SIG-063], then recordInstall once the package is installed.
 */
export class TrustStore {
  #root: Root;
  #rootEnvelope: Envelope;
  #indexVersion: number;
  #installed: Record<string, number>;
  #index: ReleaseIndex | undefined;

  /**
   * Restores a store from persisted state. The root must be signed by a threshold of its own root
   * keys; the state is otherwise trusted as the host's own storage.
   */
  constructor(state: TrustState) {
    const unverified = decodePayload<Root>(
      unverifiedRootPayload(state.root),
      'signing/root.schema.json',
      'The trusted root',
    );
    checkRoot(unverified);
    this.#root = decodeRoot(state.root, unverified);
    this.#rootEnvelope = state.root;
    this.#indexVersion = state.indexVersion;
    this.#installed = { ...state.installed };
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
    };
  }

  /** The trusted root payload. */
  get root(): Root {
    return structuredClone(this.#root);
  }

  /**
   * Applies successor roots in order [SIG-052] [SIG-053] [SIG-056], then refuses the result if it
   * has expired [SIG-054]. Intermediate roots may have expired: only the final one must be current.
   */
  updateRoot(nextRoots: readonly Uint8Array[], now: Date): Root {
    for (const bytes of nextRoots) {
      const envelope = parseEnvelope(bytes);
      const next = this.#verifySuccessor(envelope);
      if (!sameRole(this.#root.roles.index, next.roles.index)) this.#indexVersion = 0;
      this.#root = next;
      this.#rootEnvelope = envelope;
      this.#index = undefined;
    }
    if (isExpired(this.#root.expires, now))
      throw expired('The trusted root', this.#root.expires, now, 'SIG-054');
    return this.root;
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

  /** Verifies the session's index [SIG-060] [SIG-062] [SIG-063] and keeps it for verifyRelease. */
  verifyIndex(bytes: Uint8Array, now: Date): ReleaseIndex {
    this.#requireFreshRoot(now);
    const envelope = parseEnvelope(bytes);
    const { payload } = verifyEnvelope(
      envelope,
      roleKeys(this.#root, 'index'),
      this.#root.roles.index.threshold,
      payloadTypes.index,
    );
    const index = decodePayload<ReleaseIndex>(payload, 'signing/index.schema.json', 'The index');
    checkValidityWindow(index.issuedAt, index.expires, 'SIG-061');
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
    return structuredClone(index);
  }

  /**
   * Verifies release metadata for the requested app [SIG-033] [SIG-034] [SIG-035] against the
   * session's index [SIG-064] [SIG-065] [SIG-066] [SIG-067].
   */
  verifyRelease(bytes: Uint8Array, request: ReleaseRequest): VerifiedRelease {
    const { now } = request;
    this.#requireFreshRoot(now);
    const index = this.#index;
    if (!index) {
      throw new MiniAppError('SIG_NOT_IN_INDEX', 'No index was verified in this session.', {
        requirement: 'SIG-064',
        fix: 'Fetch and verify the current index first.',
      });
    }
    if (isExpired(index.expires, now)) throw expired('The index', index.expires, now);
    const sha256 = sha256Hex(bytes);
    if (index.revokedReleases.includes(sha256)) {
      throw new MiniAppError('SIG_REVOKED_RELEASE', `Release ${sha256} is revoked.`, {
        details: { sha256 },
      });
    }
    const { payload } = verifyEnvelope(
      parseEnvelope(bytes),
      roleKeys(this.#root, 'release'),
      this.#root.roles.release.threshold,
      payloadTypes.release,
    );
    const release = decodePayload<Release>(payload, 'signing/release.schema.json', 'The release');
    checkValidityWindow(release.issuedAt, release.expires, 'SIG-032');
    if (release.appId !== request.appId) {
      throw new MiniAppError(
        'SIG_WRONG_APP',
        `The release is for ${release.appId}, not ${request.appId}.`,
        {
          location: { pointer: '/appId' },
        },
      );
    }
    const pinned = index.releases.some(
      (entry) =>
        entry.appId === release.appId &&
        entry.channel === request.channel &&
        entry.versionCode === release.versionCode &&
        entry.sha256 === sha256,
    );
    if (!pinned) {
      throw new MiniAppError(
        'SIG_NOT_IN_INDEX',
        `The index does not pin this release of ${release.appId} (versionCode ${release.versionCode}) on channel ${request.channel}.`,
        { details: { sha256 } },
      );
    }
    if (index.revokedKeys.includes(release.statement.keyid)) {
      throw new MiniAppError(
        'SIG_REVOKED_KEY',
        `Partner key ${release.statement.keyid} is revoked.`,
        {
          location: { pointer: '/statement/keyid' },
        },
      );
    }
    if (isExpired(release.expires, now)) throw expired('The release', release.expires, now);
    const installed = this.#installed[release.appId] ?? 0;
    if (release.versionCode < installed) {
      throw new MiniAppError(
        'SIG_ROLLBACK',
        `versionCode ${release.versionCode} is lower than the installed ${installed}.`,
        { location: { pointer: '/versionCode' } },
      );
    }
    return { release, sha256 };
  }

  /** Checks downloaded bytes against verified release metadata [SIG-041] [SIG-042]. */
  verifyPackage(bytes: Uint8Array, release: Release): void {
    verifyPackageBytes(bytes, release);
  }

  /** Raises the installed versionCode once the verified package is installed [SIG-068]. */
  recordInstall(release: Release): void {
    const installed = this.#installed[release.appId] ?? 0;
    if (release.versionCode > installed) this.#installed[release.appId] = release.versionCode;
  }

  #requireFreshRoot(now: Date): void {
    if (isExpired(this.#root.expires, now))
      throw expired('The trusted root', this.#root.expires, now, 'SIG-054');
  }
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
