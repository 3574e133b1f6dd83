import { performance } from 'node:perf_hooks';
import type { Contract } from '../contract/openapi-contract.ts';
import type { TrafficLedger } from '../contract/traffic-ledger.ts';
import { plainBytes } from '../crypto/byte-encoding.ts';
import { describeExchange, type Exchange } from './http-exchange.ts';
import { PrismOpinion } from './prism-opinion.ts';

/** A request as a case writes it. */
export interface RequestSpec {
  method?: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  headers?: Record<string, string>;
  json?: unknown;
  body?: Uint8Array | string;
  contentType?: string;
  /** Do not note this exchange in the case's evidence (property runs make many). */
  quiet?: boolean;
}

/** What a case passes so that its requests are cancelled at its timeout and noted in its evidence. */
export interface CaseScope {
  caseId?: string;
  signal?: AbortSignal;
  note?: (line: string) => void;
}

/**
 * Sends every request of the suite with fetch (undici) and records each exchange in the ledger, which
 * checks it against the contract; so any case's traffic counts for the cross-cutting cases.
 */
export class HttpDriver {
  /** When set, JSON operations go through `prism proxy` for its second opinion. */
  prism: PrismOpinion | undefined;

  constructor(
    readonly baseUrl: URL,
    readonly contract: Contract,
    readonly ledger: TrafficLedger,
  ) {}

  async send(spec: RequestSpec, scope: CaseScope = {}): Promise<Exchange> {
    const method = (spec.method ?? 'GET').toUpperCase();
    const operation = this.contract.match(method, new URL(spec.path, this.baseUrl).pathname);
    const plannedBody = spec.json !== undefined ? JSON.stringify(spec.json) : spec.body;
    const viaPrism =
      this.prism && PrismOpinion.handles(operation, method, plannedBody) ? this.prism : undefined;
    const url = new URL(spec.path, viaPrism ? viaPrism.url : this.baseUrl);
    for (const [k, v] of Object.entries(spec.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { ...(spec.headers ?? {}) };
    if (spec.token !== undefined) headers.authorization = `Bearer ${spec.token}`;
    let body: Uint8Array | string | undefined = spec.body;
    if (spec.json !== undefined) {
      body = JSON.stringify(spec.json);
      headers['content-type'] ??= 'application/json';
    }
    if (spec.contentType) headers['content-type'] = spec.contentType;
    const secrets = [
      spec.token,
      ...Object.values(headers).map((h) => /^Bearer (.+)$/i.exec(h)?.[1]),
    ]
      .concat([...url.searchParams.values()].filter((v) => v.length >= 16))
      .filter((s): s is string => typeof s === 'string' && s.length > 0);
    const started = performance.now();
    const response = await fetch(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : plainBytes(body) }),
      redirect: 'manual',
      ...(scope.signal ? { signal: scope.signal } : {}),
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const exchange: Exchange = {
      seq: this.ledger.nextSeq(),
      caseId: scope.caseId,
      method,
      target: url.pathname + url.search,
      requestHeaders: headers,
      requestBodyLength: typeof body === 'string' ? Buffer.byteLength(body) : (body?.length ?? 0),
      secrets,
      status: response.status,
      headers: response.headers,
      body: bytes,
      durationMs: performance.now() - started,
      operation,
      findings: [],
    };
    if (viaPrism && operation)
      viaPrism.record(
        operation,
        exchange.target,
        exchange.status,
        response.headers.get('sl-violations'),
      );
    this.ledger.record(exchange);
    if (!spec.quiet) scope.note?.(describeExchange(exchange));
    return exchange;
  }
}
