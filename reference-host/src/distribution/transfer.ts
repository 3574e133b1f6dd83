/**
 * Bounded reads of distribution responses, with the sdk's readers of spec/signing.md: metadata stops
 * at its size limit [SIG-017] and 30 seconds after its request was sent [SIG-111]; a bundle stops
 * at its signed length [SIG-040] and is aborted when, from 10 seconds after its request on, fewer
 * than 163,840 bytes arrived in the preceding 10 seconds [SIG-112], even while nothing arrives at all.
 * Progress is reported as bytes arrive.
 */
import {
  maxMetadataBytes,
  readMetadataStream,
  readPackageStream,
  type RetrievalTiming,
} from '#sdk/signing/index.ts';

export { maxMetadataBytes };

export interface BundleProgress {
  received: number;
  total: number;
}

/**
 * The body of a response as chunks. Leaving the loop early (too long, too slow) cancels the reader,
 * which closes the connection.
 */
export async function* bodyChunks(response: Response): AsyncGenerator<Uint8Array, void, undefined> {
  if (!response.body) return;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/** Reports every chunk as it passes. */
async function* counted(
  source: AsyncIterable<Uint8Array>,
  total: number,
  onProgress: (progress: BundleProgress) => void,
): AsyncGenerator<Uint8Array, void, undefined> {
  let received = 0;
  for await (const chunk of source) {
    received += chunk.length;
    onProgress({ received: Math.min(received, total), total });
    yield chunk;
  }
}

/** Reads a metadata body [SIG-017] [SIG-111]; `timing.startedAt` is when the request was sent. */
export function readMetadata(
  response: Response,
  timing: RetrievalTiming,
  limit = maxMetadataBytes,
): Promise<Uint8Array> {
  return readMetadataStream(bodyChunks(response), limit, timing);
}

/** Reads a bundle body [SIG-040] [SIG-041] [SIG-112]; `timing.startedAt` is when the request was sent. */
export function readBundle(
  response: Response,
  signedLength: number,
  onProgress: (progress: BundleProgress) => void,
  timing: RetrievalTiming,
): Promise<Uint8Array> {
  return readPackageStream(
    counted(bodyChunks(response), signedLength, onProgress),
    { length: signedLength },
    timing,
  );
}
