/**
 * The policy of every document and worker of a mini-app: its own verified files only, no inline
 * script and no eval, [BRG-030] `connect-src` limited to the origins of `allowedDomains` (so a page
 * cannot even reach its own runtime origin with fetch), no plugins, no base override, forms only to
 * its own origin, and only the host (or its own pages) may frame it.
 */
import { canonicalOrigin } from '#sdk/bridge/allowed-origin.ts';

export function miniAppPolicy(allowedDomains: readonly string[], hostOrigin: string): string {
  // [BRG-031] origins compared (and listed) lower-cased with the port explicit.
  const origins = allowedDomains
    .map((domain) => canonicalOrigin(domain))
    .filter((origin): origin is string => origin !== null);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' blob:",
    `connect-src ${origins.length > 0 ? origins.join(' ') : "'none'"}`,
    "worker-src 'self'",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    // Its own pages may nest each other; no other origin but the host's may frame them.
    `frame-ancestors 'self' ${hostOrigin}`,
  ].join('; ');
}
