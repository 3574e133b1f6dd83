/**
 * Bounded reads of distribution responses: metadata stops at its size limit and its time limit
 * [SIG-017]; a bundle stops at its signed length [SIG-040] and fails when its throughput stays too
 * low (the slow-retrieval rule of draft.2), reporting progress as bytes arrive.
 */
import { HostFailure } from '../launch/host-failure.ts';

/** [SIG-017] default limit of one metadata document. */
export const maxMetadataBytes = 16 * 1024 * 1024;
/** Slow retrieval: a metadata document must be complete within this time. */
export const metadataDeadlineMs = 30_000;
/** Slow retrieval: after a grace period, every window of this length must bring enough bytes. */
export const throughputWindowMs = 10_000;
export const minimumThroughputBytesPerSecond = 16 * 1024;

export interface Clock {
  now(): number;
}

async function* chunks(
  response: Response,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array, void, undefined> {
  if (!response.body) return;
  const reader = response.body.getReader();
  try {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Leaving early (too long, too slow) closes the connection.
    reader.cancel().catch(() => undefined);
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Reads a metadata body, refusing it past `limit` bytes [SIG-017]. */
export async function readMetadata(
  response: Response,
  what: string,
  limit = maxMetadataBytes,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    throw new HostFailure(
      'SIG_MALFORMED',
      `${what} announces ${declared} bytes, over ${limit}.`,
      'SIG-017',
    );
  }
  const parts: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of chunks(response)) {
    received += chunk.length;
    if (received > limit) {
      throw new HostFailure('SIG_MALFORMED', `${what} exceeds ${limit} bytes.`, 'SIG-017');
    }
    parts.push(chunk);
  }
  return concat(parts, received);
}

export interface BundleProgress {
  received: number;
  total: number;
}

/**
 * Reads a bundle body: stops once more than the signed length arrives [SIG-040], refuses a short
 * body [SIG-041], and aborts when, after the first window, a window brings fewer bytes than the
 * minimum throughput allows.
 */
export async function readBundle(
  response: Response,
  signedLength: number,
  onProgress: (progress: BundleProgress) => void,
  clock: Clock = { now: () => performance.now() },
): Promise<Uint8Array> {
  const out = new Uint8Array(signedLength);
  let received = 0;
  const started = clock.now();
  let windowStart = started;
  let windowBytes = 0;
  for await (const chunk of chunks(response)) {
    if (received + chunk.length > signedLength) {
      throw new HostFailure(
        'SIG_LENGTH_MISMATCH',
        `The bundle is longer than its signed length of ${signedLength} bytes.`,
        'SIG-040',
      );
    }
    out.set(chunk, received);
    received += chunk.length;
    windowBytes += chunk.length;
    const now = clock.now();
    if (now - started >= throughputWindowMs && now - windowStart >= throughputWindowMs) {
      const rate = (windowBytes * 1000) / (now - windowStart);
      if (rate < minimumThroughputBytesPerSecond) {
        throw new HostFailure(
          'SIG_SLOW_RETRIEVAL',
          `The bundle arrives at ${Math.round(rate)} B/s, below ${minimumThroughputBytesPerSecond} B/s.`,
        );
      }
      windowStart = now;
      windowBytes = 0;
    }
    onProgress({ received, total: signedLength });
  }
  if (received !== signedLength) {
    throw new HostFailure(
      'SIG_LENGTH_MISMATCH',
      `The bundle has ${received} bytes; the signed length is ${signedLength}.`,
      'SIG-041',
    );
  }
  return out;
}
