/** [SIG-015] RFC 3339 UTC with a Z suffix and whole seconds. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** [SIG-063] metadata is expired unless its expiry is strictly later than the session's fixed time. */
export function isExpired(expires: string, now: Date): boolean {
  return !(Date.parse(expires) > now.getTime());
}
