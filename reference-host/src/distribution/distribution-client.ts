/**
 * The host's side of the HTTP contract (schemas/distribution/openapi.yaml). It is the only code that
 * talks to a distribution server; everything it reads is either signed (and verified elsewhere) or
 * non-authoritative (catalog, recommendations).
 */
import type { components } from '#schemas/generated/distribution/openapi.ts';
import type { UpdateCheckRequest } from '#schemas/generated/types/distribution/update-check-request.ts';
import type { UpdateCheckResponse } from '#schemas/generated/types/distribution/update-check-response.ts';
import { HostFailure } from '../launch/host-failure.ts';
import { metadataDeadlineMs, readBundle, readMetadata, type BundleProgress } from './transfer.ts';

type Schemas = components['schemas'];
export type CatalogApp = Schemas['CatalogApp'];
export type CatalogAppPage = Schemas['CatalogAppPage'];
export type RecommendationList = Schemas['RecommendationList'];
export type CategoryList = Schemas['CategoryList'];
export type Payment = Schemas['Payment'];
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
async function problemCode(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { code?: unknown };
    return typeof body.code === 'string' ? body.code : `HTTP_${response.status}`;
  } catch {
    return `HTTP_${response.status}`;
  }
}

/** The server could not be reached at all: launches fall back to the verified cache. */
export class OfflineError extends HostFailure {
  constructor(message: string) {
    super('HOST_ERROR', message);
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
    init: RequestInit & { credential?: 'device' | 'user'; deadlineMs?: number } = {},
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
    const timer = init.deadlineMs
      ? setTimeout(
          () => controller.abort(new HostFailure('SIG_SLOW_RETRIEVAL', `${path} took too long.`)),
          init.deadlineMs,
        )
      : undefined;
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
    } finally {
      if (timer) clearTimeout(timer);
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

  /** A signed metadata document, bounded in size [SIG-017] and time; null when the server has none (404). */
  async metadata(path: string, what: string): Promise<Uint8Array | null> {
    // The deadline covers the body too: a trickle of bytes cannot hold the session open.
    const deadline = new AbortController();
    const timer = setTimeout(
      () =>
        deadline.abort(
          new HostFailure(
            'SIG_SLOW_RETRIEVAL',
            `${what} took longer than ${metadataDeadlineMs} ms.`,
          ),
        ),
      metadataDeadlineMs,
    );
    try {
      const response = await this.#send(path, { cache: 'no-store', signal: deadline.signal });
      if (response.status === 404) return null;
      if (!response.ok) {
        throw new DistributionError(
          await problemCode(response),
          response.status,
          `${what}: HTTP ${response.status}.`,
        );
      }
      return await readMetadata(response, what);
    } catch (error) {
      if (deadline.signal.aborted && deadline.signal.reason instanceof HostFailure)
        throw deadline.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Downloads a bundle, never more than its signed length [SIG-040]. */
  async bundle(
    url: string,
    signedLength: number,
    onProgress: (progress: BundleProgress) => void,
  ): Promise<Uint8Array> {
    const response = await this.#send(url, { cache: 'no-store' });
    if (!response.ok) {
      throw new DistributionError(
        await problemCode(response),
        response.status,
        `The bundle: HTTP ${response.status}.`,
      );
    }
    return readBundle(response, signedLength, onProgress);
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
