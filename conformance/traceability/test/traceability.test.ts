import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  bindsSuite,
  mustsOf,
  repositoryRoot,
  requirementIndex,
  type CaseMetadata,
  type ConformanceClass,
  type SuiteCatalog,
} from '../../framework/index.ts';
import { suites } from '../../suite-registry.ts';
import { citationsIn, harnessCitations, type HarnessTest } from '../harness-citations.ts';
import { coverageLine, traceability } from '../traceability.ts';

const index = requirementIndex();
const noTests = new Map<string, HarnessTest[]>();

function caseFor(cls: ConformanceClass, id: string, n: number): CaseMetadata {
  return {
    id: `${cls}.sample.case-${n}`,
    description: `Sample ${cls} case number ${n} of the traceability tests`,
    requirements: [id],
    level: 'MUST',
    class: cls,
    lane: 'certify',
    why: 'Covers one requirement for the traceability tests.',
  };
}

/** A catalog covering every MUST of a class that needs a case, except those left out. */
function catalog(cls: ConformanceClass, ...leftOut: string[]): SuiteCatalog {
  return {
    class: cls,
    cases: mustsOf(index, cls)
      .filter((r) => r.notCertifiable === null && !bindsSuite(r) && !leftOut.includes(r.id))
      .map((r, n) => caseFor(cls, r.id, n)),
  };
}

/** Harness tests citing every line that binds the suite, except those left out. */
function harness(...leftOut: string[]): Map<string, HarnessTest[]> {
  return new Map(
    mustsOf(index, 'toolkit')
      .filter((r) => bindsSuite(r) && !leftOut.includes(r.id))
      .map((r) => [r.id, [{ file: 'x.test.ts', title: `proves [${r.id}]` }]]),
  );
}

describe('traceability', () => {
  it('passes when every MUST of a registered class has a case or a row of the table', () => {
    const result = traceability(index, [catalog('package')], noTests);
    assert.deepEqual(result.problems, []);
    assert.equal(result.coverage.find((c) => c.class === 'package')?.percent, 100);
  });

  it('fails for a MUST of a registered class with neither a case nor a row of the table', () => {
    const result = traceability(index, [catalog('package', 'MAN-003')], noTests);
    assert.equal(result.problems.length, 1);
    assert.match(
      result.problems[0] ?? '',
      /^MAN-003 is a package MUST without a certify-lane case and without a row in spec\/conformance\.md's table/,
    );
  });

  it('reads the table of spec/conformance.md (requirements.json notCertifiable) and counts its rows apart', () => {
    const listed = mustsOf(index, 'host').filter((r) => r.notCertifiable !== null);
    assert.ok(listed.some((r) => r.id === 'PKG-101'));
    const result = traceability(index, [catalog('host')], noTests);
    assert.deepEqual(result.problems, []);
    const host = result.coverage.find((c) => c.class === 'host');
    assert.equal(host?.notCertifiable, listed.length);
    assert.equal(host?.covered, mustsOf(index, 'host').length - listed.length);
  });

  it('fails when a case certifies a MUST that the table lists as not certifiable', () => {
    const base = catalog('host');
    const extra = caseFor('host', 'PKG-101', 900);
    const result = traceability(index, [{ ...base, cases: [...base.cases, extra] }], noTests);
    assert.match(
      result.problems.join('\n'),
      /PKG-101 is listed in spec\/conformance\.md's table .* but case host\.sample\.case-900 certifies it for host/,
    );
  });

  it('does not count a staging-lane case as coverage', () => {
    const base = catalog('package', 'MAN-003');
    const staging = { ...caseFor('package', 'MAN-003', 999), lane: 'staging' as const };
    const result = traceability(index, [{ ...base, cases: [...base.cases, staging] }], noTests);
    assert.match(result.problems.join('\n'), /MAN-003 is a package MUST/);
  });

  it('does not enforce a class whose suite is not registered, but reports its coverage', () => {
    const result = traceability(index, [catalog('package')], noTests);
    const server = result.coverage.find((c) => c.class === 'server');
    assert.equal(server?.suite, false);
    assert.ok((server?.uncovered.length ?? 0) > 0);
    assert.deepEqual(result.problems, []);
    assert.match(coverageLine(server as never), /not enforced/);
  });

  it('fails when a case cites an id that does not exist', () => {
    const base = catalog('package');
    const bad = caseFor('package', `PKG-${'998'}`, 1000);
    const result = traceability(index, [{ ...base, cases: [...base.cases, bad] }], noTests);
    assert.match(result.problems.join('\n'), /cites PKG-\d+, which no spec document defines/);
  });

  it('requires, for the toolkit class, a harness test citing each line that binds miniapp-certify', () => {
    const passing = traceability(index, [catalog('toolkit')], harness());
    assert.deepEqual(passing.problems, []);
    const toolkit = passing.coverage.find((c) => c.class === 'toolkit');
    assert.equal(toolkit?.bindsSuite, mustsOf(index, 'toolkit').filter(bindsSuite).length);
    const missing = traceability(index, [catalog('toolkit')], harness('CNF-051'));
    assert.deepEqual(missing.problems, [
      'CNF-051 binds miniapp-certify itself (spec/conformance.md, "Expectations and staging") but no harness test under conformance/ cites [CNF-051] in its title',
    ]);
  });

  it('counts no harness test for a toolkit MUST outside spec/conformance.md: those need a case', () => {
    const result = traceability(
      index,
      [catalog('toolkit', 'PKG-070')],
      new Map([...harness(), ['PKG-070', [{ file: 'x.test.ts', title: 'packs [PKG-070]' }]]]),
    );
    assert.match(
      result.problems.join('\n'),
      /^PKG-070 is a toolkit MUST without a certify-lane case/m,
    );
  });

  it("enforces the lines of the server and host parts of miniapp-certify once that class's suite is registered", () => {
    const alone = traceability(index, [catalog('toolkit')], harness('CNF-012', 'CNF-040'));
    assert.deepEqual(alone.problems, []);
    const withServer = traceability(
      index,
      [catalog('toolkit'), catalog('server')],
      harness('CNF-012', 'CNF-040'),
    );
    assert.deepEqual(
      withServer.problems.filter((p) => p.startsWith('CNF-')),
      [
        'CNF-012 binds miniapp-certify itself (spec/conformance.md, "Server adapter") but no harness test under conformance/ cites [CNF-012] in its title',
      ],
    );
  });

  it('reads requirement ids from test and describe titles only', () => {
    const found = citationsIn(
      [
        "it('refuses a stale file [CNF-050]', () => {});",
        'describe(`reports [CNF-060] [CNF-061]`, () => {});',
        '// a comment naming [CNF-001] is not a test',
        "const title = 'not a test either [CNF-002]';",
        'it("escaped \\" quote [CNF-063]", () => {});',
      ].join('\n'),
    );
    assert.deepEqual([...found.keys()].sort(), ['CNF-050', 'CNF-060', 'CNF-061', 'CNF-063']);
  });

  it('holds for the suites registered in this repository and their harness tests', () => {
    const result = traceability(
      index,
      suites.map((s) => ({ class: s.class, cases: s.cases })),
      harnessCitations(path.join(repositoryRoot, 'conformance')),
    );
    assert.deepEqual(result.problems, []);
  });
});
