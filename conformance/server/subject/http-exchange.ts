import type { ContractOperation } from '../contract/openapi-contract.ts';

/** One request the suite made and the response it got, kept as evidence and checked against the contract. */
export interface Exchange {
  seq: number;
  /** The case that made the request, when known. */
  caseId: string | undefined;
  method: string;
  /** Path and query as sent. */
  target: string;
  requestHeaders: Record<string, string>;
  requestBodyLength: number;
  /** Bearer secrets the request carried (in any header or the query), to look for leaks. */
  secrets: string[];
  status: number;
  headers: Headers;
  body: Uint8Array;
  durationMs: number;
  operation: ContractOperation | undefined;
  /** Contract problems of this response, filled in by the traffic ledger. */
  findings: Finding[];
}

/** A cross-cutting problem found in one response. */
export interface Finding {
  /** Which cross-cutting rule: contract, problem-media-type, problem-fields, problem-type, problem-leak, server-error, nosniff. */
  rule: FindingRule;
  message: string;
}

export type FindingRule =
  | 'contract'
  | 'problem-media-type'
  | 'problem-fields'
  | 'problem-type'
  | 'problem-leak'
  | 'server-error'
  | 'nosniff';

export function mediaTypeOf(exchange: Exchange): string {
  return (exchange.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function textOf(exchange: Exchange): string {
  return new TextDecoder().decode(exchange.body);
}

/** The body parsed as JSON, or undefined when it is not JSON. */
export function jsonOf<T = unknown>(exchange: Exchange): T | undefined {
  try {
    return JSON.parse(textOf(exchange)) as T;
  } catch {
    return undefined;
  }
}

/** `GET /path -> 200 (application/json, 123 bytes)`, for evidence. */
export function describeExchange(exchange: Exchange): string {
  const type = mediaTypeOf(exchange);
  const code = exchange.status >= 400 ? (jsonOf<{ code?: unknown }>(exchange)?.code ?? '') : '';
  return `${exchange.method} ${exchange.target} -> ${exchange.status}${code ? ` ${String(code)}` : ''}${type ? ` (${type}, ${exchange.body.length} bytes)` : ''}`;
}
