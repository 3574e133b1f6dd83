/**
 * Where step 6 of a launch runs: on the calling thread (Node, tests, a host without workers), or in
 * the web build's verification worker. Either way it is the same extractPackage over the same bytes,
 * with the same refusals; only the thread differs. The worker can also store the files it verified,
 * so that 2 MiB are neither copied back for storage nor serialized on the main thread.
 */
import type { Manifest } from '#sdk/manifest/manifest.ts';
import type { BundleProgress } from '../distribution/transfer.ts';
import { DistributionError, OfflineError } from '../distribution/distribution-client.ts';
import type { StoreOperation } from '../state/key-value-store.ts';
import type { TrustedRelease } from '../trust/verifier.ts';
import { HostFailure } from './host-failure.ts';
import { extractPackage, type ExtractedPackage } from './package-extraction.ts';

export type ExtractionExpectation = Pick<
  TrustedRelease,
  'appId' | 'version' | 'versionCode' | 'manifestSha256'
>;

/** A bundle to download and check on the extractor's thread, against what the statement signed. */
export interface PackageDownload {
  url: string;
  /** The signed length and digest, from a release whose statement the caller verified [SIG-093]. */
  signed: { sha256: string; length: number };
  expected: ExtractionExpectation;
  /** Called as bytes arrive, and once the bytes are complete and once they match the signature. */
  onProgress(progress: BundleProgress): void;
  /** `at`: when the stage was reached, in milliseconds since the epoch (another thread's clock). */
  onStage(stage: 'downloaded' | 'verified', at?: number): void;
}

export interface PackageExtractor {
  /**
   * Checks and extracts package bytes whose digest matched `sha256`; the caller gives the bytes up
   * (they may be moved to another thread).
   */
  extract(
    bytes: Uint8Array,
    sha256: string,
    expected: ExtractionExpectation,
  ): Promise<ExtractedPackage>;
  /**
   * Stores the files extracted for `sha256` together with `operations`, in one transaction of the
   * host's store, where the extractor still holds them; false when it does not (the caller stores).
   */
  persist?(sha256: string, operations: StoreOperation[]): Promise<boolean>;
  /**
   * Downloads the bundle, checks its length, its rate [SIG-112] and its digest [SIG-041], and
   * extracts it, all where the bytes arrive, so that no other thread holds up their reading
   * [BUD-012]; null, or absent, when this extractor cannot download (the caller downloads and
   * calls extract).
   */
  download?(request: PackageDownload): Promise<ExtractedPackage | null>;
}

/** Extraction on the calling thread. */
export const inThreadExtractor: PackageExtractor = {
  extract: (bytes, _sha256, expected) => extractPackage(bytes, expected),
};

export type ExtractionRequest =
  | {
      id: number;
      kind: 'extract';
      bytes: ArrayBuffer;
      sha256: string;
      expected: ExtractionExpectation;
    }
  | { id: number; kind: 'persist'; sha256: string; with: StoreOperation[] }
  | {
      id: number;
      kind: 'download';
      url: string;
      /** The origin of the shell, whose forwarding route the worker sends the request through. */
      forwardOrigin: string;
      signed: { sha256: string; length: number };
      expected: ExtractionExpectation;
    };

export type ExtractionReply =
  | {
      id: number;
      ok: true;
      kind: 'extracted';
      manifest: Manifest;
      files: [string, Uint8Array][];
      digests: Record<string, string>;
    }
  | { id: number; ok: true; kind: 'persisted'; stored: boolean }
  /** Interim messages of a download: they do not settle the request. */
  | { id: number; ok: true; kind: 'progress'; received: number; total: number }
  | { id: number; ok: true; kind: 'stage'; stage: 'downloaded' | 'verified'; at: number }
  | {
      id: number;
      ok: false;
      code: string;
      message: string;
      requirement?: string;
      /** How the failure reached the worker, so that the host treats it as it would its own. */
      origin?: 'offline' | { status: number };
    };

type Request =
  | Omit<Extract<ExtractionRequest, { kind: 'extract' }>, 'id'>
  | Omit<Extract<ExtractionRequest, { kind: 'persist' }>, 'id'>
  | Omit<Extract<ExtractionRequest, { kind: 'download' }>, 'id'>;

type Interim = Extract<ExtractionReply, { kind: 'progress' | 'stage' }>;

/** The failure a worker reported, as the class the same failure has on the calling thread. */
function failureFrom(reply: Extract<ExtractionReply, { ok: false }>): HostFailure {
  if (reply.origin === 'offline') return new OfflineError(reply.message);
  if (reply.origin) return new DistributionError(reply.code, reply.origin.status, reply.message);
  return new HostFailure(reply.code, reply.message, reply.requirement);
}

/**
 * Extraction in a dedicated worker started at once (its script loads while nothing waits for it).
 * If the worker cannot be started, extraction runs on the calling thread: a host that verifies
 * slowly still verifies. With `forwardOrigin` (the browser build, whose requests go through its own
 * server's forwarding route), the worker downloads bundles too; without it (a native build, whose
 * requests leave through a native plugin the worker cannot reach), the calling thread does.
 */
export function workerExtractor(
  scriptUrl: string,
  options: { forwardOrigin?: string } = {},
): PackageExtractor {
  let worker: Worker | undefined;
  let broken = false;
  let next = 0;
  const pending = new Map<number, (reply: ExtractionReply | undefined) => void>();
  const interim = new Map<number, (message: Interim) => void>();
  const fail = (): void => {
    broken = true;
    worker?.terminate();
    worker = undefined;
    for (const settle of pending.values()) settle(undefined);
    pending.clear();
  };
  const start = (): Worker | undefined => {
    if (worker || broken) return worker;
    try {
      worker = new Worker(scriptUrl, { name: 'package-verification' });
    } catch {
      broken = true;
      return undefined;
    }
    worker.onmessage = (event: MessageEvent<ExtractionReply>) => {
      if (event.data.ok && (event.data.kind === 'progress' || event.data.kind === 'stage')) {
        interim.get(event.data.id)?.(event.data);
        return;
      }
      const settle = pending.get(event.data.id);
      pending.delete(event.data.id);
      settle?.(event.data);
    };
    worker.onerror = () => fail();
    worker.onmessageerror = () => fail();
    return worker;
  };
  const ask = async (
    running: Worker,
    request: Request,
    transfer: Transferable[] = [],
    onInterim?: (message: Interim) => void,
  ) => {
    const id = ++next;
    if (onInterim) interim.set(id, onInterim);
    const reply = await new Promise<ExtractionReply | undefined>((resolve) => {
      pending.set(id, resolve);
      running.postMessage({ ...request, id }, transfer);
    });
    interim.delete(id);
    if (!reply) throw new HostFailure('HOST_ERROR', 'The verification worker stopped; try again.');
    if (!reply.ok) throw failureFrom(reply);
    return reply;
  };
  const extracted = (reply: ExtractionReply): ExtractedPackage => {
    if (reply.ok && reply.kind === 'extracted') {
      return {
        manifest: reply.manifest,
        files: Object.fromEntries(reply.files),
        digests: reply.digests,
      };
    }
    throw new HostFailure('HOST_ERROR', 'The verification worker answered out of turn.');
  };
  start();
  return {
    async extract(bytes, sha256, expected) {
      const running = start();
      if (!running) return extractPackage(bytes, expected);
      // The worker gets a buffer of exactly these bytes, moved, not copied, when it is one already.
      const own =
        bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
          ? (bytes.buffer as ArrayBuffer)
          : (bytes.slice().buffer as ArrayBuffer);
      return extracted(
        await ask(running, { kind: 'extract', bytes: own, sha256, expected }, [own]),
      );
    },
    async persist(sha256, operations) {
      const running = start();
      if (!running) return false;
      const reply = await ask(running, { kind: 'persist', sha256, with: operations });
      return reply.kind === 'persisted' && reply.stored;
    },
    ...(options.forwardOrigin !== undefined && {
      download: async (request: PackageDownload): Promise<ExtractedPackage | null> => {
        const running = start();
        if (!running) return null;
        const { url, signed, expected, onProgress, onStage } = request;
        const reply = await ask(
          running,
          { kind: 'download', url, forwardOrigin: options.forwardOrigin ?? '', signed, expected },
          [],
          (message) => {
            if (message.kind === 'progress')
              onProgress({ received: message.received, total: message.total });
            else onStage(message.stage, message.at);
          },
        );
        return extracted(reply);
      },
    }),
  };
}
