import { unzipSync } from 'fflate';
import { selectUpdate } from '#sdk/distribution/index.ts';
import {
  readMetadataStream,
  readPackageStream,
  sha256Hex,
  TrustStore,
  verifyPackageBytes,
  type TrustState,
} from '#sdk/signing/index.ts';
import type { AdapterAnswer, CallRecord, HostDriver, ShownScreen } from '../driver/host-driver.ts';

/**
 * A model host for the suite's own tests: the trust half of a host, in Node, on the sdk's TrustStore
 * (the reference verifier of spec/signing.md), behind the adapter commands the trust cases use
 * (reset, init, install, state, setClock, restart). It has no runtime, bridge or screens, so it can
 * only show that the suite's crafted worlds are refused and accepted as a conforming verifier does;
 * it is never presented as a host. `faults` switches off one check, as a broken host would.
 */

export type ModelFault = 'signature' | 'expiry' | 'rollback' | 'length' | 'statement';

interface Installed {
  versionCode: number;
  releaseSha256: string;
}

export class ModelHost implements HostDriver {
  readonly binding = 'web' as const;
  readonly description = 'model host (sdk TrustStore, tests only)';
  readonly device = { browser: 'none', browserVersion: 'none', platform: process.platform };
  private config:
    { distributionUrl: string; trustRoot: string; channel: string; deviceId: string } | undefined;
  private state: TrustState | undefined;
  private installed = new Map<string, Installed>();
  private clockOffset: number | undefined;

  constructor(readonly faults: ReadonlySet<ModelFault> = new Set()) {}

  private now(): Date {
    return new Date(this.clockOffset === undefined ? Date.now() : Date.now() + this.clockOffset);
  }

  async call(command: string, args: unknown): Promise<CallRecord> {
    const sentAt = Date.now();
    let answer: AdapterAnswer;
    try {
      answer = {
        ok: true,
        result: await this.run(command, (args ?? {}) as Record<string, unknown>),
      };
    } catch (error) {
      const e = error as { code?: string; message?: string };
      answer = {
        ok: false,
        error: { code: e.code ?? 'ADAPTER_INVALID_ARGUMENTS', message: String(e.message) },
      };
    }
    return { sentAt, answeredAt: Date.now(), answer };
  }

  private async run(command: string, args: Record<string, unknown>): Promise<unknown> {
    switch (command) {
      case 'reset':
        this.config = undefined;
        this.state = undefined;
        this.installed.clear();
        this.clockOffset = undefined;
        return {};
      case 'init': {
        this.config = {
          distributionUrl: String(args['distributionUrl']),
          trustRoot: String(args['trustRoot']),
          channel: String(args['channel']),
          deviceId: String(args['deviceId'] ?? 'model-host-device-0001'),
        };
        const store = TrustStore.fromBakedRoot(Buffer.from(this.config.trustRoot, 'base64'));
        this.state = store.state;
        return {
          adapterVersion: '1.0',
          platform: 'web',
          hostApiVersion: '1.2.0',
          deviceId: this.config.deviceId,
        };
      }
      case 'setClock':
        this.clockOffset =
          args['time'] === null ? undefined : Date.parse(String(args['time'])) - Date.now();
        return {};
      case 'state':
        return {
          initialized: !!this.config,
          trust: {
            rootVersion: this.state ? new TrustStore(this.state).root.version : null,
            indexVersion:
              this.state && this.state.indexVersion > 0 ? this.state.indexVersion : null,
          },
          apps: [...this.installed]
            .map(([appId, i]) => ({ appId, versionCode: i.versionCode }))
            .sort((a, b) => (a.appId < b.appId ? -1 : 1)),
          running: null,
          permissions: [],
          deviceId: this.config?.deviceId ?? null,
          analytics: true,
        };
      case 'install':
        return this.install(String(args['appId']));
      default: {
        const error = new Error(`the model host has no ${command}`) as Error & { code: string };
        error.code = 'ADAPTER_UNKNOWN_COMMAND';
        throw error;
      }
    }
  }

  private async fetchMetadata(path: string): Promise<Uint8Array | undefined> {
    const startedAt = Date.now();
    const response = await fetch(new URL(path, this.config?.distributionUrl));
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok || !response.body)
      throw Object.assign(new Error(`HTTP ${response.status}`), { code: 'SIG_MALFORMED' });
    return readMetadataStream(response.body as unknown as AsyncIterable<Uint8Array>, undefined, {
      startedAt,
    });
  }

  private async install(appId: string): Promise<unknown> {
    const config = this.config;
    if (!config || !this.state) return { kind: 'notAvailable', appId };
    const store = new TrustStore(this.state);
    // A host that skips expiry checks judges every document as if it were issued just now.
    const now = this.faults.has('expiry') ? new Date(0) : this.now();
    try {
      const roots: Uint8Array[] = [];
      for (let v = store.root.version + 1; roots.length <= 32; v++) {
        const bytes = await this.fetchMetadata(`/v1/trust/${v}.root.json`);
        if (!bytes) break;
        roots.push(bytes);
      }
      try {
        store.updateRoot(roots, now);
      } finally {
        this.state = { ...store.state, indexVersion: store.state.indexVersion };
      }
      const indexBytes = await this.fetchMetadata('/v1/trust/index.json');
      if (!indexBytes) return { kind: 'notAvailable', appId };
      store.verifyIndex(indexBytes, now);
      const bin = store.binFor(appId);
      const binBytes = await this.fetchMetadata(bin.path);
      if (!binBytes) return { kind: 'notAvailable', appId };
      store.verifyBin(binBytes, bin.prefix, now);
      const entry = store.appEntry(appId);
      if (!entry) return { kind: 'notAvailable', appId };
      // A changed delegation pin is verified before selecting [SIG-088]: when it drops a key the
      // floor is forgotten and the installed version no longer counts (SIG-089).
      let current = this.installed.get(appId);
      if (current && store.trustedDelegation(appId)?.version !== entry.delegation.version) {
        const pinned = await this.fetchMetadata(
          `/v1/delegations/${appId}/${entry.delegation.version}.delegation.json`,
        );
        if (pinned) {
          store.verifyDelegation(pinned, { appId, now });
          if (store.installedVersionCode(appId) === 0) {
            this.installed.delete(appId);
            current = undefined;
          }
        }
      }
      const selection = selectUpdate({
        appId,
        entry,
        channel: config.channel,
        deviceId: config.deviceId,
        hostApiVersion: '1.2.0',
        ...(current
          ? {
              installed: {
                versionCode: current.versionCode,
                revoked: entry.revokedReleases.includes(current.releaseSha256),
              },
            }
          : {}),
      } as never);
      if (selection.kind === 'upToDate') {
        return current
          ? { kind: 'upToDate', appId, versionCode: current.versionCode }
          : { kind: 'notAvailable', appId };
      }
      if (selection.kind === 'incompatible')
        return { kind: 'updateRequired', appId, minHostVersion: selection.minHostVersion };
      const target = selection.kind === 'update' ? selection.release : selection.replacement;
      if (!target) return { kind: 'notAvailable', appId };
      const delegation = await this.fetchMetadata(
        `/v1/delegations/${appId}/${entry.delegation.version}.delegation.json`,
      );
      if (!delegation)
        throw Object.assign(new Error('no delegation'), { code: 'SIG_NOT_IN_INDEX' });
      store.verifyDelegation(delegation, { appId, now });
      const releaseBytes = await this.fetchMetadata(
        `/v1/releases/${appId}/${target.versionCode}.release.json`,
      );
      if (!releaseBytes) throw Object.assign(new Error('no release'), { code: 'SIG_NOT_IN_INDEX' });
      const { release, sha256 } = store.verifyRelease(releaseBytes, {
        appId,
        channel: config.channel,
        now,
      });
      const statementBytes = await this.fetchMetadata(
        `/v1/releases/${appId}/${target.versionCode}.statement.json`,
      );
      if (!statementBytes)
        throw Object.assign(new Error('no statement'), { code: 'SIG_NOT_IN_INDEX' });
      store.verifyStatement(statementBytes, release);
      const startedAt = Date.now();
      const response = await fetch(
        new URL(`/v1/bundles/sha256/${release.package.sha256}.ma`, config.distributionUrl),
      );
      if (!response.ok || !response.body)
        throw Object.assign(new Error(`bundle HTTP ${response.status}`), {
          code: 'SIG_DIGEST_MISMATCH',
        });
      const bytes = await readPackageStream(
        response.body as unknown as AsyncIterable<Uint8Array>,
        release.package,
        { startedAt },
      );
      verifyPackageBytes(bytes, release);
      let files: Record<string, Uint8Array>;
      try {
        files = unzipSync(bytes);
      } catch {
        throw Object.assign(new Error('not a zip'), { code: 'PKG_CORRUPT' });
      }
      const manifest = files['manifest.json'];
      if (!manifest || sha256Hex(manifest) !== release.manifestSha256) {
        throw Object.assign(new Error('manifest digest'), { code: 'SIG_MANIFEST_MISMATCH' });
      }
      const parsed = JSON.parse(new TextDecoder().decode(manifest)) as {
        id: string;
        version: string;
        versionCode: number;
      };
      if (
        parsed.id !== appId ||
        parsed.version !== release.version ||
        parsed.versionCode !== release.versionCode
      ) {
        throw Object.assign(new Error('manifest identity'), { code: 'SIG_MANIFEST_MISMATCH' });
      }
      store.recordInstall(release);
      this.installed.set(appId, { versionCode: release.versionCode, releaseSha256: sha256 });
      return { kind: 'installed', appId, versionCode: release.versionCode };
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'HOST_ERROR';
      return { kind: 'refused', appId, code: code === 'USAGE' ? 'HOST_ERROR' : code };
    } finally {
      this.state = store.state;
    }
  }

  async restart(): Promise<void> {
    // Everything the model keeps is the persisted state; a restart changes nothing else.
  }
  async screens(): Promise<ShownScreen[]> {
    return [];
  }
  async inApp<T>(): Promise<{ found: boolean; value?: T }> {
    return { found: false };
  }
  async execute<T>(): Promise<T> {
    throw new Error('the model host runs no scripts');
  }
  async executeAsync<T>(): Promise<T> {
    throw new Error('the model host runs no scripts');
  }
  async appFrames() {
    return [];
  }
  async topUrl(): Promise<string> {
    return 'model:';
  }
  async applyProfile(_on: boolean) {
    return {};
  }
  async close(): Promise<void> {}
}
