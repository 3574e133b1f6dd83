import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** One request to the platform's own API. */
export interface LoopbackRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  token: string;
  /** A JSON body, or raw bytes with their own content-type header. */
  json?: unknown;
  payload?: Buffer;
  headers?: Record<string, string>;
  /** Statuses that count as success; anything else is a SeedError. */
  expect: readonly number[];
}

/** A step of start-up seeding that the API refused, with the answer's status and problem code. */
export class SeedError extends Error {
  override name = 'SeedError';
  constructor(
    readonly step: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(`${step} answered ${status}${code ? ` ${code}` : ''}`);
  }
}

/**
 * Calls the server's own HTTP API in-process through Fastify's inject, so seeding takes exactly the
 * route, validation, authentication and authorisation path that an external client takes.
 */
export class LoopbackApi {
  constructor(private readonly app: FastifyInstance) {}

  /** Sends the request and returns the response, or throws SeedError on an unexpected status. */
  async send(step: string, request: LoopbackRequest): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      method: request.method,
      url: request.url,
      headers: { authorization: `Bearer ${request.token}`, ...request.headers },
      ...(request.json !== undefined ? { payload: request.json as object } : {}),
      ...(request.payload !== undefined ? { payload: request.payload } : {}),
    });
    if (!request.expect.includes(response.statusCode)) {
      throw new SeedError(step, response.statusCode, problemCode(response));
    }
    return response;
  }

  /** A GET answering 200 with a JSON body of the given shape, or null on 404. */
  async read<T>(step: string, url: string, token: string): Promise<T | null> {
    const response = await this.send(step, { method: 'GET', url, token, expect: [200, 404] });
    return response.statusCode === 404 ? null : (response.json() as T);
  }
}

function problemCode(response: LightMyRequestResponse): string | undefined {
  try {
    const body = response.json() as { code?: unknown };
    return typeof body.code === 'string' ? body.code : undefined;
  } catch {
    return undefined;
  }
}
