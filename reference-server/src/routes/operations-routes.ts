import type { OperationHandlers } from '../http/contract-routes.ts';
import { ApiProblem } from '../http/problem.ts';
import type { Services } from '../services.ts';

/** Health, readiness and Prometheus metrics [API-086] [API-087] [API-088]. */
export function operationsRoutes(services: Services): OperationHandlers {
  return {
    getHealth: async (_request, reply) =>
      reply.header('cache-control', 'no-store').send({ status: 'ok' }),
    getReadiness: async (_request, reply) => {
      if (services.shuttingDown.value) {
        throw new ApiProblem('API_UNAVAILABLE', 'the server is shutting down', {
          headers: { 'cache-control': 'no-store' },
        });
      }
      if (!(await services.db.ping().catch(() => false))) {
        throw new ApiProblem('API_UNAVAILABLE', 'the database does not answer', {
          headers: { 'cache-control': 'no-store' },
        });
      }
      // [API-157] bundles in object storage are storage too.
      if (!(await services.bundles.ping().catch(() => false))) {
        throw new ApiProblem('API_UNAVAILABLE', 'the bundle store does not answer', {
          headers: { 'cache-control': 'no-store' },
        });
      }
      return reply.header('cache-control', 'no-store').send({ status: 'ok' });
    },
    getMetrics: async (_request, reply) =>
      reply
        // [API-017] the contract prescribes no-store: metrics are private and always current.
        .header('cache-control', 'no-store')
        .header('content-type', services.metrics.contentType)
        .send(await services.metrics.metrics()),
  };
}
