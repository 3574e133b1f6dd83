import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  componentsSchemaId,
  distributionContract,
  errorCodeOf,
  errorCodes,
  type ErrorCode,
  type ErrorObject,
} from '#schemas';
import { isMiniAppError } from '#sdk/diagnostics/index.ts';

/** An error object inside a problem's `errors` list [API-013]. */
export interface ProblemError {
  code: ErrorCode;
  message: string;
  location?: { pointer?: string };
}

/** A failure answered as an RFC 9457 problem document [API-009] [API-010]. */
export class ApiProblem extends Error {
  override name = 'ApiProblem';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: {
      status?: number;
      errors?: ProblemError[];
      headers?: Record<string, string>;
    } = {},
  ) {
    super(detail);
    this.status = extra.status ?? errorCodes[code].httpStatus ?? 400;
  }
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  requirement: string;
  detail?: string;
  instance?: string;
  errors?: ProblemError[];
}

export function problemDocument(
  code: ErrorCode,
  status: number,
  detail?: string,
  errors?: ProblemError[],
  instance?: string,
): ProblemDocument {
  return {
    // [API-011] the type names the code.
    type: `https://openminiapp.dev/errors/${code}`,
    title: errorCodes[code].summary,
    status,
    code,
    requirement: errorCodes[code].requirement,
    ...(detail ? { detail } : {}),
    ...(instance ? { instance } : {}),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

export function sendProblem(
  reply: FastifyReply,
  problem: ProblemDocument,
  headers: Record<string, string> = {},
): FastifyReply {
  return reply.code(problem.status).headers(headers).type('application/problem+json').send(problem);
}

type ValidationIssue = NonNullable<FastifyError['validation']>[number];

/**
 * Each failed rule of a request body, with the code its schema names in `x-error-code` (errorCodeOf)
 * [ERR-002]; only codes with an HTTP status answer the HTTP API, anything else is
 * API_VALIDATION_FAILED [API-015].
 */
function validationErrors(error: FastifyError, request: FastifyRequest): ProblemError[] {
  const body = request.operation?.requestBody?.content['application/json'];
  const start =
    error.validationContext === 'body' && body
      ? { node: body, documentId: componentsSchemaId }
      : undefined;
  return (error.validation ?? []).map((v: ValidationIssue) => ({
    code: start
      ? errorCodeOf(
          start,
          v as ErrorObject,
          'API_VALIDATION_FAILED',
          (c) => errorCodes[c].httpStatus !== null,
        )
      : 'API_VALIDATION_FAILED',
    message: `${v.instancePath || '/'} ${v.message ?? 'is invalid'}`,
    location: { pointer: v.instancePath },
  }));
}

/**
 * The code of a body over the size limit: the operation's 413 response may name one with
 * `x-error-code` (analytics batches answer ANALYTICS_BATCH_TOO_LARGE, API-064).
 */
function payloadTooLargeCode(request: FastifyRequest): ErrorCode {
  const operation = request.operation;
  if (!operation) return 'API_PAYLOAD_TOO_LARGE';
  const paths = distributionContract().document.paths as Record<string, Record<string, unknown>>;
  const raw = paths[operation.path]?.[operation.method.toLowerCase()] as
    { responses?: Record<string, { 'x-error-code'?: unknown }> } | undefined;
  const named = raw?.responses?.['413']?.['x-error-code'];
  return typeof named === 'string' && named in errorCodes
    ? (named as ErrorCode)
    : 'API_PAYLOAD_TOO_LARGE';
}

const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'API_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'API_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'API_VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'API_VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'API_VALIDATION_FAILED',
  FST_ERR_BAD_URL: 'API_NOT_FOUND',
  // A path parameter longer than any identifier names nothing.
  FST_ERR_MAX_PARAM_LENGTH: 'API_NOT_FOUND',
};

/**
 * Turns every error into a problem document: ours keep their code, the toolkit's MiniAppErrors keep
 * theirs, Fastify's request errors are mapped, and anything else is a 500 without internals [API-014] [API-090].
 */
export function handleError(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const instance = `urn:request:${request.id}`;
  if (error instanceof ApiProblem) {
    return sendProblem(
      reply,
      problemDocument(error.code, error.status, error.detail, error.extra.errors, instance),
      error.extra.headers,
    );
  }
  if (isMiniAppError(error)) {
    const status = errorCodes[error.code].httpStatus ?? 422;
    const pointer = error.location?.pointer;
    return sendProblem(
      reply,
      problemDocument(
        error.code,
        status,
        error.message,
        pointer === undefined
          ? undefined
          : [{ code: error.code, message: error.message, location: { pointer } }],
        instance,
      ),
    );
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const errors = validationErrors(fastifyError, request);
    // One specific rule broken (e.g. a batch over its size limit) answers with that rule's code and status.
    const specific = errors.find((e) => e.code !== 'API_VALIDATION_FAILED')?.code;
    const code = specific ?? 'API_VALIDATION_FAILED';
    return sendProblem(
      reply,
      problemDocument(
        code,
        errorCodes[code].httpStatus ?? 400,
        'the request does not match the API contract; see errors',
        errors,
        instance,
      ),
    );
  }
  const mapped =
    fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
      ? payloadTooLargeCode(request)
      : fastifyError.code
        ? fastifyCodes[fastifyError.code]
        : undefined;
  if (mapped) {
    return sendProblem(
      reply,
      problemDocument(
        mapped,
        errorCodes[mapped].httpStatus ?? 400,
        // Router messages quote the raw URL, query and all, which may carry a credential [API-014].
        mapped === 'API_NOT_FOUND'
          ? 'the URL is malformed or names no resource'
          : fastifyError.message,
        undefined,
        instance,
      ),
    );
  }
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return sendProblem(
      reply,
      problemDocument('API_VALIDATION_FAILED', 400, fastifyError.message, undefined, instance),
    );
  }
  request.log.error({ err: error }, 'unexpected failure');
  return sendProblem(
    reply,
    problemDocument(
      'API_INTERNAL',
      500,
      'the server failed unexpectedly; the failure was logged',
      undefined,
      instance,
    ),
  );
}
