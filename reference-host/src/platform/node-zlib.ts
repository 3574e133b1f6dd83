import { Inflate } from 'fflate';

/**
 * `node:zlib` for the browser build: the two functions the sdk's hardened ZIP reader imports, so that
 * the host verifies packages with the same reader as review and install [PKG-170] [PKG-171].
 */

// Slicing-by-8 tables: eight bytes per step instead of one; every byte of every package entry is
// checked [PKG-050], so this loop is most of a 2 MiB verification in the browser [BUD-012].
const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
const table = tables[0] as Uint32Array;
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  table[n] = c >>> 0;
}
for (let n = 0; n < 256; n++) {
  let c = table[n] as number;
  for (let t = 1; t < 8; t++) {
    c = (table[c & 0xff] as number) ^ (c >>> 8);
    (tables[t] as Uint32Array)[n] = c;
  }
}
const [t0, t1, t2, t3, t4, t5, t6, t7] = tables as [
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
];

/** CRC-32 (ISO 3309, the ZIP checksum) of `data`, as node:zlib's crc32 computes it. */
export function crc32(data: Uint8Array | string, value = 0): number {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let c = ~value;
  let i = 0;
  const end8 = bytes.length - (bytes.length % 8);
  // `as number`: every index below is in range (tables of 256, i + 7 < end8).
  while (i < end8) {
    const lo =
      c ^
      ((bytes[i] as number) |
        ((bytes[i + 1] as number) << 8) |
        ((bytes[i + 2] as number) << 16) |
        ((bytes[i + 3] as number) << 24));
    c =
      (t7[lo & 0xff] as number) ^
      (t6[(lo >>> 8) & 0xff] as number) ^
      (t5[(lo >>> 16) & 0xff] as number) ^
      (t4[lo >>> 24] as number) ^
      (t3[bytes[i + 4] as number] as number) ^
      (t2[bytes[i + 5] as number] as number) ^
      (t1[bytes[i + 6] as number] as number) ^
      (t0[bytes[i + 7] as number] as number);
    i += 8;
  }
  while (i < bytes.length) c = (t0[(c ^ (bytes[i++] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
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
