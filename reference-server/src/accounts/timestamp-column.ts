/**
 * SQL that renders a timestamptz column as the contract's timestamp (RFC 3339, UTC, whole seconds)
 * [SIG-015]; done in SQL so PGlite and node-postgres, which parse dates differently, give equal text.
 */
export function utcTimestamp(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
}
