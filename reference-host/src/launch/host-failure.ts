/**
 * Why the host refused or failed something: a code of the closed registry (spec/errors.md) and a
 * message for people. The launch outcome, the analytics `update.failed` event and the adapter's
 * `refused {code}` all carry `code`; nothing ever parses `message`.
 */
import { isMiniAppError } from '#sdk/diagnostics/index.ts';

export class HostFailure extends Error {
  override name = 'HostFailure';
  constructor(
    readonly code: string,
    message: string,
    readonly requirement?: string,
  ) {
    super(message);
  }
}

/** The code of any failure; unexpected errors become HOST_ERROR [BRG-021]. */
export function failureOf(error: unknown): HostFailure {
  if (error instanceof HostFailure) return error;
  if (isMiniAppError(error)) return new HostFailure(error.code, error.message, error.requirement);
  return new HostFailure('HOST_ERROR', 'The host failed internally.');
}
