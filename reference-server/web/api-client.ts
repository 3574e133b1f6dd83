/** The members of a problem document (RFC 9457) that the consoles show. */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail?: string;
  requirement?: string;
  errors?: { code: string; message: string; location?: { pointer?: string } }[];
}

/** A request the API refused, with its problem document. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.status === 'number' && typeof v.title === 'string';
}

/** The problem of a failed response; a body that is not a problem document still yields one. */
function problemOf(status: number, text: string): Problem {
  try {
    const body: unknown = JSON.parse(text);
    if (isProblem(body)) return body;
  } catch {
    // Not JSON: a proxy or gateway answered; fall through to a generic problem.
  }
  return {
    status,
    code: status === 401 ? 'API_UNAUTHENTICATED' : 'API_INTERNAL',
    title: `HTTP ${status}`,
    detail: `the server answered ${status} without a problem document`,
  };
}

/** Progress of an upload, in bytes. */
export type UploadProgress = (sent: number, total: number) => void;

/**
 * Calls this server's API with the signed-in account's bearer token; every refusal becomes an ApiError
 * carrying the problem document, and a 401 also tells the console to ask for a new token.
 */
export class ApiClient {
  constructor(
    private readonly token: () => string | null,
    private readonly onUnauthenticated: () => void,
  ) {}

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    const token = this.token();
    return { ...extra, ...(token ? { authorization: `Bearer ${token}` } : {}) };
  }

  async #fetch(method: string, path: string, body?: unknown): Promise<Response> {
    const response = await fetch(path, {
      method,
      headers: this.#headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      cache: 'no-store',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) {
      const problem = problemOf(response.status, await response.text());
      if (response.status === 401) this.onUnauthenticated();
      throw new ApiError(problem);
    }
    return response;
  }

  /** Sends a JSON request (or none) and returns the JSON answer. */
  async json<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT',
    path: string,
    body?: unknown,
  ): Promise<T> {
    return (await (await this.#fetch(method, path, body)).json()) as T;
  }

  /** Fetches binary content (a screenshot) that needs the bearer token, so an <img src> cannot load it. */
  async blob(path: string): Promise<Blob> {
    return (await this.#fetch('GET', path)).blob();
  }

  /**
   * Sends multipart/form-data with XMLHttpRequest, the one browser API that reports upload progress,
   * and returns the JSON answer.
   */
  upload<T>(
    method: 'PUT' | 'POST',
    path: string,
    form: FormData,
    onProgress: UploadProgress,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open(method, path);
      for (const [name, value] of Object.entries(this.#headers()))
        request.setRequestHeader(name, value);
      request.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) onProgress(event.loaded, event.total);
      });
      request.addEventListener('load', () => {
        if (request.status >= 200 && request.status < 300) {
          try {
            resolve(JSON.parse(request.responseText) as T);
          } catch {
            reject(new ApiError(problemOf(request.status, '')));
          }
          return;
        }
        if (request.status === 401) this.onUnauthenticated();
        reject(new ApiError(problemOf(request.status, request.responseText)));
      });
      request.addEventListener('error', () =>
        reject(new Error('the upload could not reach the server; check the connection and retry')),
      );
      request.send(form);
    });
  }
}
