import { createHash } from 'node:crypto';

/** A strong ETag of the exact body bytes: the quoted base64url SHA-256 [API-018]. */
export function entityTagOf(body: string | Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/**
 * Whether an `If-None-Match` header names the tag. RFC 9110 compares If-None-Match weakly, so a `W/`
 * prefix is ignored, and `*` matches any current representation [API-019].
 */
export function noneMatchHits(header: string | string[] | undefined, tag: string): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return true;
  return value
    .split(',')
    .map((part) => part.trim().replace(/^W\//, ''))
    .includes(tag);
}
