/**
 * The verification worker of the web build: step 6 of a launch (every ZIP rule, the manifest against
 * what was signed, every entry inflated and its CRC-32 checked, every file hashed) and the storing of
 * the verified files, on a thread of its own, so that neither holds the shell's main thread
 * [BUD-012]. It runs the very same extractPackage as the main thread would, on bytes the host moved
 * to it (nobody else holds them), and stores through the same IndexedDbStore, in the same database.
 */
import type { StoreOperation } from '../state/key-value-store.ts';
import { IndexedDbStore } from '../state/indexeddb-store.ts';
import { PackageStore } from '../state/package-store.ts';
import { failureOf } from './host-failure.ts';
import { extractPackage } from './package-extraction.ts';
import type { ExtractionReply, ExtractionRequest } from './package-extractor.ts';

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
  };
}

async function extract(
  request: Extract<ExtractionRequest, { kind: 'extract' }>,
): Promise<[ExtractionReply, Transferable[]]> {
  const { manifest, files, digests } = await extractPackage(
    new Uint8Array(request.bytes),
    request.expected,
  );
  verified.set(request.sha256, files);
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
  return [
    { id: request.id, ok: true, kind: 'extracted', manifest, files: entries, digests },
    [memory.buffer],
  ];
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
  await (await store).batch(operations);
  verified.delete(request.sha256);
  return { id: request.id, ok: true, kind: 'persisted', stored: true };
}

scope.onmessage = (event) => {
  const request = event.data;
  const work =
    request.kind === 'extract'
      ? extract(request)
      : persist(request).then((reply): [ExtractionReply, Transferable[]] => [reply, []]);
  work.then(
    ([reply, transfer]) => scope.postMessage(reply, transfer),
    (error: unknown) => scope.postMessage(failed(request.id, error)),
  );
};
