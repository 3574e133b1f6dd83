/**
 * A wrong command line, an unreadable input or an invalid expectations file: the CLI prints the
 * message (never a stack trace) and exits 2.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
