/**
 * The few HTTP calls the load suite makes to build its data set, over the server's public contract
 * only (schemas/distribution/openapi.yaml). A refusal becomes a LoadSetupError that names the call,
 * the status and the problem code, so an operator knows which part of the set-up the server refused.
 */

export class LoadSetupError extends Error {
  override name = 'LoadSetupError';
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** A bearer credential's client of one server. */
export class LoadApi {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  as(token: string): LoadApi {
    return new LoadApi(this.baseUrl, token);
  }

  url(path: string): string {
    return new URL(path, `${this.baseUrl.replace(/\/+$/, '')}/`).toString();
  }

  /**
   * Sends one request; answers with a status in `accept` resolve, anything else throws. Transient
   * failures of the connection are retried twice, since set-up must not fail on one reset.
   */
  async call<T>(
    method: string,
    path: string,
    options: {
      json?: unknown;
      body?: BodyInit;
      headers?: Record<string, string>;
      accept?: readonly number[];
    } = {},
  ): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: BodyInit | undefined = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const accept = options.accept ?? [200, 201];
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      let response: Response;
      try {
        response = await fetch(this.url(path), {
          method,
          headers,
          ...(body === undefined ? {} : { body }),
          signal: AbortSignal.timeout(60_000),
        });
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
        continue;
      }
      const text = await response.text();
      let parsed: unknown = text;
      if ((response.headers.get('content-type') ?? '').includes('json') && text) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      }
      if (!accept.includes(response.status)) {
        const problem = parsed as { code?: unknown; detail?: unknown; title?: unknown };
        const code = typeof problem?.code === 'string' ? problem.code : undefined;
        const detail =
          typeof problem?.detail === 'string'
            ? problem.detail
            : typeof problem?.title === 'string'
              ? problem.title
              : text.slice(0, 200);
        throw new LoadSetupError(
          `${method} ${path} answered ${String(response.status)}${code ? ` ${code}` : ''}: ${detail}`,
          response.status,
          code,
        );
      }
      return { status: response.status, body: parsed as T, headers: response.headers };
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw new LoadSetupError(`${method} ${path} could not reach ${this.baseUrl}: ${reason}`);
  }

  async bytes(path: string): Promise<Uint8Array> {
    const response = await fetch(this.url(path), { signal: AbortSignal.timeout(60_000) });
    if (response.status !== 200)
      throw new LoadSetupError(`GET ${path} answered ${String(response.status)}`, response.status);
    return new Uint8Array(await response.arrayBuffer());
  }
}

/** Runs `task` over `items` with at most `concurrency` at once, in order of start. */
export async function eachLimited<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index] as T, index);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker),
  );
}
