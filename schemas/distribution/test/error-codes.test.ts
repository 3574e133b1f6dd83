import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { errorCodes, type ErrorCode } from '#schemas';
import { parseSpec } from '../../../scripts/spec-document.ts';
import { collectExamples, isNode, loadOpenApi, repoRoot } from './openapi-document.ts';

const doc = loadOpenApi();
const examples = collectExamples(doc);

function isRegistered(code: string): code is ErrorCode {
  return Object.hasOwn(errorCodes, code);
}

/** Every `code` member anywhere inside a value, with the object that holds it. */
function codesIn(value: unknown, found: { code: string; holder: Record<string, unknown> }[] = []) {
  if (Array.isArray(value)) value.forEach((v) => codesIn(v, found));
  else if (isNode(value)) {
    if (typeof value.code === 'string') found.push({ code: value.code, holder: value });
    Object.values(value).forEach((v) => codesIn(v, found));
  }
  return found;
}

/** The HTTP status of the response an example belongs to, read from its pointer. */
function statusOf(pointer: string): number | null {
  const match = /\/responses\/(\d{3})\//.exec(pointer);
  return match ? Number(match[1]) : null;
}

describe('error codes used by the distribution API', () => {
  const used = examples.flatMap((e) => codesIn(e.value).map((c) => ({ ...c, pointer: e.pointer })));

  it('are used by the examples', () => {
    assert.ok(used.length >= 10);
  });

  for (const { code, pointer } of used) {
    it(`${code} at ${pointer} is in the closed registry [ERR-002]`, () => {
      assert.ok(isRegistered(code), `${code} is not in schemas/errors/codes/*.json`);
    });
  }

  it('appear in problem examples whose type names the code and whose status matches the registry [API-010] [API-011]', () => {
    const problems = used.filter(
      ({ holder }) => typeof holder.type === 'string' && typeof holder.status === 'number',
    );
    assert.ok(problems.length >= 10);
    for (const { code, holder, pointer } of problems) {
      assert.equal(holder.type, `https://openminiapp.dev/errors/${code}`, pointer);
      const status = statusOf(pointer);
      if (status !== null) assert.equal(holder.status, status, pointer);
      if (isRegistered(code) && errorCodes[code].httpStatus !== null) {
        assert.equal(
          holder.status,
          errorCodes[code].httpStatus,
          `${pointer}: registry says ${errorCodes[code].httpStatus}`,
        );
      }
    }
  });

  it('cite requirement ids that a spec document defines', async () => {
    const { requirements } = await parseSpec(path.join(repoRoot, 'spec'));
    const defined = new Set(requirements.map((r) => r.id));
    const cited = used
      .map((u) => u.holder.requirement)
      .filter((r): r is string => typeof r === 'string');
    assert.ok(cited.length > 0);
    for (const id of cited) assert.ok(defined.has(id), `${id} is not defined`);
  });

  it('include every code that spec/distribution.md, review.md and analytics.md name', () => {
    for (const file of ['distribution.md', 'review.md', 'analytics.md']) {
      const text = readFileSync(path.join(repoRoot, 'spec', file), 'utf8');
      for (const [, code = ''] of text.matchAll(/`((?:API|REVIEW|ANALYTICS)_[A-Z0-9_]+)`/g)) {
        assert.ok(isRegistered(code), `${file} names ${code}, which is not registered`);
      }
    }
  });

  it('are each named by the requirement they cite', async () => {
    const { requirements } = await parseSpec(path.join(repoRoot, 'spec'));
    const byId = new Map(requirements.map((r) => [r.id, r]));
    for (const [code, entry] of Object.entries(errorCodes)) {
      if (!['distribution', 'review', 'analytics'].includes(entry.area)) continue;
      const requirement = byId.get(entry.requirement);
      assert.ok(requirement, `${code} cites ${entry.requirement}, which is not defined`);
      assert.ok(
        requirement.text.includes(`\`${code}\``),
        `${entry.requirement} does not name ${code}`,
      );
    }
  });
});
