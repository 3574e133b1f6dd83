import type { FastifyRequest } from 'fastify';
import type { ContractOperation } from '#schemas';
import { ApiProblem } from './problem.ts';

/** The media types an operation's request body may have, lowercase, as the contract declares them. */
export function acceptedMediaTypes(operation: ContractOperation): string[] {
  return Object.keys(operation.requestBody?.content ?? {}).map((type) => type.toLowerCase());
}

/** Whether the request carries body bytes (a length above zero, or a chunked body). */
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined && length !== '0') return true;
  return request.headers['transfer-encoding'] !== undefined;
}

/**
 * [API-016] Refuses, before a byte of the body is parsed, a request whose body has a media type the
 * operation does not declare (text/plain or a form sent to a JSON route, JSON sent to the upload), or
 * no media type at all, with 415 API_UNSUPPORTED_MEDIA_TYPE. Without this, Fastify's built-in
 * text/plain parser would hand the text to validation and the answer would be a misleading 400.
 * Operations that take no body are left alone: there is nothing to parse.
 */
export function refuseUndeclaredMediaType(
  request: FastifyRequest,
  accepted: readonly string[],
): void {
  if (accepted.length === 0) return;
  const header = request.headers['content-type'];
  if (header === undefined) {
    if (!hasBody(request)) return;
    throw new ApiProblem(
      'API_UNSUPPORTED_MEDIA_TYPE',
      `the body has no Content-Type; send it as ${accepted.join(' or ')}`,
    );
  }
  const mediaType = header.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!accepted.includes(mediaType)) {
    throw new ApiProblem(
      'API_UNSUPPORTED_MEDIA_TYPE',
      `${request.method} ${request.operation.path} takes ${accepted.join(' or ')}, not ${mediaType || 'an empty media type'}`,
    );
  }
}
