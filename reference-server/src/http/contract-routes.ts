import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { distributionContract, type ContractOperation } from '#schemas';
import type { operations } from '#schemas/generated/distribution/openapi.ts';
import type { Database } from '../store/database.ts';
import { authenticate, type Principal } from './authentication.ts';
import type { CredentialCache } from './credential-cache.ts';
import { refuseNul } from './nul-guard.ts';
import { RouteTable } from './route-table.ts';

export type OperationId = keyof operations;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    operation: ContractOperation;
  }
}

export type OperationHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
export type OperationHandlers = Partial<Record<OperationId, OperationHandler>>;

/** /v1/apps/{appId}/update -> /v1/apps/:appId/update; `{digest}.ma` keeps its literal suffix. */
export function fastifyPath(template: string): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

function parameterSchema(
  operation: ContractOperation,
  location: 'path' | 'query' | 'header',
): Record<string, unknown> | undefined {
  const params = operation.parameters.filter((p) => p.in === location);
  if (params.length === 0) return undefined;
  return {
    type: 'object',
    properties: Object.fromEntries(
      params.map((p) => [location === 'header' ? p.name.toLowerCase() : p.name, p.schema]),
    ),
    required: params
      .filter((p) => p.required)
      .map((p) => (location === 'header' ? p.name.toLowerCase() : p.name)),
    // Unknown query members are refused so typos fail loudly; headers always carry more.
    ...(location === 'query' ? { additionalProperties: false } : {}),
  };
}

/**
 * Registers one Fastify route per operation (and records its method in `table`) of schemas/distribution/openapi.yaml that has a handler.
 * Paths, parameters, bodies and security come from the contract, so the server cannot drift from it.
 */
export function registerContractRoutes(
  app: FastifyInstance,
  db: Database,
  credentials: CredentialCache,
  handlers: OperationHandlers,
  table: RouteTable = new RouteTable(),
): string[] {
  const registered: string[] = [];
  for (const operation of distributionContract().operations) {
    const handler = handlers[operation.operationId as OperationId];
    if (!handler) continue;
    const body = operation.requestBody?.content['application/json'];
    const schema = {
      ...(parameterSchema(operation, 'path') ? { params: parameterSchema(operation, 'path') } : {}),
      ...(parameterSchema(operation, 'query')
        ? { querystring: parameterSchema(operation, 'query') }
        : {}),
      ...(parameterSchema(operation, 'header')
        ? { headers: parameterSchema(operation, 'header') }
        : {}),
      ...(body ? { body } : {}),
    };
    app.route({
      method: operation.method,
      url: fastifyPath(operation.path),
      schema,
      // HEAD routes are registered explicitly where the contract lists them.
      ...(operation.method === 'GET' ? { exposeHeadRoute: false } : {}),
      // Authentication runs before validation, so an anonymous caller learns nothing about the body rules.
      onRequest: async (request) => {
        request.operation = operation;
        request.principal = await authenticate(db, credentials, request, operation);
      },
      // After validation, before any handler can store a string PostgreSQL refuses [API-174].
      preHandler: async (request) => refuseNul(request),
      handler: (request, reply) => handler(request, reply),
    });
    registered.push(operation.operationId);
    table.add(operation.path, operation.method);
  }
  return registered;
}
