import { bodyOf, serverCase } from '../server-case.ts';

export const operationsCases = [
  serverCase({
    id: 'server.operations.healthz',
    description:
      'GET /healthz answers 200 with status ok, uncached, to a request without credentials',
    requirements: ['API-087'],
    why: 'Liveness probes carry no credential; a health route that needs one, or that fails, takes a serving process out of rotation.',
    async run(t) {
      const body = bodyOf<{ status?: unknown }>(await t.send({ path: '/healthz' }));
      if (body.status !== 'ok') throw new Error(`status is ${JSON.stringify(body.status)}`);
    },
  }),
  serverCase({
    id: 'server.operations.readyz',
    description: 'GET /readyz answers 200 with status ok while the server serves requests',
    requirements: ['API-088'],
    why: 'A server that is serving the suite has its storage and signing service; readiness must say so, or load balancers drop it.',
    async run(t) {
      const body = bodyOf<{ status?: unknown }>(await t.send({ path: '/readyz' }));
      if (body.status !== 'ok') throw new Error(`status is ${JSON.stringify(body.status)}`);
    },
  }),
];
