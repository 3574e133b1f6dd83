import { MiniAppError } from '#sdk/diagnostics/index.ts';
import type { PackageDigest } from './digest.ts';
import { maxMetadataBytes } from './envelope.ts';

/** [SIG-111] a metadata document must be complete this long after its request was sent. */
export const metadataTimeoutMs = 30_000;
/** [SIG-112] the window over which a bundle download's rate is measured, and the grace before the first check. */
export const bundleRateWindowMs = 10_000;
/** [SIG-112] 16 KiB per second over the window. */
export const bundleMinBytesPerWindow = 163_840;

/** When a download started and how time is read; tests pass their own. */
export interface RetrievalTiming {
  /** When the request was sent (ms since the epoch); defaults to when reading starts. */
  startedAt?: number;
  /** Milliseconds since the epoch; Date.now by default. */
  clock?: () => number;
}

export interface MetadataRetrieval extends RetrievalTiming {
  /** [SIG-111] 30 seconds by default. */
  timeoutMs?: number;
}

export interface BundleRetrieval extends RetrievalTiming {
  /** [SIG-112] 10 seconds by default. */
  windowMs?: number;
  /** [SIG-112] 163,840 bytes by default. */
  minBytesPerWindow?: number;
}

/** One chunk's arrival: when, and how many bytes. */
export interface Arrival {
  at: number;
  bytes: number;
}

/**
 * [SIG-112] The earliest moment, at or after `now`, at which a bundle download that receives nothing
 * more is too slow: from `startedAt + windowMs` on, fewer than `minBytes` arrived in the preceding window
 * (the window is open at its start, so a chunk exactly `windowMs` old no longer counts).
 */
export function slowRetrievalDeadline(
  arrivals: readonly Arrival[],
  now: number,
  startedAt: number,
  windowMs: number,
  minBytes: number,
): number {
  const graceEnd = startedAt + windowMs;
  let sum = 0;
  for (let i = arrivals.length - 1; i >= 0; i--) {
    const arrival = arrivals[i];
    if (!arrival) continue;
    sum += arrival.bytes;
    // While this arrival is inside the window, the window holds at least minBytes.
    if (sum >= minBytes) return Math.max(graceEnd, now, arrival.at + windowMs);
  }
  return Math.max(graceEnd, now);
}

const timedOut = Symbol('timed out');

/**
 * Reads an async byte source chunk by chunk, giving up when `deadline()` passes before the next chunk
 * arrives. Leaving early calls the iterator's return(), which closes the connection.
 */
async function collect(
  source: AsyncIterable<Uint8Array>,
  limit: number,
  onOverflow: (received: number) => MiniAppError,
  pace: {
    clock: () => number;
    deadline: () => number;
    onChunk: (chunk: Uint8Array, at: number) => void;
    onSlow: (received: number) => MiniAppError;
  },
): Promise<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let received = 0;
  const stop = async (error: MiniAppError): Promise<never> => {
    // A stalled source may never settle return(); the error must not wait for it.
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
    throw error;
  };
  // One next() at a time: a timer that fires before the clock says so waits on the same promise again.
  let pending: Promise<IteratorResult<Uint8Array>> | undefined;
  for (;;) {
    const wait = pace.deadline() - pace.clock();
    if (wait <= 0) return stop(pace.onSlow(received));
    pending ??= iterator.next();
    let timer: NodeJS.Timeout | undefined;
    const step = await Promise.race([
      pending,
      new Promise<typeof timedOut>((resolve) => {
        timer = setTimeout(() => resolve(timedOut), wait);
      }),
    ]).finally(() => clearTimeout(timer));
    if (step === timedOut) continue;
    pending = undefined;
    if (step.done) break;
    const chunk = step.value;
    received += chunk.length;
    if (received > limit) return stop(onOverflow(received));
    chunks.push(chunk);
    pace.onChunk(chunk, pace.clock());
  }
  const out = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function slow(message: string, requirement: string, received: number): MiniAppError {
  return new MiniAppError('SIG_SLOW_RETRIEVAL', message, {
    requirement,
    details: { received },
    fix: 'Retry later or from another mirror; the download was too slow to trust it to end.',
  });
}

/**
 * Reads a package download, stopping as soon as more than the signed length arrives [SIG-040], so an
 * endless stream costs at most one chunk beyond the signed length, and aborting it when it is too slow
 * [SIG-112]: from 10 seconds on, less than 160 KiB in the last 10 seconds.
 */
export async function readPackageStream(
  source: AsyncIterable<Uint8Array>,
  signed: Pick<PackageDigest, 'length'>,
  options: BundleRetrieval = {},
): Promise<Uint8Array> {
  const clock = options.clock ?? Date.now;
  const startedAt = options.startedAt ?? clock();
  const windowMs = options.windowMs ?? bundleRateWindowMs;
  const minBytes = options.minBytesPerWindow ?? bundleMinBytesPerWindow;
  let arrivals: Arrival[] = [];
  const bytes = await collect(
    source,
    signed.length,
    (received) =>
      new MiniAppError(
        'SIG_LENGTH_MISMATCH',
        `Received ${received}+ bytes; the signed length is ${signed.length}.`,
        {
          details: { signedLength: signed.length },
        },
      ),
    {
      clock,
      deadline: () => slowRetrievalDeadline(arrivals, clock(), startedAt, windowMs, minBytes),
      onChunk: (chunk, at) => {
        arrivals.push({ at, bytes: chunk.length });
        // Only the last window matters; older arrivals are dropped so memory stays bounded.
        if (arrivals.length > 64) arrivals = arrivals.filter((a) => a.at > at - windowMs);
      },
      onSlow: (received) =>
        slow(
          `The bundle download fell below ${minBytes} bytes per ${windowMs} ms after ${received} of ${signed.length} bytes.`,
          'SIG-112',
          received,
        ),
    },
  );
  if (bytes.length !== signed.length) {
    throw new MiniAppError(
      'SIG_LENGTH_MISMATCH',
      `Received ${bytes.length} bytes; the signed length is ${signed.length}.`,
      {
        requirement: 'SIG-041',
      },
    );
  }
  return bytes;
}

/**
 * Reads a metadata document, refusing it once it exceeds the size limit [SIG-017] or when it is not
 * complete 30 seconds after its request was sent [SIG-111].
 */
export function readMetadataStream(
  source: AsyncIterable<Uint8Array>,
  limit: number = maxMetadataBytes,
  options: MetadataRetrieval = {},
): Promise<Uint8Array> {
  const clock = options.clock ?? Date.now;
  const deadline = (options.startedAt ?? clock()) + (options.timeoutMs ?? metadataTimeoutMs);
  return collect(
    source,
    limit,
    (received) =>
      new MiniAppError(
        'SIG_MALFORMED',
        `The metadata exceeds ${limit} bytes (${received}+ received).`,
        {
          requirement: 'SIG-017',
        },
      ),
    {
      clock,
      deadline: () => deadline,
      onChunk: () => undefined,
      onSlow: (received) =>
        slow(
          `The metadata download was not complete within ${options.timeoutMs ?? metadataTimeoutMs} ms (${received} bytes received).`,
          'SIG-111',
          received,
        ),
    },
  );
}
