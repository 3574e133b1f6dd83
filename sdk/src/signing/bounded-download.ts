import { MiniAppError } from '#sdk/diagnostics/index.ts';
import type { PackageDigest } from './digest.ts';
import { maxMetadataBytes } from './envelope.ts';

async function collect(
  source: AsyncIterable<Uint8Array>,
  limit: number,
  onOverflow: (received: number) => MiniAppError,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let received = 0;
  // Leaving the loop by throwing calls the iterator's return(), which closes the connection.
  for await (const chunk of source) {
    received += chunk.length;
    if (received > limit) throw onOverflow(received);
    chunks.push(chunk);
  }
  const out = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * Reads a package download, stopping as soon as more than the signed length arrives [SIG-040],
 * so an endless stream costs at most one chunk beyond the signed length.
 */
export async function readPackageStream(
  source: AsyncIterable<Uint8Array>,
  signed: Pick<PackageDigest, 'length'>,
): Promise<Uint8Array> {
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

/** Reads a metadata document, refusing it once it exceeds the size limit [SIG-017]. */
export function readMetadataStream(
  source: AsyncIterable<Uint8Array>,
  limit: number = maxMetadataBytes,
): Promise<Uint8Array> {
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
  );
}
