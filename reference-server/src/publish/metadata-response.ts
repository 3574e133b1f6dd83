import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** `Cache-Control` of content that never changes under its URL [API-037] [API-040]. */
export const immutableCaching = 'public, max-age=31536000, immutable';

/** [API-018] a strong validator of the exact body bytes. */
export function strongEtag(bytes: Uint8Array): string {
  return `"${createHash('sha256').update(bytes).digest('hex')}"`;
}

/** Whether an If-None-Match header lists the ETag (weak comparison, as RFC 9110 prescribes for it). */
export function matchesIfNoneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const listed = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''));
  return listed.includes('*') || listed.includes(etag);
}

/**
 * Sends signed metadata bytes unchanged, with their ETag and caching, or 304 with the same headers
 * when the client already holds them [API-018] [API-019].
 */
export function sendMetadata(
  request: FastifyRequest,
  reply: FastifyReply,
  bytes: Uint8Array,
  cacheControl: string,
): FastifyReply {
  const etag = strongEtag(bytes);
  reply.header('etag', etag).header('cache-control', cacheControl);
  if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.type('application/json').send(Buffer.from(bytes));
}

/** [API-038] at most 300 seconds, and never past the index's expiry. */
export function indexMaxAge(expires: Date, now: Date): number {
  return Math.max(0, Math.min(300, Math.floor((expires.getTime() - now.getTime()) / 1000)));
}
