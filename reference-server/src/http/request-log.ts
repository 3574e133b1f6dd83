import type { FastifyRequest } from 'fastify';

/**
 * The URL as the request log shows it: the path and the names of query parameters, every value
 * replaced, so a credential sent in a query string (refused by [API-006]) never reaches the log
 * [API-176]. Headers are not logged at all.
 */
export function loggableUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark < 0) return url;
  const names = url
    .slice(mark + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const name = pair.split('=')[0] ?? '';
      // A name too can carry a secret (`?mak_xyz`); keep only names that look like parameter names.
      return /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(name) ? `${name}=…` : '…';
    });
  return `${url.slice(0, mark)}?${names.join('&')}`;
}

/** Pino's request serializer: method, redacted URL and peer, nothing from the headers. */
export function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: loggableUrl(request.url),
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
