import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validatorFor } from '#schemas';
import { repositoryRoot, runSuite, verdictOf, type RunResult } from '../../framework/index.ts';
import { descendants, parseXml } from '../../framework/test/xml-document.ts';
import { writeBuilt } from '../../broken/package/package-corpus.ts';
import { packageRecipes } from '../../broken/package/package-recipes.ts';
import { main } from '../../cli/main.ts';
import { packageSuite } from '../package-suite.ts';
import { openPackage } from '../package-subject.ts';

const examples = ['shop', 'places', 'notes'];
let folder = '';

const staticCases = {
  ...packageSuite,
  cases: packageSuite.cases.filter((c) => !c.id.startsWith('package.bridge.')),
};

async function certify(target: string, runtime: boolean): Promise<RunResult> {
  return runSuite({
    suite: runtime ? packageSuite : staticCases,
    subject: openPackage(target),
    selection: { lanes: ['certify', 'staging'], only: [] },
  });
}

const mustFailures = (run: RunResult) =>
  run.cases
    .filter((c) => c.status === 'fail' && c.metadata.level === 'MUST')
    .map((c) => `${c.metadata.id}: ${c.reason ?? ''}`);

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

describe('package suite on the examples', () => {
  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'certify-examples-'));
    for (const name of examples) {
      // The toolkit builds the input (as a partner would); the suite then judges its output.
      execFileSync(
        process.execPath,
        [
          'sdk/bin/miniapp.js',
          'pack',
          `examples/${name}`,
          '--out',
          path.join(folder, `${name}.ma`),
        ],
        {
          cwd: repositoryRoot,
          stdio: 'ignore',
        },
      );
    }
  });
  after(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  for (const name of examples) {
    it(`certifies the ${name} example as a source directory, running its bridge client in Chromium`, async () => {
      const run = await certify(path.join(repositoryRoot, 'examples', name), true);
      assert.deepEqual(mustFailures(run), []);
      assert.equal(verdictOf(run).status, 'certified');
    });

    it(`certifies the ${name} example packed by miniapp pack, in the canonical form`, async () => {
      const run = await certify(path.join(folder, `${name}.ma`), false);
      assert.deepEqual(mustFailures(run), []);
      assert.equal(
        run.cases.find((c) => c.metadata.id === 'package.canonical.form')?.status,
        'pass',
      );
      assert.equal(verdictOf(run).exitCode, 0);
    });
  }

  it('runs from the command line: exit 0, one progress line per case, the counts last', async () => {
    const r = await cli(
      'package',
      path.join(folder, 'shop.ma'),
      '--only',
      'package.container.*,package.manifest.*',
    );
    assert.equal(r.code, 0);
    assert.match(r.stdout.trimEnd().split('\n').at(-1) ?? '', /^\d+ passed, 0 failed$/);
  });

  it('exits 1 on a broken package and names the requirement it breaks', async () => {
    const recipe = packageRecipes.find((p) => p.name === 'zip-slip');
    assert.ok(recipe);
    const target = writeBuilt(folder, recipe.name, recipe.build());
    const r = await cli('package', target, '--lane', 'certify', '--only', 'package.paths.*');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAIL {2}package\.paths\.no-dot-segments {2}PKG-021/);
    assert.match(r.stdout, /"\.\.\/\.\.\/evil\.js" has a "\.\." segment/);
  });

  it('writes a JSON report its schema accepts and well-formed JUnit for a broken package', async () => {
    const recipe = packageRecipes.find((p) => p.name === 'eval');
    assert.ok(recipe);
    const target = writeBuilt(folder, recipe.name, recipe.build());
    const reports = path.join(folder, 'reports');
    const r = await cli(
      'package',
      target,
      '--only',
      'package.review.*,package.manifest.*',
      '--report-dir',
      reports,
    );
    assert.equal(r.code, 1);
    const json = JSON.parse(await readFile(path.join(reports, 'certify-package.json'), 'utf8')) as {
      verdict: { blocking: string[] };
      requirements: { id: string; status: string }[];
    };
    const validate = validatorFor('conformance/report.schema.json');
    assert.ok(validate(json), JSON.stringify(validate.errors));
    assert.deepEqual(json.verdict.blocking, ['package.review.no-eval']);
    assert.equal(json.requirements.find((q) => q.id === 'REV-104')?.status, 'fail');
    const junit = parseXml(await readFile(path.join(reports, 'certify-package.junit.xml'), 'utf8'));
    assert.equal(descendants(junit, 'failure').length, 1);
    const html = await readFile(path.join(reports, 'certify-package.html'), 'utf8');
    assert.match(html, /Not certified/);
  });

  it('exits 2 for a path that does not exist, without a stack trace', async () => {
    const r = await cli('package', path.join(folder, 'nothing-here.ma'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read .*nothing-here\.ma: ENOENT/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('fails the bridge-client cases, rather than passing them, when Chromium is missing', async () => {
    const r = await cli(
      'package',
      path.join(repositoryRoot, 'examples/shop'),
      '--only',
      'package.bridge.*',
      '--chromium',
      '/nonexistent/chromium',
    );
    assert.equal(r.code, 1);
    assert.match(r.stdout, /no Chromium at \/nonexistent\/chromium/);
  });
});
