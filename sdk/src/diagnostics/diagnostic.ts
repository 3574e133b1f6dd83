import { errorCodes, type ErrorCode } from '#schemas';

export type Severity = 'error' | 'warning';

/** Where a problem is: a file position, a JSON Pointer into a document, or a bridge method. */
export interface Location {
  file?: string;
  line?: number;
  column?: number;
  pointer?: string;
  method?: string;
}

/** One finding, shaped like the error object of spec/errors.md [ERR-001] [ERR-004] [ERR-005]. */
export interface Diagnostic {
  code: ErrorCode;
  severity: Severity;
  message: string;
  requirement: string;
  location?: Location;
  fix?: string;
}

export interface DiagnosticOptions {
  severity?: Severity;
  /** Defaults to the requirement the registry gives for the code. */
  requirement?: string;
  location?: Location;
  fix?: string;
}

export function diagnostic(
  code: ErrorCode,
  message: string,
  options: DiagnosticOptions = {},
): Diagnostic {
  const { severity = 'error', requirement = errorCodes[code].requirement, location, fix } = options;
  return {
    code,
    severity,
    message,
    requirement,
    ...(location ? { location } : {}),
    ...(fix ? { fix } : {}),
  };
}

/** A failure that stops an operation; carries a registry code so callers never parse messages [ERR-006]. */
export class MiniAppError extends Error {
  readonly code: ErrorCode;
  readonly requirement: string;
  readonly location: Location | undefined;
  readonly fix: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: DiagnosticOptions & { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MiniAppError';
    this.code = code;
    this.requirement = options.requirement ?? errorCodes[code].requirement;
    this.location = options.location;
    this.fix = options.fix;
    this.details = options.details;
  }

  toDiagnostic(): Diagnostic {
    return diagnostic(this.code, this.message, {
      requirement: this.requirement,
      ...(this.location ? { location: this.location } : {}),
      ...(this.fix ? { fix: this.fix } : {}),
    });
  }
}

export function isMiniAppError(value: unknown): value is MiniAppError {
  return value instanceof MiniAppError;
}
