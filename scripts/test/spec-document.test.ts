import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  checkSpecDocuments,
  documentPrefixes,
  notCertifiableHeading,
  parseSpec,
  type SpecDocument,
} from '../spec-document.ts';

/**
 * Made-up ids of bridge.md (900 and up). They are built at run time, so that the repository's
 * citation check, which reads this file too, does not take them for citations of real requirements.
 */
const id = (n: number): string => ['BRG', String(n)].join('-');
const line = (n: number, rest: string): string => `- **[${id(n)}]** ${rest}`;
const row = (n: number, reason: string): string => `| [${id(n)}] | ${reason} |`;
const reason = 'The suite cannot read the host disk.';

/** A conformance.md whose not-certifiable table lists the given rows. */
function listing(rows: string[]): SpecDocument {
  return {
    file: 'conformance.md',
    text: [
      '# Conformance',
      '',
      `## ${notCertifiableHeading}`,
      '',
      '| Id | Reason |',
      '| --- | --- |',
      ...rows,
      '',
    ].join('\n'),
  };
}

function problemsOf(lines: string[], extra: SpecDocument[] = []): string[] {
  const documents = [{ file: 'bridge.md', text: `# Bridge\n\n${lines.join('\n')}\n` }, ...extra];
  return checkSpecDocuments(documents).problems.map((p) => p.message);
}

function assertProblem(problems: string[], expected: string): void {
  assert.ok(
    problems.some((p) => p.includes(expected)),
    `expected "${expected}" among: ${problems.join('; ')}`,
  );
}

describe('the requirement notation check', () => {
  it('accepts MUSTs whose observations see each class they bind, and SHOULDs without observations', () => {
    assert.deepEqual(
      problemsOf([
        line(900, '`host` `@frame` A host MUST answer.'),
        line(901, '`server`, `host` `@http` `@adapter` A reader MUST refuse it.'),
        line(902, '`toolkit` `@toolkit` The packer MUST refuse it.'),
        line(903, '`host` A host SHOULD answer.'),
      ]),
      [],
    );
  });

  it('refuses a MUST without an observation', () => {
    assertProblem(
      problemsOf([line(900, '`host` A host MUST answer.')]),
      `${id(900)} is a MUST without an observation`,
    );
  });

  it('refuses @adapter, @frame and @screen on a line without the host class', () => {
    for (const o of ['adapter', 'frame', 'screen']) {
      assertProblem(
        problemsOf([line(900, `\`server\` \`@http\` \`@${o}\` It MUST hold.`)]),
        `@${o} observes only \`host\``,
      );
    }
  });

  it('refuses @http without server, @package without package and @toolkit without toolkit', () => {
    const cases: [string, string][] = [
      ['`host` `@adapter` `@http`', '@http observes only `server`'],
      ['`host` `@adapter` `@package`', '@package observes only `package`'],
      ['`package` `@package` `@toolkit`', '@toolkit observes only `toolkit`'],
    ];
    for (const [tags, expected] of cases) {
      assertProblem(problemsOf([line(900, `${tags} It MUST hold.`)]), expected);
    }
  });

  it('refuses @measure on a line that binds neither a server nor a host', () => {
    assertProblem(
      problemsOf([line(900, '`package` `@package` `@measure` It MUST hold.')]),
      '@measure observes only',
    );
  });

  it('refuses a line whose observations leave one of its classes unseen', () => {
    assertProblem(
      problemsOf([line(900, '`server`, `host` `@http` A reader MUST refuse it.')]),
      'binds `host` but no observation',
    );
  });

  it('refuses an observation on a SHOULD line, and an unknown observation', () => {
    assertProblem(
      problemsOf([line(900, '`host` `@frame` A host SHOULD answer.')]),
      'only MUST lines name observations',
    );
    assertProblem(
      problemsOf([line(900, '`host` `@wire` A host MUST answer.')]),
      'unknown observation "@wire"',
    );
  });

  it('knows the toolkit class and no invented one', () => {
    assert.deepEqual(problemsOf([line(900, '`toolkit` `@toolkit` It MUST hold.')]), []);
    assertProblem(
      problemsOf([line(900, '`cli` `@toolkit` It MUST hold.')]),
      'unknown conformance class "cli"',
    );
  });

  it('lets the conformance table exempt a MUST from observations and records the reason', () => {
    const { problems, requirements } = checkSpecDocuments([
      { file: 'bridge.md', text: `${line(900, '`host` A host MUST keep it secret.')}\n` },
      listing([row(900, reason)]),
    ]);
    assert.deepEqual(problems, []);
    const requirement = requirements.find((r) => r.id === id(900));
    assert.equal(requirement?.notCertifiable, reason);
    assert.deepEqual(requirement?.observed, []);
  });

  it('refuses a listed MUST that still names an observation', () => {
    assertProblem(
      problemsOf(
        [line(900, '`host` `@frame` A host MUST keep it secret.')],
        [listing([row(900, reason)])],
      ),
      'as not certifiable, so it names no observation',
    );
  });

  it('refuses listing an id twice, a SHOULD, an unknown id, a malformed row, or a row without a reason', () => {
    const problems = problemsOf(
      [line(900, '`host` A host MUST keep it.'), line(901, '`host` A host SHOULD keep it.')],
      [
        listing([
          row(900, reason),
          row(900, reason),
          row(901, reason),
          row(999, reason),
          `| ${id(900)} | no brackets around the id |`,
        ]),
      ],
    );
    assertProblem(problems, `${id(900)} is listed twice`);
    assertProblem(problems, `${id(901)} is listed as not certifiable but is not a MUST`);
    assertProblem(problems, `${id(999)} is listed as not certifiable but is not defined`);
    assertProblem(problems, 'must read "| [ABC-012] | reason |"');
    assertProblem(
      problemsOf([line(900, '`host` A host MUST keep it.')], [listing([row(900, 'n/a')])]),
      'give the reason',
    );
  });

  it('registers conformance.md under the prefix CNF', () => {
    assert.equal(documentPrefixes['conformance.md'], 'CNF');
    const { problems } = checkSpecDocuments([
      { file: 'conformance.md', text: `${line(900, '`host` `@adapter` A host MUST answer.')}\n` },
    ]);
    assertProblem(
      problems.map((p) => p.message),
      'whose prefix is CNF',
    );
  });
});

describe('the specification of this repository', () => {
  it('passes the notation check, with an observation or a listed reason for every MUST', async () => {
    const { problems, requirements } = await parseSpec(
      path.join(import.meta.dirname, '..', '..', 'spec'),
    );
    assert.deepEqual(problems, []);
    const musts = requirements.filter((r) => r.level === 'MUST');
    assert.ok(musts.length > 300);
    for (const r of musts) assert.ok(r.observed.length > 0 || r.notCertifiable !== null, r.id);
  });
});
