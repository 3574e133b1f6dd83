import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkCatalog, requirementIndex, type CaseMetadata } from '../index.ts';
import { sampleSuite } from './sample-suite.ts';

const index = requirementIndex();

const base: CaseMetadata = {
  id: 'package.manifest.present',
  description: 'A package holds manifest.json at its root',
  requirements: ['MAN-001'],
  level: 'MUST',
  class: 'package',
  lane: 'certify',
  why: 'Without a manifest nothing else can be read.',
};

const problems = (...cases: CaseMetadata[]) => checkCatalog(cases, index).map((p) => p.message);

describe('case catalog', () => {
  it('accepts the sample suite', () => {
    assert.deepEqual(checkCatalog(sampleSuite.cases, index), []);
  });

  it('rejects a description used twice, whatever its case', () => {
    const found = problems(base, {
      ...base,
      id: 'package.manifest.present-again',
      description: 'a package holds MANIFEST.json at its root',
    });
    assert.equal(found.length, 1);
    assert.match(found[0] ?? '', /repeats the description of package\.manifest\.present/);
  });

  it('rejects a case id used twice', () => {
    assert.ok(
      problems(base, { ...base, description: 'another sentence of ten' }).some((m) =>
        /used by 2 cases/.test(m),
      ),
    );
  });

  it('rejects a citation of a requirement that no spec document defines', () => {
    assert.match(
      problems({ ...base, requirements: [`MAN-${'999'}`] })[0] ?? '',
      /no spec document defines/,
    );
  });

  it('rejects a citation of a withdrawn requirement', () => {
    assert.match(problems({ ...base, requirements: ['PKG-006'] })[0] ?? '', /withdrawn/);
  });

  it('rejects a requirement that does not bind the case class', () => {
    assert.match(problems({ ...base, requirements: ['API-001'] }).join('\n'), /not package/);
  });

  it('rejects a level that differs from the requirement level', () => {
    assert.match(
      problems({ ...base, requirements: ['PKG-012'] })[0] ?? '',
      /MUST case but cites PKG-012, a SHOULD/,
    );
  });

  it('validates the metadata against case.schema.json', () => {
    const found = problems({ ...base, id: 'Package Manifest', lane: 'later' as never, why: '' });
    assert.ok(found.some((m) => m.startsWith('metadata /id')));
    assert.ok(found.some((m) => m.startsWith('metadata /lane')));
    assert.ok(found.some((m) => m.startsWith('metadata /why')));
  });

  it('rejects a case whose id does not start with its class', () => {
    assert.ok(
      problems({ ...base, id: 'server.manifest.present' }).some((m) =>
        /must start with its class/.test(m),
      ),
    );
  });
});
