const defaultPorts: Record<string, string> = { 'https:': '443', 'wss:': '443' };

/** scheme://host:port with a lower-case host and an explicit port, or null for other URLs [BRG-031]. */
export function canonicalOrigin(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const port = defaultPorts[parsed.protocol];
  if (port === undefined || parsed.username !== '' || parsed.password !== '') return null;
  return `${parsed.protocol}//${parsed.hostname.toLowerCase()}:${parsed.port || port}`;
}

/** Whether the URL's origin is one of the manifest's allowedDomains [BRG-028] [BRG-031]. */
export function isAllowedOrigin(url: string, allowedDomains: readonly string[]): boolean {
  const origin = canonicalOrigin(url);
  if (origin === null) return false;
  return allowedDomains.some((domain) => canonicalOrigin(domain) === origin);
}
