import {
  CaseFailure,
  defineCase,
  pass,
  skip,
  type CaseVerdict,
  type ConformanceCase,
  type Lane,
  type Level,
} from '../framework/index.ts';
import { CaseSkip } from './subject/case-skip.ts';
import { describeExchange, jsonOf, mediaTypeOf, type Exchange } from './subject/http-exchange.ts';
import type { CaseScope, RequestSpec } from './subject/http-driver.ts';
import type { ServerSubject } from './subject/server-subject.ts';
import type { TestWorld } from './subject/test-world.ts';

/** What a server case's function receives. */
export interface ServerTest {
  subject: ServerSubject;
  world: TestWorld;
  scope: CaseScope;
  note(line: string): void;
  signal: AbortSignal;
  /** Sends one request, recorded in the ledger and noted in the case's evidence. */
  send(spec: RequestSpec): Promise<Exchange>;
  adminToken: string;
}

export interface ServerCaseDefinition {
  id: string;
  description: string;
  requirements: readonly string[];
  level?: Level;
  lane?: Lane;
  why: string;
  timeoutMs?: number;
  /** Returns a verdict, or nothing to pass. */
  run(t: ServerTest): Promise<unknown>;
}

function isVerdict(value: unknown): value is CaseVerdict {
  return (
    typeof value === 'object' &&
    value !== null &&
    ['pass', 'fail', 'skip'].includes((value as { status?: string }).status ?? '')
  );
}

/** A case of the server class: MUST and certify lane unless it says otherwise; returning nothing passes. */
export function serverCase(definition: ServerCaseDefinition): ConformanceCase<ServerSubject> {
  const { run, ...metadata } = definition;
  return defineCase<ServerSubject>({
    ...metadata,
    level: definition.level ?? 'MUST',
    lane: definition.lane ?? 'certify',
    class: 'server',
    async run({ subject, signal, note }) {
      const scope: CaseScope = { caseId: definition.id, signal, note };
      const t: ServerTest = {
        subject,
        world: subject.world,
        scope,
        note,
        signal,
        send: (spec) => subject.driver.send(spec, scope),
        adminToken: subject.adminToken,
      };
      try {
        const result = await run(t);
        return isVerdict(result) ? result : pass();
      } catch (error) {
        if (error instanceof CaseSkip) return skip(error.message);
        throw error;
      }
    },
  });
}

/** Fails unless the response has this status (and, for a problem, this code). */
export function expectStatus(exchange: Exchange, status: number | number[], code?: string): void {
  const statuses = Array.isArray(status) ? status : [status];
  const body = jsonOf<{ code?: unknown }>(exchange);
  const ok = statuses.includes(exchange.status) && (code === undefined || body?.code === code);
  if (!ok) {
    throw new CaseFailure(
      `expected ${statuses.join(' or ')}${code ? ` with code ${code}` : ''}, got ${exchange.status}${body?.code ? ` with code ${String(body.code)}` : ''}`,
      [describeExchange(exchange), new TextDecoder().decode(exchange.body).slice(0, 300)],
    );
  }
}

/** The JSON body of a successful response, or a failure naming what came instead. */
export function bodyOf<T>(exchange: Exchange, status: number | number[] = 200): T {
  expectStatus(exchange, status);
  const body = jsonOf<T>(exchange);
  if (body === undefined) {
    throw new CaseFailure(`the ${mediaTypeOf(exchange) || 'untyped'} body is not JSON`, [
      describeExchange(exchange),
    ]);
  }
  return body;
}

export { CaseFailure };
