import { canonicalOrigin } from '../bridge/index.ts';

/**
 * The policy on every mini-app response: the app's own files only, no inline script or inline event
 * handler (no 'unsafe-inline'), no eval, and [BRG-030] `connect-src` limited to the origins of
 * `allowedDomains` (so a mini-app cannot even reach its own preview server with fetch).
 * `frame-ancestors` lets only the host page embed it.
 */
export function appContentSecurityPolicy(
  allowedDomains: readonly string[],
  hostOrigin: string,
): string {
  const origins = allowedDomains.map((d) => canonicalOrigin(d) ?? d);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "media-src 'self' blob:",
    `connect-src ${origins.length > 0 ? origins.join(' ') : "'none'"}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${hostOrigin}`,
  ].join('; ');
}

/**
 * The policy of the preview's own host page. Ajv compiles the bridge schemas to functions in the
 * mock, hence 'unsafe-eval' here; the mini-app's origin never gets it.
 */
export function hostContentSecurityPolicy(appOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self' 'unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    `frame-src ${appOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
