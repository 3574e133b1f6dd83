import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validatorFor } from '#schemas';
import { TrustWorld } from './trust-world.ts';
import { selectUpdate, type Selection } from './update-selection.ts';

/**
 * The conformance distribution server (spec/conformance.md): to a host under test, the suite is its
 * distribution server. It serves what the running case's TrustWorld published, answers update
 * checks, catalog, token, payment and analytics requests as a conforming server would [CNF-040],
 * delivers any one route the way a scenario asks (slowly, endlessly, with extra bytes, as a
 * problem), and records every request the host makes, so that cases can observe the order and the
 * bytes of what the host fetched.
 */

export type Delivery =
  | { kind: 'status'; status: number; code: string }
  | { kind: 'body'; body: Uint8Array; type?: string }
  /** The body, then more bytes (or an endless stream of them). */
  | { kind: 'append'; extra: Uint8Array | 'endless' }
  /** The body at a fixed rate in bytes per second. */
  | { kind: 'rate'; bytesPerSecond: number }
  /** The headers, then nothing until the host gives up. */
  | { kind: 'stall' }
  /**
   * Nothing until `until` settles, then the whole response: a download that is still under way
   * when a case acts, so that the host's decision cannot lean on it having finished.
   */
  | { kind: 'held'; until: Promise<void> };

export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  query: string;
  authorization?: string;
  headers: Record<string, string>;
  body: Buffer;
  status: number;
  startedAt: number;
  /** When the response ended or the host closed the connection. */
  endedAt?: number;
  bytesSent: number;
  /** The host closed the connection before the response was complete. */
  aborted: boolean;
}

export interface AnalyticsBatch {
  receivedAt: number;
  authorization?: string;
  body: unknown;
  valid: boolean;
  errors?: string;
}

export interface IssuedToken {
  token: string;
  appId: string;
  scopes: string[];
  exp: number;
  sub: string;
}

export interface Product {
  productId: string;
  minor: number;
  currency: string;
  kind: 'consumable' | 'nonConsumable' | 'subscription';
}

const problemBase = 'https://openminiapp.dev/errors/';
const encoder = new TextEncoder();

function json(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

function base64url(bytes: Uint8Array | string): string {
  return Buffer.from(typeof bytes === 'string' ? encoder.encode(bytes) : bytes).toString(
    'base64url',
  );
}

export class ConformanceServer {
  world: TrustWorld | undefined;
  readonly deliveries = new Map<string, Delivery>();
  readonly requests: RecordedRequest[] = [];
  readonly analytics: AnalyticsBatch[] = [];
  readonly tokens: IssuedToken[] = [];
  readonly products = new Map<string, Product[]>();
  readonly entitlements = new Map<
    string,
    { productId: string; kind: string; grantedAt: string }[]
  >();
  /**
   * Payments charged, one per distinct Idempotency-Key [API-054]: what the provider would have
   * taken from the user, so that a case sees a second charge for one order [BRG-203].
   */
  readonly charges: {
    appId: string;
    productId: string;
    minor: number;
    currency: string;
    key?: string;
    at: number;
  }[] = [];
  private readonly paidByKey = new Map<string, { body: string; answer: unknown }>();
  /** Update answers a case puts in the server's mouth (a compromised origin), by app id. */
  readonly lies = new Map<string, Selection>();
  /** Problem documents a case puts in place of an update answer (ERR-003). */
  updateProblem: { status: number; code: string } | undefined;
  credentials = { device: '', user: '' };
  /** max-age of the current index (at most 300 s, distribution.md); a case may make it 0. */
  indexMaxAge = 60;
  readonly userId = `user-${randomBytes(6).toString('hex')}`;
  private seq = 0;
  private readonly tokenKey: { privateKey: KeyObject; kid: string; jwk: Record<string, unknown> };
  private readonly open = new Set<ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    const pair = generateKeyPairSync('ed25519');
    const jwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    const kid = createHash('sha256')
      .update(JSON.stringify({ crv: jwk['crv'], kty: jwk['kty'], x: jwk['x'] }))
      .digest('base64url');
    this.tokenKey = {
      privateKey: pair.privateKey,
      kid,
      jwk: { ...jwk, kid, alg: 'EdDSA', use: 'sig' },
    };
  }

  static async start(address = '127.0.0.1'): Promise<ConformanceServer> {
    const holder: { instance?: ConformanceServer } = {};
    const server = createServer((req, res) => {
      void holder.instance?.handle(req, res);
    });
    server.keepAliveTimeout = 1_000;
    await new Promise<void>((resolve) => server.listen(0, address, resolve));
    const { port } = server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    holder.instance = new ConformanceServer(server, `http://${host}:${port}`);
    return holder.instance;
  }

  /** Starts a new session: a new world, fresh credentials, no recorded requests, no faults. */
  reset(world: TrustWorld | undefined): void {
    this.world = world;
    this.deliveries.clear();
    this.requests.length = 0;
    this.analytics.length = 0;
    this.tokens.length = 0;
    this.products.clear();
    this.indexMaxAge = 60;
    this.charges.length = 0;
    this.paidByKey.clear();
    this.entitlements.clear();
    this.lies.clear();
    this.updateProblem = undefined;
    this.credentials = {
      device: `dev_${randomBytes(18).toString('base64url')}`,
      user: `usr_${randomBytes(18).toString('base64url')}`,
    };
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Requests whose path matches, in arrival order. */
  requestsTo(pattern: RegExp | string): RecordedRequest[] {
    return this.requests.filter((r) =>
      typeof pattern === 'string' ? r.path === pattern : pattern.test(r.path),
    );
  }

  private problem(res: ServerResponse, record: RecordedRequest, status: number, code: string) {
    const body = json({
      type: `${problemBase}${code}`,
      title: code,
      status,
      code,
      detail: `The conformance server answers ${code}.`,
    });
    this.finish(res, record, status, body, { 'content-type': 'application/problem+json' });
  }

  private finish(
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    body: Uint8Array,
    headers: Record<string, string>,
  ): void {
    record.status = status;
    res.writeHead(status, { ...headers, 'content-length': String(body.length) });
    res.end(body);
    record.bytesSent = body.length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size <= 4 * 1024 * 1024) chunks.push(chunk as Buffer);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers[name] = value;
    }
    const record: RecordedRequest = {
      seq: ++this.seq,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      ...(headers['authorization'] ? { authorization: headers['authorization'] } : {}),
      headers,
      body: Buffer.concat(chunks),
      status: 0,
      startedAt: Date.now(),
      bytesSent: 0,
      aborted: false,
    };
    this.requests.push(record);
    this.open.add(res);
    res.on('close', () => {
      this.open.delete(res);
      record.endedAt = Date.now();
      if (!res.writableFinished) record.aborted = true;
    });
    // Web hosts may call the server from a browser; the contract needs no CORS, hosts may.
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-expose-headers', 'etag, content-length');
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-methods', 'GET, POST');
      res.setHeader(
        'access-control-allow-headers',
        'authorization, content-type, idempotency-key, if-none-match, range',
      );
      this.finish(res, record, 204, new Uint8Array(), {});
      return;
    }
    try {
      await this.route(req.method ?? 'GET', url, record, res);
    } catch {
      if (!res.headersSent) this.problem(res, record, 500, 'API_INTERNAL');
      else res.destroy();
    }
  }

  private authorized(record: RecordedRequest, scheme: 'device' | 'user'): boolean {
    return record.authorization === `Bearer ${this.credentials[scheme]}`;
  }

  private async route(
    method: string,
    url: URL,
    record: RecordedRequest,
    res: ServerResponse,
  ): Promise<void> {
    const path = url.pathname;
    const override = this.deliveries.get(path);
    if (override?.kind === 'status') {
      this.problem(res, record, override.status, override.code);
      return;
    }
    if (method === 'GET' && path === '/healthz') {
      this.finish(res, record, 200, json({ status: 'ok' }), { 'content-type': 'application/json' });
      return;
    }
    const world = this.world;
    if (!world) {
      this.problem(res, record, 503, 'API_UNAVAILABLE');
      return;
    }
    if (method === 'GET') {
      let body: Uint8Array | undefined;
      let type = 'application/json';
      let cache = 'public, max-age=31536000, immutable';
      if (path === '/v1/trust/root.json') {
        body = world.roots.at(-1)?.bytes;
        cache = 'no-cache';
      } else if (path === '/v1/trust/index.json') {
        body = world.current?.index.bytes;
        cache = `max-age=${this.indexMaxAge}`;
      } else {
        const route = world.routes.get(path);
        if (route) {
          body = route.body;
          type = route.type;
          cache = route.cache;
        }
      }
      if (body) {
        if (override?.kind === 'body') {
          body = override.body;
          if (override.type) type = override.type;
        }
        await this.deliver(
          res,
          record,
          body,
          { 'content-type': type, 'cache-control': cache },
          override,
        );
        return;
      }
    }
    await this.api(method, path, url, record, res, world);
  }

  private async deliver(
    res: ServerResponse,
    record: RecordedRequest,
    body: Uint8Array,
    headers: Record<string, string>,
    delivery: Delivery | undefined,
  ): Promise<void> {
    record.status = 200;
    if (delivery?.kind === 'held') {
      const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
      await Promise.race([delivery.until, closed]);
      if (res.destroyed) return;
    }
    if (
      !delivery ||
      delivery.kind === 'body' ||
      delivery.kind === 'status' ||
      delivery.kind === 'held'
    ) {
      res.writeHead(200, {
        ...headers,
        etag: `"${createHash('sha256').update(body).digest('hex')}"`,
        'content-length': String(body.length),
      });
      res.end(body);
      record.bytesSent = body.length;
      return;
    }
    res.writeHead(200, headers);
    const write = (chunk: Uint8Array) =>
      new Promise<boolean>((resolve) => {
        if (res.destroyed) return resolve(false);
        res.write(chunk, (error) => {
          if (!error) record.bytesSent += chunk.length;
          resolve(!error && !res.destroyed);
        });
      });
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          resolve();
        }, ms);
        this.timers.add(t);
      });
    if (delivery.kind === 'stall') {
      // Headers only; the host has to give up on its own. The server ends it after 5 minutes.
      await sleep(300_000);
      res.destroy();
      return;
    }
    if (delivery.kind === 'rate') {
      const step = Math.max(1, Math.floor(delivery.bytesPerSecond / 10));
      for (let offset = 0; offset < body.length; offset += step) {
        if (!(await write(body.subarray(offset, offset + step)))) return;
        await sleep(100);
      }
      res.end();
      return;
    }
    if (!(await write(body))) return;
    if (delivery.extra === 'endless') {
      const filler = new Uint8Array(64 * 1024).fill(0x20);
      // Up to 1 GiB, far beyond any limit a host may keep; the host must stop reading first. The
      // first 16 MiB go at about 4 MiB/s: loopback socket buffers (several MiB on each hop) take
      // bytes as fast as they are written whether or not the host still reads, so at full speed
      // a host that stopped at once under a loaded CPU could still be counted as having taken more.
      for (let sent = 0; sent < 1024 * 1024 * 1024; sent += filler.length) {
        if (!(await write(filler))) return;
        if (sent < 16 * 1024 * 1024) await sleep(16);
      }
    } else if (!(await write(delivery.extra))) return;
    res.end();
  }

  private async api(
    method: string,
    path: string,
    url: URL,
    record: RecordedRequest,
    res: ServerResponse,
    world: TrustWorld,
  ): Promise<void> {
    const send = (status: number, value: unknown, headers: Record<string, string> = {}) =>
      this.finish(res, record, status, json(value), {
        'content-type': 'application/json',
        ...headers,
      });
    const parse = (): unknown => {
      try {
        return JSON.parse(record.body.toString('utf8'));
      } catch {
        return undefined;
      }
    };
    if (method === 'GET' && path === '/.well-known/jwks.json') {
      send(200, { keys: [this.tokenKey.jwk] }, { 'cache-control': 'public, max-age=300' });
      return;
    }
    if (method === 'POST' && path === '/v1/updates/check') {
      if (!this.authorized(record, 'device'))
        return this.problem(res, record, 401, 'API_UNAUTHENTICATED');
      if (this.updateProblem) {
        return this.problem(res, record, this.updateProblem.status, this.updateProblem.code);
      }
      const body = parse();
      const validate = validatorFor('distribution/update-check-request.schema.json');
      if (!validate(body)) return this.problem(res, record, 400, 'API_VALIDATION_FAILED');
      const request = body as {
        hostApiVersion: string;
        channel: string;
        deviceId: string;
        apps: { appId: string; versionCode: number }[];
      };
      send(
        200,
        {
          checkedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          results: request.apps.map((a) => this.updateResult(world, request, a)),
        },
        { 'cache-control': 'no-store', vary: 'Authorization' },
      );
      return;
    }
    const single = /^\/v1\/apps\/([^/]+)\/update$/.exec(path);
    if (method === 'GET' && single) {
      if (!this.authorized(record, 'device'))
        return this.problem(res, record, 401, 'API_UNAUTHENTICATED');
      if (this.updateProblem) {
        return this.problem(res, record, this.updateProblem.status, this.updateProblem.code);
      }
      const q = url.searchParams;
      const request = {
        hostApiVersion: q.get('hostApiVersion') ?? '1.0.0',
        channel: q.get('channel') ?? 'stable',
        deviceId: q.get('deviceId') ?? '',
      };
      const result = this.updateResult(world, request, {
        appId: decodeURIComponent(single[1] ?? ''),
        versionCode: Number(q.get('versionCode') ?? 0),
      });
      send(200, result, { 'cache-control': 'private, max-age=0', vary: 'Authorization' });
      return;
    }
    if (method === 'GET' && path === '/v1/catalog/apps') {
      if (!this.authorized(record, 'device'))
        return this.problem(res, record, 401, 'API_UNAUTHENTICATED');
      send(200, { items: this.catalog(world) }, { 'cache-control': 'private, max-age=60' });
      return;
    }
    const detail = /^\/v1\/catalog\/apps\/([^/]+)$/.exec(path);
    if (method === 'GET' && detail) {
      if (!this.authorized(record, 'device'))
        return this.problem(res, record, 401, 'API_UNAUTHENTICATED');
      const item = this.catalog(world).find((a) => a.appId === detail[1]);
      if (!item) return this.problem(res, record, 404, 'API_NOT_FOUND');
      send(200, { app: item, locales: ['en'], permissions: [], screenshots: [] });
      return;
    }
    if (method === 'GET' && path === '/v1/catalog/categories') {
      send(200, { items: [{ categoryId: 'utilities', name: 'Utilities' }] });
      return;
    }
    if (method === 'GET' && /^\/v1\/catalog\/apps\/[^/]+\/icons\/[^/]+$/.test(path)) {
      const png = Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
        'base64',
      );
      this.finish(res, record, 200, png, { 'content-type': 'image/png' });
      return;
    }
    if (method === 'POST' && path === '/v1/tokens/app') {
      if (!this.authorized(record, 'user'))
        return this.problem(res, record, 401, 'API_UNAUTHENTICATED');
      const body = parse() as { appId?: string; scopes?: string[] } | undefined;
      if (!body || typeof body.appId !== 'string' || !Array.isArray(body.scopes)) {
        return this.problem(res, record, 400, 'API_VALIDATION_FAILED');
      }
      const app = world.apps.get(body.appId);
      if (!app) return this.problem(res, record, 404, 'API_NOT_FOUND');
      const declared = new Set(app.releases.at(-1)?.spec.permissions ?? []);
      if (body.scopes.some((s) => !declared.has(s))) {
        return this.problem(res, record, 403, 'API_SCOPE_NOT_ALLOWED');
      }
      send(201, this.issueToken(body.appId, body.scopes), { 'cache-control': 'no-store' });
      return;
    }
    const productRoute = /^\/v1\/apps\/([^/]+)\/products\/([^/]+)$/.exec(path);
    if (method === 'GET' && productRoute) {
      // [API-200] the price a payment created now would charge, for a device or a user.
      if (!this.authorized(record, 'device') && !this.authorized(record, 'user'))
        return this.problem(res, record, 401, 'API_UNAUTHENTICATED');
      const appId = decodeURIComponent(productRoute[1] ?? '');
      const productId = decodeURIComponent(productRoute[2] ?? '');
      const product = this.products.get(appId)?.find((p) => p.productId === productId);
      if (!product) return this.problem(res, record, 404, 'API_NOT_FOUND');
      send(
        200,
        {
          productId: product.productId,
          kind: product.kind,
          price: { currency: product.currency, minor: product.minor },
          ...(product.kind === 'subscription' ? { periodDays: 30 } : {}),
        },
        { 'cache-control': 'no-store' },
      );
      return;
    }
    if (method === 'POST' && path === '/v1/payments') {
      if (!this.authorized(record, 'user'))
        return this.problem(res, record, 401, 'API_UNAUTHENTICATED');
      const body = parse() as { appId?: string; productId?: string; provider?: string } | undefined;
      const header = record.headers['idempotency-key'];
      const key = typeof header === 'string' && header !== '' ? header : undefined;
      const bodyText = JSON.stringify({
        appId: body?.appId,
        productId: body?.productId,
        provider: body?.provider,
      });
      // [API-054] a repeated key answers the first payment; another body under it is a conflict.
      const earlier = key === undefined ? undefined : this.paidByKey.get(key);
      if (earlier) {
        if (earlier.body !== bodyText)
          return this.problem(res, record, 409, 'API_IDEMPOTENCY_CONFLICT');
        send(201, earlier.answer);
        return;
      }
      const product = this.products
        .get(body?.appId ?? '')
        ?.find((p) => p.productId === body?.productId);
      if (!body?.appId || !product) return this.problem(res, record, 404, 'API_NOT_FOUND');
      if (product.minor % 100 === 13) return this.problem(res, record, 402, 'API_PAYMENT_DECLINED');
      const grantedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const list = this.entitlements.get(body.appId) ?? [];
      list.push({ productId: product.productId, kind: product.kind, grantedAt });
      this.entitlements.set(body.appId, list);
      this.charges.push({
        appId: body.appId,
        productId: product.productId,
        minor: product.minor,
        currency: product.currency,
        ...(key === undefined ? {} : { key }),
        at: Date.now(),
      });
      const answer = {
        paymentId: `pay_${randomBytes(8).toString('hex')}`,
        appId: body.appId,
        productId: product.productId,
        provider: body.provider ?? 'sandbox',
        status: 'captured',
        amount: { currency: product.currency, minor: product.minor },
        commission: { rateBasisPoints: 300, minor: Math.round(product.minor * 0.03) },
        createdAt: grantedAt,
      };
      if (key !== undefined) this.paidByKey.set(key, { body: bodyText, answer });
      send(201, answer);
      return;
    }
    const entitlements = /^\/v1\/entitlements\/([^/]+)$/.exec(path);
    if (method === 'GET' && entitlements) {
      if (!this.authorized(record, 'user'))
        return this.problem(res, record, 401, 'API_UNAUTHENTICATED');
      const appId = entitlements[1] ?? '';
      send(
        200,
        { appId, entitlements: this.entitlements.get(appId) ?? [] },
        {
          'cache-control': 'private, no-store',
          vary: 'Authorization',
        },
      );
      return;
    }
    if (method === 'POST' && path === '/v1/analytics/events') {
      if (!this.authorized(record, 'device'))
        return this.problem(res, record, 401, 'API_UNAUTHENTICATED');
      const body = parse();
      const validate = validatorFor('analytics/event-batch.schema.json');
      const valid = validate(body);
      this.analytics.push({
        receivedAt: Date.now(),
        ...(record.authorization ? { authorization: record.authorization } : {}),
        body,
        valid,
        ...(valid ? {} : { errors: JSON.stringify(validate.errors?.slice(0, 3)) }),
      });
      if (!valid) return this.problem(res, record, 400, 'API_VALIDATION_FAILED');
      const events = (body as { events: unknown[] }).events;
      send(202, { accepted: events.length, dropped: [] });
      return;
    }
    this.problem(res, record, 404, 'API_NOT_FOUND');
  }

  private updateResult(
    world: TrustWorld,
    request: { hostApiVersion: string; channel: string; deviceId: string },
    app: { appId: string; versionCode: number },
  ): Record<string, unknown> {
    const state = world.apps.get(app.appId);
    const entry = state ? world.entryOf(state) : undefined;
    const installedRelease = state?.releases.find((r) => r.spec.versionCode === app.versionCode);
    const installedRevoked =
      !!installedRelease &&
      !!entry &&
      (entry.revokedReleases.includes(installedRelease.release.sha256) ||
        entry.revokedKeys.includes(
          String((installedRelease.release.payload['statement'] as { keyid: string }).keyid),
        ));
    const selection =
      this.lies.get(app.appId) ??
      selectUpdate({
        appId: app.appId,
        entry: state ? entry : undefined,
        channel: request.channel,
        deviceId: request.deviceId,
        hostApiVersion: request.hostApiVersion,
        installed: app.versionCode,
        installedRevoked,
      });
    const offer = (r: { versionCode: number; mandatory: boolean }, mandatory: boolean) => {
      const published = state?.releases.find((p) => p.spec.versionCode === r.versionCode);
      const pkg = (published?.release.payload['package'] ?? {}) as {
        sha256?: string;
        length?: number;
      };
      return {
        versionCode: r.versionCode,
        version: published?.spec.version ?? '1.0.0',
        releaseUrl: `${this.url}${TrustWorld.releasePath(app.appId, r.versionCode)}`,
        packageUrl: `${this.url}${TrustWorld.bundlePath(pkg.sha256 ?? '0'.repeat(64))}`,
        length: pkg.length ?? 1,
        sha256: pkg.sha256 ?? '0'.repeat(64),
        mandatory,
      };
    };
    switch (selection.kind) {
      case 'upToDate':
        return { appId: app.appId, kind: 'upToDate' };
      case 'update':
        return {
          appId: app.appId,
          kind: 'update',
          update: offer(selection.release, selection.mandatory),
        };
      case 'incompatible':
        return { appId: app.appId, kind: 'incompatible', minHostVersion: selection.minHostVersion };
      case 'revoked':
        return {
          appId: app.appId,
          kind: 'revoked',
          ...(selection.replacement ? { replacement: offer(selection.replacement, true) } : {}),
        };
    }
  }

  private catalog(world: TrustWorld): Record<string, unknown>[] {
    const items: Record<string, unknown>[] = [];
    for (const app of world.apps.values()) {
      const release = [...app.releases]
        .filter((r) => r.listed && r.spec.channel === 'stable')
        .sort((a, b) => b.spec.versionCode - a.spec.versionCode)[0];
      if (!release) continue;
      items.push({
        appId: app.appId,
        name: app.appId,
        category: 'utilities',
        iconUrl: `${this.url}/v1/catalog/apps/${app.appId}/icons/192x192`,
        version: release.spec.version,
        versionCode: release.spec.versionCode,
        minHostVersion: release.spec.minHostVersion,
      });
    }
    return items;
  }

  /** [API-059] a JWT as the server issues it, remembered so that cases can compare [STO-150]. */
  issueToken(appId: string, scopes: string[]): Record<string, unknown> {
    const iat = Math.floor(Date.now() / 1000);
    const sub = createHash('sha256').update(`${this.userId}:${appId}`).digest('base64url');
    const header = base64url(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid: this.tokenKey.kid }));
    const claims = base64url(
      JSON.stringify({
        iss: this.url,
        sub,
        aud: appId,
        iat,
        exp: iat + 900,
        scope: scopes.join(' '),
      }),
    );
    const signature = base64url(
      sign(null, encoder.encode(`${header}.${claims}`), this.tokenKey.privateKey),
    );
    const token = `${header}.${claims}.${signature}`;
    this.tokens.push({ token, appId, scopes: [...scopes], exp: iat + 900, sub });
    return { accessToken: token, tokenType: 'Bearer', expiresIn: 900, scopes };
  }
}
