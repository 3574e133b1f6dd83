/**
 * The verification worker of the web build: steps 3 and 4 of a launch when the shell asks it to
 * download (the bundle read with the same bounded reader as the main thread's [SIG-040] [SIG-112],
 * then its length and digest against what the verified statement signed [SIG-041]), step 6 (every ZIP
 * rule, the manifest against what was signed, every entry inflated and its CRC-32 checked, every file
 * hashed) and the storing of the verified files, on a thread of its own, so that none of them waits
 * for the shell's main thread or holds it [BUD-012]. It runs the very same DistributionClient,
 * digest check and extractPackage as the main thread would, and stores through the same
 * IndexedDbStore, in the same database.
 */
import {
  DistributionClient,
  DistributionError,
  OfflineError,
  forwardingTransport,
} from '../distribution/distribution-client.ts';
import type { StoreOperation } from '../state/key-value-store.ts';
import { IndexedDbStore } from '../state/indexeddb-store.ts';
import { PackageStore } from '../state/package-store.ts';
import { checkPackageDigest } from '../trust/sdk-verifier.ts';
import { failureOf } from './host-failure.ts';
import { extractPackage } from './package-extraction.ts';
import type {
  ExtractionExpectation,
  ExtractionReply,
  ExtractionRequest,
} from './package-extractor.ts';

// The dedicated worker's scope, as far as this entry uses it.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<ExtractionRequest>) => void) | null;
  postMessage(message: ExtractionReply, transfer?: Transferable[]): void;
};

/** Files verified here, kept until the host stores them (the last few only). */
const verified = new Map<string, Record<string, Uint8Array>>();
const keep = 4;
let store: Promise<IndexedDbStore> | undefined;

function failed(id: number, error: unknown): ExtractionReply {
  const failure = failureOf(error);
  return {
    id,
    ok: false,
    code: failure.code,
    message: failure.message,
    ...(failure.requirement ? { requirement: failure.requirement } : {}),
    ...(error instanceof OfflineError
      ? { origin: 'offline' as const }
      : error instanceof DistributionError
        ? { origin: { status: error.status } }
        : {}),
  };
}

/** The bundle read here, checked against the signed length and digest before anything parses it. */
async function download(
  request: Extract<ExtractionRequest, { kind: 'download' }>,
): Promise<[ExtractionReply, Transferable[]]> {
  const client = new DistributionClient(
    new URL(request.url).origin,
    forwardingTransport(request.forwardOrigin),
  );
  // Progress at most every 64 KiB: each message costs the shell's main thread a task.
  let reported = 0;
  const bytes = await client.bundle(request.url, request.signed.length, (progress) => {
    if (progress.received - reported < 65_536 && progress.received < progress.total) return;
    reported = progress.received;
    scope.postMessage({ id: request.id, ok: true, kind: 'progress', ...progress });
  });
  const now = (): number => performance.timeOrigin + performance.now();
  scope.postMessage({ id: request.id, ok: true, kind: 'stage', stage: 'downloaded', at: now() });
  // [SIG-041] length, then digest, before any parser sees the bytes.
  await checkPackageDigest(bytes, request.signed);
  scope.postMessage({ id: request.id, ok: true, kind: 'stage', stage: 'verified', at: now() });
  return extract(request.id, bytes, request.signed.sha256, request.expected);
}

async function extract(
  id: number,
  bytes: Uint8Array,
  sha256: string,
  expected: ExtractionExpectation,
): Promise<[ExtractionReply, Transferable[]]> {
  const { manifest, files, digests } = await extractPackage(bytes, expected);
  verified.set(sha256, files);
  while (verified.size > keep) verified.delete(verified.keys().next().value as string);
  // The host gets its own copy, in one buffer that moves without a second copy.
  const total = Object.values(files).reduce((sum, bytes) => sum + bytes.length, 0);
  const memory = new Uint8Array(total);
  let at = 0;
  const entries: [string, Uint8Array][] = [];
  for (const [path, bytes] of Object.entries(files)) {
    const view = memory.subarray(at, at + bytes.length);
    view.set(bytes);
    at += bytes.length;
    entries.push([path, view]);
  }
  return [{ id, ok: true, kind: 'extracted', manifest, files: entries, digests }, [memory.buffer]];
}

async function persist(
  request: Extract<ExtractionRequest, { kind: 'persist' }>,
): Promise<ExtractionReply> {
  const files = verified.get(request.sha256);
  if (!files) return { id: request.id, ok: true, kind: 'persisted', stored: false };
  store ??= IndexedDbStore.open();
  const operations: StoreOperation[] = [
    new PackageStore(await store).operation({ sha256: request.sha256, files }),
    ...request.with,
  ];
  await (await store).batch(operations, 'relaxed');
  verified.delete(request.sha256);
  return { id: request.id, ok: true, kind: 'persisted', stored: true };
}

scope.onmessage = (event) => {
  const request = event.data;
  const work =
    request.kind === 'extract'
      ? extract(request.id, new Uint8Array(request.bytes), request.sha256, request.expected)
      : request.kind === 'download'
        ? download(request)
        : persist(request).then((reply): [ExtractionReply, Transferable[]] => [reply, []]);
  work.then(
    ([reply, transfer]) => scope.postMessage(reply, transfer),
    (error: unknown) => scope.postMessage(failed(request.id, error)),
  );
};
