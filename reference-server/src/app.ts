import { createServer } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Counter, Histogram } from 'prom-client';
import { createContractValidator } from '#schemas';
import { registerContractRoutes, type OperationHandlers } from './http/contract-routes.ts';
import { handleError, problemDocument, sendProblem } from './http/problem.ts';
import { RouteTable } from './http/route-table.ts';
import { serializeRequest } from './http/request-log.ts';
import { accountsRoutes } from './routes/accounts-routes.ts';
import { deliveryRoutes } from './routes/delivery-routes.ts';
import { operationsRoutes } from './routes/operations-routes.ts';
import { registerUploadParsing } from './publish/upload-parsing.ts';
import { publishRoutes } from './routes/publish-routes.ts';
import { trustRoutes } from './routes/trust-routes.ts';
import type { Services } from './services.ts';
import { registerWebPages } from './web/web-pages.ts';

/** Every route group; each returns handlers keyed by the contract's operationIds. */
const routeGroups: ((services: Services) => OperationHandlers)[] = [
  operationsRoutes,
  accountsRoutes,
  publishRoutes,
  deliveryRoutes,
  trustRoutes,
];

export interface BuildOptions {
  /** Where the request log goes instead of stdout (tests read it back). */
  logStream?: { write(line: string): unknown };
}

/**
 * [API-020] An answer to a request that needed a credential depends on it, unless the route marked
 * it public (the catalog): it is never stored by a shared cache (no-store when the route set no
 * Cache-Control) and varies on Authorization. One rule here, so no route can forget it.
 */
function credentialBoundCaching(request: FastifyRequest, reply: FastifyReply): void {
  const security = request.operation?.security ?? [];
  if (security.length === 0 || security.some((alt) => Object.keys(alt).length === 0)) return;
  const cacheControl = reply.getHeader('cache-control');
  if (typeof cacheControl === 'string' && cacheControl.startsWith('public')) return;
  if (cacheControl === undefined) reply.header('cache-control', 'no-store');
  const vary = reply.getHeader('vary');
  const current = typeof vary === 'string' ? vary : '';
  if (!/(^|,)\s*authorization\s*(,|$)/i.test(current))
    reply.header('vary', current === '' ? 'Authorization' : `${current}, Authorization`);
}

/** Builds the HTTP server on the given services; main.ts listens, tests use inject(). */
export async function buildServer(
  services: Services,
  options: BuildOptions = {},
): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            ...(options.logStream ? { stream: options.logStream } : {}),
            // [API-176] no credential reaches the log: query values are dropped, headers never logged.
            serializers: { req: serializeRequest },
          },
    bodyLimit: 1024 * 1024,
    // An app id may have 255 characters [MAN-008]; Fastify's default of 100 turned longer ones into 404s.
    routerOptions: { maxParamLength: 512 },
    // [API-177] Node checks these once a second: a request whose headers or body have not arrived in
    // time is answered 408 and its connection closed, so slow senders cannot hold connections.
    serverFactory: (handler) =>
      createServer(
        {
          requestTimeout: config.requestTimeoutMs,
          headersTimeout: Math.min(60_000, config.requestTimeoutMs),
          connectionsCheckingInterval: Math.min(1000, config.requestTimeoutMs),
        },
        handler,
      ),
    // Request ids for problem documents' `instance` and for logs.
    genReqId: () => crypto.randomUUID(),
    ajv: undefined,
    return503OnClosing: false,
    // Router-level failures (bad percent-encoding, over-long parameters) become problems too [API-009].
    frameworkErrors: handleError,
  });
  // Ajv 2020 is the authority for the contract [API-015]; URL parts are coerced, bodies are not.
  // A failing rule's code comes from the schema's x-error-code (http/problem.ts).
  const bodyAjv = createContractValidator();
  const partAjv = createContractValidator({ coerceTypes: true });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : partAjv).compile(schema),
  );
  app.setErrorHandler(handleError);
  registerUploadParsing(app);
  const routes = new RouteTable();
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = routes.methodsFor(path);
    // [API-178] a known path with an undeclared method is 405 and names the methods it has; a URL
    // that only looks like a declared path for this very method (a parameter that did not route) is 404.
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      return sendProblem(
        reply,
        problemDocument(
          'API_METHOD_NOT_ALLOWED',
          405,
          `${path} accepts ${allowed.join(', ')}, not ${request.method}`,
          undefined,
          `urn:request:${request.id}`,
        ),
        { allow: allowed.join(', ') },
      );
    }
    return sendProblem(
      reply,
      problemDocument(
        'API_NOT_FOUND',
        404,
        `no operation at ${request.method} ${path}`,
        undefined,
        `urn:request:${request.id}`,
      ),
    );
  });

  const requests = new Counter({
    name: 'miniapp_http_requests_total',
    help: 'HTTP requests by operation and status.',
    labelNames: ['operation', 'status'],
    registers: [services.metrics],
  });
  const latency = new Histogram({
    name: 'miniapp_http_request_duration_seconds',
    help: 'HTTP request latency by operation.',
    labelNames: ['operation'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [services.metrics],
  });
  // [API-175] no response is ever sniffed into another type (a bundle into HTML, an icon into script).
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    credentialBoundCaching(request, reply);
  });
  app.addHook('onResponse', async (request, reply) => {
    const operation = request.operation?.operationId ?? 'unmatched';
    requests.inc({ operation, status: String(reply.statusCode) });
    latency.observe({ operation }, reply.elapsedTime / 1000);
  });

  const handlers: OperationHandlers = Object.assign(
    {},
    ...routeGroups.map((group) => group(services)),
  );
  registerContractRoutes(app, services.db, services.credentials, handlers, routes);
  registerWebPages(app);
  return app;
}
