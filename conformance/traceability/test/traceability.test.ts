import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  mustsOf,
  readUntestable,
  requirementIndex,
  type CaseMetadata,
  type SuiteCatalog,
} from '../../framework/index.ts';
import { suites } from '../../suite-registry.ts';
import { coverageLine, traceability } from '../traceability.ts';

const index = requirementIndex();
const packageMusts = mustsOf(index, 'package').map((r) => r.id);

function caseFor(id: string, n: number): CaseMetadata {
  return {
    id: `package.sample.case-${n}`,
    description: `Sample case number ${n} of the traceability tests`,
    requirements: [id],
    level: 'MUST',
    class: 'package',
    lane: 'certify',
    why: 'Covers one requirement for the traceability tests.',
  };
}

/** A package catalog covering every package MUST except those left out. */
function packageCatalog(...leftOut: string[]): SuiteCatalog {
  return {
    class: 'package',
    cases: packageMusts.filter((id) => !leftOut.includes(id)).map(caseFor),
  };
}

describe('traceability', () => {
  it('passes when every MUST of a registered class has a case', () => {
    const result = traceability(index, [packageCatalog()], []);
    assert.deepEqual(result.problems, []);
    assert.equal(result.coverage.find((c) => c.class === 'package')?.percent, 100);
  });

  it('fails for a MUST of a registered class with neither a case nor an untestable entry', () => {
    const result = traceability(index, [packageCatalog('MAN-003')], []);
    assert.equal(result.problems.length, 1);
    assert.match(
      result.problems[0] ?? '',
      /^MAN-003 is a package MUST without a certify-lane case/,
    );
  });

  it('accepts a MUST recorded as untestable with a reason, and counts it apart', () => {
    const result = traceability(
      index,
      [packageCatalog('PKG-090')],
      [{ id: 'PKG-090', classes: ['package'], reason: 'a package carries no digest to compare' }],
    );
    assert.deepEqual(result.problems, []);
    const pkg = result.coverage.find((c) => c.class === 'package');
    assert.equal(pkg?.untestable, 1);
    assert.equal(pkg?.covered, packageMusts.length - 1);
  });

  it('does not count a staging-lane case as coverage', () => {
    const catalog = packageCatalog('MAN-003');
    const staging = { ...caseFor('MAN-003', 999), lane: 'staging' as const };
    const result = traceability(index, [{ ...catalog, cases: [...catalog.cases, staging] }], []);
    assert.match(result.problems.join('\n'), /MAN-003 is a package MUST/);
  });

  it('does not enforce a class whose suite is not registered, but reports its coverage', () => {
    const result = traceability(index, [packageCatalog()], []);
    const server = result.coverage.find((c) => c.class === 'server');
    assert.equal(server?.suite, false);
    assert.ok((server?.uncovered.length ?? 0) > 0);
    assert.deepEqual(result.problems, []);
    assert.match(coverageLine(server as never), /not enforced/);
  });

  it('fails when a case cites an id that does not exist', () => {
    const catalog = packageCatalog();
    const bad = { ...caseFor(`PKG-${'998'}`, 1000) };
    const result = traceability(index, [{ ...catalog, cases: [...catalog.cases, bad] }], []);
    assert.match(result.problems.join('\n'), /cites PKG-\d+, which no spec document defines/);
  });

  it('fails for an untestable entry that a case already certifies, names nothing, or is not a MUST', () => {
    const result = traceability(
      index,
      [packageCatalog()],
      [
        { id: 'MAN-001', classes: ['package'], reason: 'claimed untestable but a case covers it' },
        { id: `MAN-${'997'}`, reason: 'an id that no document defines at all' },
        { id: 'PKG-012', reason: 'a SHOULD needs no reason to be untested' },
        { id: 'MAN-002', classes: ['server'], reason: 'MAN-002 does not bind the server class' },
      ],
    );
    const text = result.problems.join('\n');
    assert.match(text, /untestable MAN-001: case package\.sample\.case-\d+ certifies it/);
    assert.match(text, /untestable MAN-\d+: no spec document defines it/);
    assert.match(text, /untestable PKG-012: only MUSTs need a reason/);
    assert.match(text, /untestable MAN-002: it does not bind server/);
  });

  it('holds for the suites registered in this repository', () => {
    const result = traceability(
      index,
      suites.map((s) => ({ class: s.class, cases: s.cases })),
      readUntestable(),
    );
    assert.deepEqual(result.problems, []);
  });
});
