/** Where a network URL may go, from the manifest's `allowedDomains` [REV-119]. */
export class OriginAllowlist {
  private readonly origins: Set<string>;

  constructor(allowedDomains: readonly string[] = []) {
    this.origins = new Set(
      allowedDomains.map((entry) => originOf(entry)).filter((o): o is string => o !== null),
    );
  }

  /**
   * Why a URL written in code may not be fetched, or null when it may (or when it is relative to
   * the package, or too incomplete to judge: `https://${host}/`).
   */
  refusal(url: string, complete: boolean): string | null {
    const trimmed = url.trim();
    const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) || trimmed.startsWith('//');
    if (!absolute) return null;
    // Without the full authority (host and port) the origin is unknown until run time.
    if (!complete && !/^([a-z][a-z0-9+.-]*:)?\/\/[^/?#]+[/?#]/i.test(trimmed)) return null;
    const origin = originOf(trimmed.startsWith('//') ? `https:${trimmed}` : trimmed);
    if (origin === null) return `${JSON.stringify(url)} is not a valid URL`;
    if (!origin.startsWith('https://') && !origin.startsWith('wss://')) {
      return `${origin} is not https or wss, and only those are ever allowed`;
    }
    if (!this.origins.has(origin)) return `${origin} is not listed in allowedDomains`;
    return null;
  }
}

/** `scheme://host[:port]` in lower case with default ports dropped, or null. */
export function originOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!parsed.host) return null;
  return `${parsed.protocol}//${parsed.host}`.toLowerCase();
}
