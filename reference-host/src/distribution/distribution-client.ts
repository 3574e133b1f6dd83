/**
 * The host's side of the HTTP contract (schemas/distribution/openapi.yaml). It is the only code that
 * talks to a distribution server; everything it reads is either signed (and verified elsewhere) or
 * non-authoritative (catalog, recommendations).
 */
import type { components } from '#schemas/generated/distribution/openapi.ts';
import type { UpdateCheckRequest } from '#schemas/generated/types/distribution/update-check-request.ts';
import type { UpdateCheckResponse } from '#schemas/generated/types/distribution/update-check-response.ts';
import { errorCodes } from '#schemas';
import { HostFailure } from '../launch/host-failure.ts';
import { bundleRateWindowMs, metadataTimeoutMs } from '#sdk/signing/index.ts';
import { readBundle, readMetadata, type BundleProgress } from './transfer.ts';

type Schemas = components['schemas'];
export type CatalogApp = Schemas['CatalogApp'];
export type CatalogAppPage = Schemas['CatalogAppPage'];
export type RecommendationList = Schemas['RecommendationList'];
export type CategoryList = Schemas['CategoryList'];
export type Payment = Schemas['Payment'];
export type Product = Schemas['Product'];
export type AppToken = Schemas['AppToken'];
export type EntitlementList = Schemas['EntitlementList'];
export type { UpdateCheckRequest, UpdateCheckResponse };

/**
 * How requests leave the host. On the web the shell's own server forwards them (distribution servers
 * send no CORS headers); on Android and iOS, CapacitorHttp sends them natively.
 */
export interface DistributionTransport {
  fetch(url: string, init?: RequestInit): Promise<Response>;
}

/** Direct requests (native builds, tests in Node). */
export const directTransport: DistributionTransport = {
  fetch: (url, init) => fetch(url, init),
};

/** Requests through the host server's forwarding route, for the browser build. */
export function forwardingTransport(hostOrigin: string): DistributionTransport {
  return {
    fetch(url, init) {
      const headers = new Headers(init?.headers);
      headers.set('x-omp-forward', '1');
      return fetch(`${hostOrigin}/__forward?url=${encodeURIComponent(url)}`, { ...init, headers });
    },
  };
}

export interface HostCredentials {
  /** The hostDevice credential of this installation, when the platform issued one. */
  device?: { token: string };
  /** The hostUser session of the signed-in user. */
  user?: { token: string; userId: string };
}

/** A problem document's code, or a generic one. */
/**
 * The registry code of a failed response. [ERR-003] a code this host does not know (a newer
 * server's) is still a failure: it becomes API_UNAVAILABLE for a 5xx and HOST_ERROR otherwise, so
 * that every outcome the host reports carries a code of its registry.
 */
async function problemCode(response: Response): Promise<string> {
  let code: unknown;
  try {
    code = ((await response.json()) as { code?: unknown }).code;
  } catch {
    code = undefined;
  }
  if (typeof code === 'string' && Object.hasOwn(errorCodes, code)) return code;
  return response.status >= 500 ? 'API_UNAVAILABLE' : 'HOST_ERROR';
}

/**
 * The server could not be reached at all: launches fall back to the verified cache, and anything
 * else is refused with the registry's code for an unavailable server.
 */
export class OfflineError extends HostFailure {
  constructor(message: string) {
    super('API_UNAVAILABLE', message);
  }
}

export class DistributionError extends HostFailure {
  constructor(
    code: string,
    readonly status: number,
    message: string,
  ) {
    super(code, message);
  }
}

export class DistributionClient {
  constructor(
    readonly baseUrl: string,
    private readonly transport: DistributionTransport,
    private readonly credentials: HostCredentials = {},
  ) {}

  url(path: string): string {
    return new URL(path, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`).toString();
  }

  get hasDeviceCredential(): boolean {
    return this.credentials.device !== undefined;
  }

  get userId(): string | undefined {
    return this.credentials.user?.userId;
  }

  async #send(
    path: string,
    init: RequestInit & { credential?: 'device' | 'user' } = {},
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    const credential =
      init.credential === 'device'
        ? this.credentials.device?.token
        : init.credential === 'user'
          ? this.credentials.user?.token
          : undefined;
    if (init.credential && !credential) {
      throw new HostFailure(
        'API_UNAUTHENTICATED',
        `This host has no ${init.credential} credential.`,
      );
    }
    if (credential) headers.set('authorization', `Bearer ${credential}`);
    const controller = new AbortController();
    init.signal?.addEventListener('abort', () => controller.abort(init.signal?.reason));
    try {
      const response = await this.transport.fetch(path.startsWith('http') ? path : this.url(path), {
        ...init,
        headers,
        signal: controller.signal,
      });
      // The web host's forwarding route says when the server itself could not be reached.
      if (response.status === 502 && response.headers.get('x-omp-upstream') === 'unreachable') {
        throw new OfflineError(`The distribution server cannot be reached (${path}).`);
      }
      return response;
    } catch (error) {
      if (error instanceof HostFailure) throw error;
      if (controller.signal.reason instanceof HostFailure) throw controller.signal.reason;
      throw new OfflineError(`The distribution server cannot be reached (${path}).`);
    }
  }

  async #json<T>(response: Response, what: string): Promise<T> {
    if (!response.ok) {
      throw new DistributionError(
        await problemCode(response),
        response.status,
        `${what}: HTTP ${response.status}.`,
      );
    }
    return (await response.json()) as T;
  }

  /**
   * Sends a GET whose response must begin within `headerMs` of the request (a slow-retrieval rule
   * covers the wait for the headers too), then reads the body with `read`; a failure of the read
   * aborts the request, so a stalled connection is closed, not left open.
   */
  async #download<T>(
    path: string,
    what: string,
    headerMs: number,
    read: (response: Response, startedAt: number) => Promise<T>,
    slowMessage: string,
    requirement: string,
  ): Promise<T | null> {
    const controller = new AbortController();
    const startedAt = Date.now();
    const timer = setTimeout(
      () => controller.abort(new HostFailure('SIG_SLOW_RETRIEVAL', slowMessage, requirement)),
      headerMs,
    );
    let response: Response;
    try {
      response = await this.#send(path, { cache: 'no-store', signal: controller.signal });
    } finally {
      clearTimeout(timer);
    }
    if (response.status === 404) {
      await response.body?.cancel().catch(() => undefined);
      return null;
    }
    if (!response.ok) {
      throw new DistributionError(
        await problemCode(response),
        response.status,
        `${what}: HTTP ${response.status}.`,
      );
    }
    try {
      return await read(response, startedAt);
    } catch (error) {
      controller.abort(error);
      throw error;
    }
  }

  /**
   * A signed metadata document, bounded in size [SIG-017] and complete within 30 seconds of its
   * request [SIG-111]; null when the server has none (404).
   */
  metadata(path: string, what: string): Promise<Uint8Array | null> {
    return this.#download(
      path,
      what,
      metadataTimeoutMs,
      (response, startedAt) => readMetadata(response, { startedAt }),
      `${what} was not complete ${metadataTimeoutMs} ms after its request.`,
      'SIG-111',
    );
  }

  /**
   * Downloads a bundle, never more than its signed length [SIG-040], aborted when its rate stays
   * below the floor of [SIG-112] (a response whose headers take 10 seconds brought nothing in them).
   */
  async bundle(
    url: string,
    signedLength: number,
    onProgress: (progress: BundleProgress) => void,
  ): Promise<Uint8Array> {
    const bytes = await this.#download(
      url,
      'The bundle',
      bundleRateWindowMs,
      (response, startedAt) => readBundle(response, signedLength, onProgress, { startedAt }),
      `The bundle sent nothing ${bundleRateWindowMs} ms after its request.`,
      'SIG-112',
    );
    if (!bytes) throw new DistributionError('API_NOT_FOUND', 404, 'The bundle: HTTP 404.');
    return bytes;
  }

  /** The content-addressed bundle route of a digest [API-042]. */
  bundleUrl(sha256: string): string {
    return this.url(`v1/bundles/sha256/${sha256}.ma`);
  }

  async checkUpdates(request: UpdateCheckRequest): Promise<UpdateCheckResponse> {
    const response = await this.#send('v1/updates/check', {
      method: 'POST',
      credential: 'device',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    return this.#json<UpdateCheckResponse>(response, 'The update check');
  }

  async catalog(query: {
    q?: string;
    category?: string;
    cursor?: string;
    locale?: string;
  }): Promise<CatalogAppPage> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
    params.set('limit', '50');
    const response = await this.#send(`v1/catalog/apps?${params.toString()}`, {
      credential: 'device',
    });
    return this.#json<CatalogAppPage>(response, 'The catalog');
  }

  async catalogApp(appId: string): Promise<Schemas['CatalogAppDetail'] | null> {
    const response = await this.#send(`v1/catalog/apps/${encodeURIComponent(appId)}`, {
      credential: 'device',
    });
    if (response.status === 404) return null;
    return this.#json(response, 'The catalog entry');
  }

  async categories(): Promise<CategoryList> {
    const response = await this.#send('v1/catalog/categories', { credential: 'device' });
    return this.#json<CategoryList>(response, 'The categories');
  }

  async recommendations(deviceId: string): Promise<RecommendationList> {
    const response = await this.#send(
      `v1/catalog/recommendations?deviceId=${encodeURIComponent(deviceId)}&limit=10`,
      { credential: 'device' },
    );
    return this.#json<RecommendationList>(response, 'The recommendations');
  }

  /** [STO-011] the user's session stays here; the mini-app gets only this app-bound token. */
  async appToken(appId: string, scopes: readonly string[]): Promise<AppToken> {
    const response = await this.#send('v1/tokens/app', {
      method: 'POST',
      credential: 'user',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appId, scopes }),
    });
    return this.#json<AppToken>(response, 'The app token');
  }

  /** [API-200] a product of the app and the price a payment would charge now. */
  async product(appId: string, productId: string): Promise<Product> {
    const response = await this.#send(
      `v1/apps/${encodeURIComponent(appId)}/products/${encodeURIComponent(productId)}`,
      { credential: 'user', cache: 'no-store' },
    );
    return this.#json<Product>(response, 'The product');
  }

  async pay(appId: string, productId: string, idempotencyKey: string): Promise<Payment> {
    const response = await this.#send('v1/payments', {
      method: 'POST',
      credential: 'user',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify({ appId, productId, provider: 'sandbox' }),
    });
    return this.#json<Payment>(response, 'The payment');
  }

  async entitlements(appId: string): Promise<EntitlementList> {
    const response = await this.#send(`v1/entitlements/${encodeURIComponent(appId)}`, {
      credential: 'user',
    });
    return this.#json<EntitlementList>(response, 'The entitlements');
  }

  async postAnalytics(batch: unknown): Promise<void> {
    const response = await this.#send('v1/analytics/events', {
      method: 'POST',
      credential: 'device',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    });
    await this.#json<unknown>(response, 'The analytics batch');
  }
}
