import { CaseFailure } from '../../framework/index.ts';
import { serverCase } from '../server-case.ts';
import { CaseSkip } from '../subject/case-skip.ts';

export const prismCases = [
  serverCase({
    id: 'server.prism.second-opinion',
    description:
      'Stoplight Prism, proxying the JSON operations of the run, reports no response outside the OpenAPI document',
    requirements: ['API-009', 'API-017'],
    lane: 'staging',
    why: "A second validator written by other people (draft-07, Prism) catches what a bug in the suite's own contract reading would miss; it never decides the verdict.",
    timeoutMs: 5_000,
    async run(t) {
      const prism = t.subject.driver.prism;
      if (!prism) throw new CaseSkip('run with --prism for this opinion');
      t.note(`${prism.exchanges} exchanges went through prism proxy`);
      if (prism.violations.length > 0) {
        const lines = prism.violations
          .slice(0, 30)
          .map((v) => `${v.operationId} ${v.target} -> ${v.status}: ${v.location} ${v.message}`);
        throw new CaseFailure(
          `prism reports ${prism.violations.length} response violation(s): ${lines[0]}`,
          lines,
        );
      }
    },
  }),
];
