/**
 * Where step 6 of a launch runs: on the calling thread (Node, tests, a host without workers), or in
 * the web build's verification worker. Either way it is the same extractPackage over the same bytes,
 * with the same refusals; only the thread differs. The worker can also store the files it verified,
 * so that 2 MiB are neither copied back for storage nor serialized on the main thread.
 */
import type { Manifest } from '#sdk/manifest/manifest.ts';
import type { StoreOperation } from '../state/key-value-store.ts';
import type { TrustedRelease } from '../trust/verifier.ts';
import { HostFailure } from './host-failure.ts';
import { extractPackage, type ExtractedPackage } from './package-extraction.ts';

export type ExtractionExpectation = Pick<
  TrustedRelease,
  'appId' | 'version' | 'versionCode' | 'manifestSha256'
>;

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
  | { id: number; kind: 'persist'; sha256: string; with: StoreOperation[] };

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
  | { id: number; ok: false; code: string; message: string; requirement?: string };

type Request =
  | Omit<Extract<ExtractionRequest, { kind: 'extract' }>, 'id'>
  | Omit<Extract<ExtractionRequest, { kind: 'persist' }>, 'id'>;

/**
 * Extraction in a dedicated worker started at once (its script loads while nothing waits for it).
 * If the worker cannot be started, extraction runs on the calling thread: a host that verifies
 * slowly still verifies.
 */
export function workerExtractor(scriptUrl: string): PackageExtractor {
  let worker: Worker | undefined;
  let broken = false;
  let next = 0;
  const pending = new Map<number, (reply: ExtractionReply | undefined) => void>();
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
      const settle = pending.get(event.data.id);
      pending.delete(event.data.id);
      settle?.(event.data);
    };
    worker.onerror = () => fail();
    worker.onmessageerror = () => fail();
    return worker;
  };
  const ask = async (running: Worker, request: Request, transfer: Transferable[] = []) => {
    const id = ++next;
    const reply = await new Promise<ExtractionReply | undefined>((resolve) => {
      pending.set(id, resolve);
      running.postMessage({ ...request, id }, transfer);
    });
    if (!reply) throw new HostFailure('HOST_ERROR', 'The verification worker stopped; try again.');
    if (!reply.ok) throw new HostFailure(reply.code, reply.message, reply.requirement);
    return reply;
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
      const reply = await ask(running, { kind: 'extract', bytes: own, sha256, expected }, [own]);
      if (reply.kind !== 'extracted') throw new HostFailure('HOST_ERROR', 'Unexpected reply.');
      return {
        manifest: reply.manifest,
        files: Object.fromEntries(reply.files),
        digests: reply.digests,
      };
    },
    async persist(sha256, operations) {
      const running = start();
      if (!running) return false;
      const reply = await ask(running, { kind: 'persist', sha256, with: operations });
      return reply.kind === 'persisted' && reply.stored;
    },
  };
}
