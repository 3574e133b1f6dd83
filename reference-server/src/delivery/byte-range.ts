/** An inclusive byte range of a body of known length. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Reads a single-range `Range: bytes=...` header against a body length [API-044].
 * Returns null when the header is not a single byte range (the whole body is then sent, as RFC 9110
 * allows), `unsatisfiable` when no byte of the body lies in it, and the clamped range otherwise.
 */
export function parseByteRange(header: string, length: number): ByteRange | 'unsatisfiable' | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    // A suffix range: the last N bytes.
    const suffix = Number(last);
    if (suffix === 0 || length === 0) return 'unsatisfiable';
    return { start: Math.max(0, length - suffix), end: length - 1 };
  }
  const start = Number(first);
  if (start >= length) return 'unsatisfiable';
  const end = last === '' ? length - 1 : Number(last);
  // RFC 9110: a range whose last position precedes its first is invalid, and the header is ignored.
  if (end < start) return null;
  return { start, end: Math.min(end, length - 1) };
}

/**
 * Whether `If-Range` lets the range apply: only a strong ETag equal to the current one does; a date or
 * another tag means the client's partial copy is stale, so the whole body is sent [API-045].
 */
export function ifRangeHolds(header: string | undefined, etag: string): boolean {
  if (header === undefined) return true;
  return header.trim() === etag;
}
