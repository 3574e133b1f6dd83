/**
 * The Verifier port implemented with the sdk's TrustStore (spec/signing.md of 1.0.0-draft): root
 * rotations, the signed index and release metadata, verified by the sdk's own code (bundled for the
 * browser with the shims of src/platform). Package digests use WebCrypto, which is native and
 * asynchronous, so a 2 MiB bundle costs a few milliseconds.
 */
import { parseEnvelope, TrustStore, type TrustState } from '#sdk/signing/index.ts';
import { HostFailure } from '../launch/host-failure.ts';
import type { DistributionClient } from '../distribution/distribution-client.ts';
import type {
  PinnedRelease,
  TrustSession,
  TrustSummary,
  TrustedRelease,
  Verifier,
} from './verifier.ts';

/** A host walks at most this many root rotations in one session (the rotation limit of draft.2). */
export const maxRootRotations = 32;

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

export class SdkVerifier implements Verifier {
  #store: TrustStore;

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

  summary(): TrustSummary {
    const { root, state } = { root: this.#store.root, state: this.#store.state };
    return {
      rootVersion: root.version,
      rootExpires: root.expires,
      indexVersion: state.indexVersion,
      installed: state.installed,
    };
  }

  async open(now: Date, channel: string): Promise<TrustSession> {
    const store = this.#store;
    // [SIG-053] successors one version at a time, from the immutable per-version route.
    const successors: Uint8Array[] = [];
    for (let version = store.root.version + 1; ; version++) {
      if (successors.length >= maxRootRotations) {
        throw new HostFailure(
          'SIG_ROOT_ROTATION_INVALID',
          `More than ${maxRootRotations} root rotations in one session.`,
        );
      }
      const bytes = await this.client.metadata(`v1/trust/${version}.root.json`, `Root ${version}`);
      if (!bytes) break;
      successors.push(bytes);
    }
    store.updateRoot(successors, now);
    const indexBytes = await this.client.metadata('v1/trust/index.json', 'The index');
    if (!indexBytes)
      throw new HostFailure('SIG_NOT_IN_INDEX', 'The server publishes no index.', 'SIG-064');
    const index = store.verifyIndex(indexBytes, now);
    // [SIG-068] persisted only now that the documents raising it verified.
    await this.port.save(store.state);
    const client = this.client;
    return {
      now,
      channel,
      indexVersion: index.version,
      pinned(appId: string): PinnedRelease[] {
        return index.releases
          .filter((entry) => entry.appId === appId && entry.channel === channel)
          .map((entry) => ({
            appId,
            channel,
            versionCode: entry.versionCode,
            releaseSha256: entry.sha256,
          }))
          .sort((a, b) => b.versionCode - a.versionCode);
      },
      isRevoked: (releaseSha256: string) => index.revokedReleases.includes(releaseSha256),
      async verifyRelease(pin: PinnedRelease): Promise<TrustedRelease> {
        const bytes = await client.metadata(
          `v1/releases/${encodeURIComponent(pin.appId)}/${pin.versionCode}.release.json`,
          'The release metadata',
        );
        if (!bytes) {
          throw new HostFailure(
            'SIG_NOT_IN_INDEX',
            `The server has no release ${pin.versionCode} of ${pin.appId}.`,
          );
        }
        parseEnvelope(bytes);
        const { release, sha256 } = store.verifyRelease(bytes, { appId: pin.appId, channel, now });
        return {
          appId: release.appId,
          version: release.version,
          versionCode: release.versionCode,
          minHostVersion: release.minHostVersion,
          package: { ...release.package },
          manifestSha256: release.manifestSha256,
          permissions: [...release.permissions],
          releaseSha256: sha256,
          statementKeyid: release.statement.keyid,
        };
      },
      verifyPackage: (bytes, release) => checkPackageDigest(bytes, release.package),
    };
  }

  async recordInstall(appId: string, versionCode: number): Promise<void> {
    this.#store.recordInstall({ appId, versionCode } as Parameters<TrustStore['recordInstall']>[0]);
    await this.port.save(this.#store.state);
  }
}
