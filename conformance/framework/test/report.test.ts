import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validatorFor } from '#schemas';
import {
  buildReport,
  expectationSet,
  htmlReport,
  junitReport,
  requirementIndex,
  runSuite,
  writeReports,
  type ConformanceReport,
} from '../index.ts';
import { descendants, parseXml } from './xml-document.ts';
import { sampleSuite, type SampleSubject } from './sample-suite.ts';

const validateReport = validatorFor('conformance/report.schema.json');

async function report(subject: SampleSubject, expectations?: unknown): Promise<ConformanceReport> {
  const set = expectations ? expectationSet('x.json', expectations) : undefined;
  const run = await runSuite({
    suite: sampleSuite,
    subject,
    selection: { lanes: ['certify', 'staging'], only: [] },
    ...(set ? { expectations: set } : {}),
  });
  return buildReport({
    suite: sampleSuite,
    target: { kind: 'sample', label: 'sample <target> & "quotes"', details: { files: 3 } },
    run,
    ...(set ? { expectations: set } : {}),
    index: requirementIndex(),
    untestable: [
      { id: 'PKG-090', classes: ['package'], reason: 'a package carries no digest to compare' },
    ],
    catalogs: [{ class: 'package', cases: sampleSuite.cases }],
    specLink: '../spec/{doc}#L{line}',
  });
}

const hostile = {
  'package.container.zip64': 'fail',
  'package.manifest.present': 'crash',
  'package.container.extension': 'fail',
  'package.container.single-disk': 'fail',
} as const;

describe('reports', () => {
  it('writes a JSON report that its schema accepts, for a failing run', async () => {
    const r = await report(hostile, {
      implementation: 'Acme 2.0',
      expectedFailures: [
        { case: 'package.container.zip64', reason: 'our packer writes ZIP64 always' },
        { case: 'package.nothing.matches', reason: 'a stale line of the file' },
      ],
    });
    assert.ok(validateReport(r), JSON.stringify(validateReport.errors));
    assert.equal(r.verdict.status, 'not-certified');
    assert.deepEqual(r.expectations?.unmatched, ['package.nothing.matches']);
    assert.equal(r.cases.find((c) => c.id === 'package.container.zip64')?.outcome, 'xfail');
  });

  it('gives each requirement of the class a status rolled up from its cases, and a link to its line', async () => {
    const r = await report({ 'package.container.zip64': 'fail' });
    const byId = new Map(r.requirements.map((q) => [q.id, q]));
    assert.equal(byId.get('PKG-004')?.status, 'fail');
    assert.equal(byId.get('MAN-001')?.status, 'pass');
    assert.equal(byId.get('PKG-090')?.status, 'untestable');
    assert.equal(byId.get('MAN-005')?.status, 'uncovered');
    const man001 = byId.get('MAN-001');
    assert.ok((man001?.line ?? 0) > 0);
    assert.equal(man001?.href, `../spec/manifest.md#L${man001?.line}`);
    assert.ok(validateReport(r), JSON.stringify(validateReport.errors));
  });

  it('states coverage per class and per spec area as figures', async () => {
    const r = await report({});
    const pkg = r.coverage.classes.find((c) => c.class === 'package');
    assert.equal(pkg?.suite, true);
    assert.equal(pkg?.covered, 3);
    assert.equal(pkg?.untestable, 1);
    assert.equal(pkg?.percent, Math.round((3 / ((pkg?.musts ?? 0) - 1)) * 1000) / 10);
    assert.equal(r.coverage.classes.find((c) => c.class === 'server')?.suite, false);
    const manifest = r.coverage.areas.find((a) => a.document === 'manifest.md');
    assert.equal(manifest?.covered, 2);
    assert.equal(manifest?.passed, 2);
  });

  it('writes well-formed JUnit XML: failures for certify-lane failures, skips for expected and staging ones', async () => {
    const r = await report(hostile, {
      expectedFailures: [{ case: 'package.container.zip64', reason: 'known & tracked <#4>' }],
    });
    const root = parseXml(junitReport(r));
    assert.equal(root.name, 'testsuites');
    const suites = descendants(root, 'testsuite');
    assert.equal(suites.length, 2);
    const testcases = descendants(root, 'testcase');
    assert.equal(testcases.length, 6);
    const failures = descendants(suites[0] as never, 'failure');
    assert.equal(failures.length, 2, 'the crashed MUST case and the failed SHOULD case');
    assert.equal(root.attributes['failures'], '2');
    assert.equal(descendants(suites[1] as never, 'failure').length, 0);
    assert.match(
      JSON.stringify(descendants(root, 'skipped').map((s) => s.attributes['message'])),
      /expected failure \(known & tracked <#4>\)/,
    );
    const target = descendants(root, 'property').find((p) => p.attributes['name'] === 'target');
    assert.equal(target?.attributes['value'], 'sample <target> & "quotes"');
  });

  it('keeps JUnit XML well-formed when a reason carries characters XML cannot hold', async () => {
    const r = await report({});
    const first = r.cases[0];
    assert.ok(first);
    r.cases[0] = {
      ...first,
      outcome: 'fail',
      reason: 'entry "a\u0000b\u001b" is bad',
    };
    const root = parseXml(junitReport(r));
    const failure = descendants(root, 'failure')[0];
    assert.match(failure?.attributes['message'] ?? '', /a\\u0000b\\u001b/);
  });

  it('writes a self-contained HTML page with the verdict at the top and no external assets', async () => {
    const r = await report(hostile);
    const page = htmlReport(r);
    assert.ok(page.indexOf('Not certified') < page.indexOf('<main>'));
    assert.doesNotMatch(page, /<(script|link|img)\b/i);
    assert.doesNotMatch(page, /src=|url\(/i);
    assert.match(page, /<svg class="chart"/);
    assert.match(page, /href="\.\.\/spec\/package\.md#L\d+"/);
    assert.match(page, /sample &lt;target&gt; &amp; &quot;quotes&quot;/);
  });

  it('writes the chosen formats into the report folder', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certify-report-'));
    try {
      const files = await writeReports(await report({}), dir, ['json', 'junit', 'html']);
      assert.deepEqual(
        files.map((f) => path.basename(f)),
        ['certify-package.json', 'certify-package.junit.xml', 'certify-package.html'],
      );
      const json = JSON.parse(await readFile(files[0] as string, 'utf8')) as unknown;
      assert.ok(validateReport(json));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
