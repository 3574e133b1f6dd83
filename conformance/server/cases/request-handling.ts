import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect } from 'node:tls';
import { CaseFailure } from '../../framework/index.ts';
import { loadContract } from '../contract/openapi-contract.ts';
import { multipartBody } from '../inputs/multipart-body.ts';
import { expectStatus, serverCase, type ServerTest } from '../server-case.ts';
import { describeExchange, jsonOf } from '../subject/http-exchange.ts';
import { requestFor } from '../subject/route-targets.ts';
import { targets } from './authorization.ts';

/** The spec's bound on a stalled upload body [API-177], and the slack the suite allows for scheduling. */
const stallLimitMs = 30_000;
const slackMs = 5_000;

interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  body: string;
  /** From the last byte sent to the first byte of the answer. */
  answeredAfterMs: number;
  /** From the end of the answer to the connection's close, or null if it stayed open. */
  closedAfterMs: number | null;
}

/** Parses the status line, headers and (Content-Length) body of an HTTP/1.1 response, once complete. */
function parseResponse(
  raw: Buffer,
): { status: number; headers: Map<string, string>; body: string } | null {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const length = Number(headers.get('content-length') ?? 'NaN');
  const body = raw.subarray(end + 4);
  if (Number.isFinite(length) && body.length < length) return null;
  return {
    status,
    headers,
    body: body.subarray(0, Number.isFinite(length) ? length : body.length).toString('utf8'),
  };
}

/**
 * Sends the headers and the first half of a valid upload over a raw connection, then stops sending,
 * and reports what the server answered and whether it closed the connection.
 */
async function stalledUpload(t: ServerTest, waitMs: number): Promise<RawAnswer | null> {
  const app = await t.world.freshApp(t.scope, 'stall');
  const prepared = await t.world.prepareVersion(app, { versionCode: 1 });
  const { contentType, body } = multipartBody([
    { name: 'statement', contentType: 'application/json', bytes: prepared.statementBytes },
    {
      name: 'package',
      contentType: 'application/miniapp-pkg+zip',
      bytes: prepared.pkg.bytes,
      filename: 'app.ma',
    },
  ]);
  const url = t.subject.baseUrl;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const head =
    `PUT ${new URL(`v1/partner/apps/${app.appId}/versions`, url).pathname} HTTP/1.1\r\n` +
    `Host: ${url.host}\r\nAuthorization: Bearer ${app.partner.token}\r\n` +
    `Content-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const socket: Socket =
      url.protocol === 'https:'
        ? tlsConnect({ host: url.hostname, port, servername: url.hostname })
        : connect({ host: url.hostname, port });
    let received = Buffer.alloc(0);
    let stalledAt = 0;
    let answer: Omit<RawAnswer, 'closedAfterMs'> | null = null;
    let answeredAt = 0;
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(
        answer
          ? { ...answer, closedAfterMs: closed ? performance.now() - answeredAt : null }
          : null,
      );
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      socket.write(head);
      socket.write(body.subarray(0, Math.floor(body.length / 2)), () => {
        stalledAt = performance.now();
      });
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (answer) return;
      const parsed = parseResponse(received);
      if (!parsed) return;
      answeredAt = performance.now();
      answer = { ...parsed, answeredAfterMs: answeredAt - stalledAt };
      // Once answered, the connection must close soon; wait a little for it.
      clearTimeout(timer);
      setTimeout(() => finish(false), slackMs);
    });
    socket.on('close', () => finish(true));
    socket.on('error', (error) => {
      if (answer) finish(true);
      else reject(new CaseFailure(`the connection failed before any answer: ${error.message}`));
    });
    t.signal.addEventListener('abort', () => finish(false), { once: true });
  });
}

/** Every path template of the OpenAPI document with the methods it declares. */
function declaredPaths(): { template: string; methods: Set<string>; example: string }[] {
  const byTemplate = new Map<string, { methods: Set<string>; example: string }>();
  for (const op of loadContract().operations) {
    const entry = byTemplate.get(op.template) ?? { methods: new Set(), example: op.operationId };
    entry.methods.add(op.method.toUpperCase());
    byTemplate.set(op.template, entry);
  }
  return [...byTemplate].map(([template, v]) => ({ template, ...v }));
}

export const requestHandlingCases = [
  serverCase({
    id: 'server.errors.nul-character',
    description:
      'U+0000 in a string of a JSON body, a query parameter or a path segment is refused with 400 API_VALIDATION_FAILED, the body case pointing at the string, and nothing is created',
    requirements: ['API-174'],
    why: 'Many stores (PostgreSQL text among them) cannot hold U+0000; a server that passes it on answers a 500 or truncates the string behind the validator’s back.',
    async run(t) {
      const partner = await t.world.partner(t.scope);
      const device = await t.world.device(t.scope);
      const appId = t.world.appIdFor(t.world.label('nul'));
      const created = await t.send({
        method: 'POST',
        path: '/v1/partner/apps',
        token: partner.token,
        json: { appId, name: 'Probe\u0000name', category: 'utilities' },
      });
      expectStatus(created, 400, 'API_VALIDATION_FAILED');
      const problem = jsonOf<{ errors?: { location?: { pointer?: string } }[] }>(created);
      const pointers = (problem?.errors ?? []).map((e) => e.location?.pointer);
      if (!pointers.includes('/name'))
        throw new CaseFailure(
          `the problem does not point at /name: errors point at ${JSON.stringify(pointers)}`,
        );
      expectStatus(
        await t.send({ path: `/v1/partner/apps/${appId}`, token: partner.token }),
        404,
        'API_NOT_FOUND',
      );
      expectStatus(
        await t.send({
          path: '/v1/catalog/apps',
          token: device.token,
          query: { q: 'probe\u0000' },
        }),
        400,
        'API_VALIDATION_FAILED',
      );
      const shared = await t.world.sharedRelease(t.scope);
      expectStatus(
        await t.send({
          path: `/v1/partner/apps/${shared.version.app.appId}%00/versions`,
          token: partner.token,
        }),
        400,
        'API_VALIDATION_FAILED',
      );
    },
  }),
  serverCase({
    id: 'server.errors.method-not-allowed',
    description:
      'Every path of the OpenAPI document asked with a method it does not declare is answered 405 API_METHOD_NOT_ALLOWED with an Allow header listing the declared methods',
    requirements: ['API-178'],
    why: 'A 404 tells a client the resource is gone and a 401 sends it for credentials; only 405 with Allow says what the path does take.',
    timeoutMs: 60_000,
    async run(t) {
      const objects = await targets(t);
      const operations = loadContract().operations;
      const probes = ['DELETE', 'PATCH', 'PUT', 'POST', 'GET'];
      let judged = 0;
      const wrong: string[] = [];
      for (const path of declaredPaths()) {
        const method = probes.find((m) => !path.methods.has(m));
        if (!method) continue;
        const op = operations.find((o) => o.operationId === path.example);
        if (!op) continue;
        const { path: concrete, query } = requestFor(op, objects);
        const exchange = await t.send({ method, path: concrete, query: query ?? {}, quiet: true });
        judged += 1;
        const declared = [...path.methods].join(', ');
        const code = jsonOf<{ code?: string }>(exchange)?.code;
        if (exchange.status !== 405 || code !== 'API_METHOD_NOT_ALLOWED') {
          wrong.push(
            `${method} ${path.template} (declared: ${declared}): ${describeExchange(exchange)}`,
          );
          continue;
        }
        const allow = new Set(
          (exchange.headers.get('allow') ?? '')
            .split(',')
            .map((m) => m.trim().toUpperCase())
            .filter(Boolean),
        );
        if ([...path.methods].some((m) => !allow.has(m)) || allow.has(method))
          wrong.push(
            `${method} ${path.template}: Allow is ${JSON.stringify(exchange.headers.get('allow'))}, the declared methods are ${declared}`,
          );
      }
      if (wrong.length > 0)
        throw new CaseFailure(
          `${wrong.length} of ${judged} paths: ${wrong[0]}`,
          wrong.slice(0, 20),
        );
      t.note(`${judged} paths asked with a method they do not declare`);
    },
  }),
  serverCase({
    id: 'server.upload.stalled-body-timeout',
    description:
      'An upload whose body stops arriving halfway is answered 408 API_REQUEST_TIMEOUT within 30 s of the last byte, and its connection is closed',
    requirements: ['API-177'],
    why: 'A server that waits forever for a stalled body is held by one idle connection per attacker. The slow case of the suite: it must wait up to the 30 s the spec allows (plus 5 s of slack); the 300 s bound on a whole request is not probed, as it would take five minutes.',
    timeoutMs: stallLimitMs + 3 * slackMs,
    async run(t) {
      const started = performance.now();
      const answer = await stalledUpload(t, stallLimitMs + slackMs);
      if (!answer)
        throw new CaseFailure(
          `no answer ${((performance.now() - started) / 1000).toFixed(1)} s after the upload body stalled`,
        );
      t.note(
        `answered ${answer.status} ${answer.body.slice(0, 120)} after ${(answer.answeredAfterMs / 1000).toFixed(1)} s of stall; connection ${answer.closedAfterMs === null ? 'left open' : `closed ${Math.round(answer.closedAfterMs)} ms later`}`,
      );
      let code: unknown;
      try {
        code = (JSON.parse(answer.body) as { code?: unknown }).code;
      } catch {
        code = undefined;
      }
      if (answer.status !== 408 || code !== 'API_REQUEST_TIMEOUT')
        throw new CaseFailure(
          `the stalled upload was answered ${answer.status} ${String(code ?? '')}, expected 408 API_REQUEST_TIMEOUT`,
        );
      if (answer.answeredAfterMs > stallLimitMs + slackMs)
        throw new CaseFailure(
          `the 408 came ${(answer.answeredAfterMs / 1000).toFixed(1)} s after the stall, more than 30 s`,
        );
      if (answer.closedAfterMs === null)
        throw new CaseFailure(`the connection stayed open ${slackMs / 1000} s after the 408`);
    },
  }),
];
