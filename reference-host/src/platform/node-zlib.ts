import { Inflate } from 'fflate';

/**
 * `node:zlib` for the browser build: the two functions the sdk's hardened ZIP reader imports, so that
 * the host verifies packages with the same reader as review and install [PKG-170] [PKG-171].
 */

const table = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (ISO 3309, the ZIP checksum) of `data`, as node:zlib's crc32 computes it. */
export function crc32(data: Uint8Array | string, value = 0): number {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let c = (value ^ 0xffffffff) >>> 0;
  for (const b of bytes) c = (table[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

class BufferTooLarge extends Error {
  readonly code = 'ERR_BUFFER_TOO_LARGE';
}

/**
 * Raw inflate that stops once the output passes `maxOutputLength`, like node:zlib: the input is fed
 * in small slices, so a stream that lies about its size never grows far past the limit [PKG-049].
 */
export function inflateRawSync(
  input: Uint8Array,
  options: { maxOutputLength?: number } = {},
): Buffer {
  const max = options.maxOutputLength ?? Number.MAX_SAFE_INTEGER;
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const inflate = new Inflate((chunk, final) => {
    total += chunk.length;
    if (total > max) throw new BufferTooLarge(`inflated output exceeds ${max} bytes`);
    chunks.push(chunk);
    if (final) ended = true;
  });
  const slice = 4096;
  for (let at = 0; at < input.length; at += slice) {
    const end = Math.min(input.length, at + slice);
    inflate.push(input.subarray(at, end), end === input.length);
  }
  if (input.length === 0) inflate.push(new Uint8Array(0), true);
  if (!ended) throw new Error('unexpected end of the deflate stream');
  return Buffer.concat(chunks, total);
}
