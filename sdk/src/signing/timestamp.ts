import { MiniAppError } from '#sdk/diagnostics/index.ts';

/** [SIG-015] RFC 3339 UTC with a Z suffix and whole seconds. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** [SIG-063] metadata is expired unless its expiry is strictly later than the session's fixed time. */
export function isExpired(expires: string, now: Date): boolean {
  return !(Date.parse(expires) > now.getTime());
}

/** Metadata must expire after it was issued ([SIG-061] [SIG-083]), and at most `maxLifetimeMs` after it. */
export function checkValidityWindow(
  issuedAt: string,
  expires: string,
  requirement: string,
  maxLifetimeMs = Number.POSITIVE_INFINITY,
): void {
  const lifetime = Date.parse(expires) - Date.parse(issuedAt);
  if (!(lifetime > 0) || lifetime > maxLifetimeMs) {
    throw new MiniAppError(
      'SIG_MALFORMED',
      lifetime > 0
        ? `expires ${expires} is more than ${maxLifetimeMs / 86_400_000} days after issuedAt ${issuedAt}.`
        : `expires ${expires} is not later than issuedAt ${issuedAt}.`,
      {
        requirement,
        location: { pointer: '/expires' },
      },
    );
  }
}
