import type { ErrorCode } from '#schemas/generated/errors/error-codes.ts';

/** The error object carried by a failed response (schemas/errors/error.schema.json) [BRG-006]. */
export interface BridgeErrorObject {
  code: ErrorCode;
  message: string;
  requirement?: string;
  location?: { method?: string; pointer?: string };
  fix?: string;
  details?: Record<string, unknown>;
}

/** A failed bridge call; match on `code`, never on the message [ERR-006]. */
export class BridgeError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
    this.details = details;
  }

  /** The error as it travels in a response envelope. */
  toErrorObject(method?: string): BridgeErrorObject {
    return {
      code: this.code,
      message: this.message,
      ...(method === undefined ? {} : { location: { method } }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export function isBridgeError(value: unknown): value is BridgeError {
  return value instanceof BridgeError;
}
