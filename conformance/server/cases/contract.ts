import { CaseFailure } from '../../framework/index.ts';
import type { ContractOperation } from '../contract/openapi-contract.ts';
import { loadContract } from '../contract/openapi-contract.ts';
import { serverCase } from '../server-case.ts';
import { describeExchange } from '../subject/http-exchange.ts';
import { allowedKinds, requestFor } from '../subject/route-targets.ts';
import { credentials, targets } from './authorization.ts';

function kebab(operationId: string): string {
  return operationId.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * One case per operation of the OpenAPI document: every response of that operation that any case of
 * the run received must be declared by the contract (status, required headers, media type, body valid
 * under Ajv 2020). When the run has not reached the operation, the case sends one request itself.
 */
function contractCase(op: ContractOperation) {
  return serverCase({
    id: `server.contract.${kebab(op.operationId)}`,
    description: `Every response of ${op.method} ${op.template} in the run has a status, headers, media type and body that the OpenAPI document declares for ${op.operationId}`,
    requirements: ['API-009', 'API-017'],
    why: 'The OpenAPI document is the contract clients are generated from; a response outside it breaks them however right its content is.',
    async run(t) {
      let exchanges = t.subject.ledger.forOperation(op.operationId);
      if (exchanges.length === 0) {
        const objects = await targets(t);
        const creds = await credentials(t);
        const kind = [...allowedKinds(op)][0];
        const token = kind ? creds[kind] : undefined;
        await t.send({ ...requestFor(op, objects), ...(token ? { token } : {}) });
        exchanges = t.subject.ledger.forOperation(op.operationId);
      }
      const statuses = [...new Set(exchanges.map((e) => e.status))].sort();
      t.note(
        `${exchanges.length} response(s) of ${op.operationId} judged, statuses ${statuses.join(', ')}`,
      );
      const broken = exchanges.flatMap((e) =>
        e.findings
          .filter((f) => f.rule === 'contract')
          .map(
            (f) => `${f.message} — ${describeExchange(e)}${e.caseId ? ` (in ${e.caseId})` : ''}`,
          ),
      );
      if (broken.length > 0)
        throw new CaseFailure(
          `${broken.length} response(s) outside the contract: ${broken[0]}`,
          broken.slice(0, 20),
        );
    },
  });
}

export const contractCases = loadContract().operations.map(contractCase);
