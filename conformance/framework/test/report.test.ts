import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validatorFor } from '#schemas';
import {
  buildReport,
  expectationSet,
  failedStatuses,
  htmlReport,
  junitReport,
  requirementIndex,
  runSuite,
  summaryLine,
  suiteVersion,
  writeReports,
  type ConformanceReport,
  type Suite,
  type TargetEnvironment,
} from '../index.ts';
import { descendants, parseXml, type XmlElement } from './xml-document.ts';
import { sampleSuite, timedSuite, type SampleSubject } from './sample-suite.ts';

const validateReport = validatorFor('conformance/report.schema.json');
const index = requirementIndex();

async function report(
  subject: SampleSubject,
  options: {
    expectations?: unknown;
    suite?: Suite<SampleSubject>;
    environment?: TargetEnvironment;
  } = {},
): Promise<ConformanceReport> {
  const suite = options.suite ?? sampleSuite;
  const set = options.expectations ? expectationSet('x.json', options.expectations) : undefined;
  const run = await runSuite({
    suite,
    subject,
    selection: { lanes: ['certify', 'staging'], only: [] },
    ...(set ? { expectations: set } : {}),
  });
  return buildReport({
    suite: suite as Suite<unknown>,
    target: { kind: 'sample', label: 'sample <target> & "quotes"', details: { files: 3 } },
    implementation: { name: 'Acme <Packer>', version: '2.0' },
    ...(options.environment ? { environment: options.environment } : {}),
    run,
    ...(set ? { expectations: set } : {}),
    index,
    catalogs: [{ class: suite.class, cases: suite.cases }],
    specLink: '../spec/{doc}#L{line}',
  });
}

const hostile = {
  'package.container.zip64': 'fail',
  'package.manifest.present': 'crash',
  'package.container.extension': 'fail',
  'package.container.single-disk': 'fail',
} as const;

const assertValid = (r: unknown) =>
  assert.ok(validateReport(r), JSON.stringify(validateReport.errors));

describe('reports', () => {
  it('writes a JSON report its schema accepts, stating suite, specification, class, implementation, times and every case [CNF-060]', async () => {
    const r = await report(hostile, {
      expectations: {
        expectedFailures: [
          { case: 'package.container.zip64', reason: 'our packer writes ZIP64 always' },
        ],
      },
    });
    assertValid(r);
    assert.deepEqual(r.suite, { name: 'miniapp-certify', version: suiteVersion });
    assert.equal(r.specVersion, index.specVersion);
    assert.equal(r.class, 'package');
    assert.deepEqual(r.implementation, { name: 'Acme <Packer>', version: '2.0' });
    assert.ok(Date.parse(r.finishedAt) >= Date.parse(r.startedAt));
    assert.ok(r.environment.runner.cores >= 1);
    assert.equal(r.verdict.status, 'notCertified');
    const zip64 = r.cases.find((c) => c.id === 'package.container.zip64');
    assert.deepEqual(
      {
        requirements: zip64?.requirements,
        level: zip64?.level,
        observed: zip64?.observed,
        status: zip64?.status,
        expectation: zip64?.expectation,
      },
      {
        requirements: ['PKG-004'],
        level: 'MUST',
        observed: ['package'],
        status: 'expectedFailure',
        expectation: { reason: 'our packer writes ZIP64 always' },
      },
    );
    assert.equal(r.cases.find((c) => c.id === 'package.manifest.present')?.status, 'error');
    assert.ok(r.cases.every((c) => typeof c.durationMs === 'number'));
  });

  it('gives each requirement of the class a status rolled up from its cases, and a link to its line', async () => {
    const r = await report({ 'package.container.zip64': 'fail' });
    const byId = new Map(r.requirements.map((q) => [q.id, q]));
    assert.equal(byId.get('PKG-004')?.status, 'fail');
    assert.equal(byId.get('MAN-001')?.status, 'pass');
    assert.equal(byId.get('MAN-005')?.status, 'uncovered');
    const man001 = byId.get('MAN-001');
    assert.ok((man001?.line ?? 0) > 0);
    assert.equal(man001?.href, `../spec/manifest.md#L${man001?.line}`);
    assertValid(r);
  });

  it('states the counts of the class: MUSTs, not certifiable, with a case, passed, and the same for SHOULDs [CNF-002]', async () => {
    const r = await report({ 'package.container.zip64': 'fail' });
    const musts = index.requirements.filter(
      (q) => q.level === 'MUST' && q.classes.includes('package'),
    );
    const shoulds = index.requirements.filter(
      (q) => q.level === 'SHOULD' && q.classes.includes('package'),
    );
    assert.deepEqual(r.coverage.must, {
      total: musts.length,
      notCertifiable: musts.filter((q) => q.notCertifiable !== null).length,
      bindsSuite: 0,
      withCases: 3,
      passed: 2,
      uncovered: musts
        .filter(
          (q) => q.notCertifiable === null && !['MAN-001', 'MAN-002', 'PKG-004'].includes(q.id),
        )
        .map((q) => q.id),
    });
    assert.deepEqual(r.coverage.should, { total: shoulds.length, withCases: 1, passed: 1 });
    assert.equal(r.verdict.status, 'notCertified');
  });

  it('counts no staging case toward coverage or the verdict [CNF-052]', async () => {
    const r = await report({
      'package.container.single-disk': 'fail',
      'package.manifest.icon-size': 'fail',
    });
    assert.equal(r.requirements.find((q) => q.id === 'MAN-026')?.status, 'uncovered');
    assert.equal(r.coverage.should.withCases, 1);
    assert.equal(r.verdict.exitCode, 0);
    assert.deepEqual(r.counts.staging, { total: 2, passed: 0, failed: 2, skipped: 0 });
  });

  it('lists every MUST of the class that the table calls not certifiable, with its reason, neither passed nor failed [CNF-003]', async () => {
    const r = await report(
      { 'host.budgets.cold-start': 'within-budget' },
      {
        suite: timedSuite,
        environment: { deviceProfile: { profile: 'web', device: 'desktop', cpu: 'any CPU' } },
      },
    );
    assertValid(r);
    const expected = index.requirements
      .filter((q) => q.level === 'MUST' && q.classes.includes('host') && q.notCertifiable)
      .map((q) => ({ id: q.id, reason: q.notCertifiable }));
    assert.ok(
      expected.some((q) => q.id === 'CNF-025'),
      'the table lists host MUSTs',
    );
    assert.deepEqual(r.notCertifiable, expected);
    for (const { id, reason } of expected) {
      const q = r.requirements.find((x) => x.id === id);
      assert.equal(q?.status, 'notCertifiable');
      assert.equal(q?.reason, reason);
    }
    assert.equal(r.coverage.must.notCertifiable, expected.length);
  });

  it('lists the lines that bind miniapp-certify apart in a toolkit report, neither passed nor failed', async () => {
    const toolkitSuite = {
      ...sampleSuite,
      class: 'toolkit' as const,
      cases: [
        {
          ...sampleSuite.cases[0],
          id: 'toolkit.packer.sample',
          class: 'toolkit' as const,
          requirements: ['PKG-070'],
        },
      ],
    } as Suite<SampleSubject>;
    const r = await report({}, { suite: toolkitSuite });
    const suiteLines = index.requirements.filter(
      (q) =>
        q.level === 'MUST' &&
        q.document === 'conformance.md' &&
        q.classes.includes('toolkit') &&
        q.section !== 'Toolkit commands',
    );
    assert.ok(suiteLines.some((q) => q.id === 'CNF-001'));
    assert.equal(r.coverage.must.bindsSuite, suiteLines.length);
    assert.equal(r.requirements.find((q) => q.id === 'CNF-051')?.status, 'bindsSuite');
    assert.equal(r.requirements.find((q) => q.id === 'PKG-070')?.status, 'pass');
    assertValid(r);
  });

  it('states the measurement and the device profile of a case of a time budget [CNF-061]', async () => {
    const environment: TargetEnvironment = {
      deviceProfile: {
        profile: 'web',
        device: 'desktop, 8 cores, 16 GiB',
        cpu: 'Intel Core i7-1165G7',
      },
    };
    const r = await report(
      { 'host.budgets.cold-start': 'over-budget' },
      { suite: timedSuite, environment },
    );
    assertValid(r);
    const timed = r.cases.find((c) => c.id === 'host.budgets.cold-start');
    assert.deepEqual(timed?.measurement, {
      samples: 50,
      percentile: 90,
      value: 1880,
      budget: 1500,
      unit: 'ms',
    });
    assert.deepEqual(r.environment.deviceProfile, environment.deviceProfile);
    const withoutProfile = { ...r, environment: { runner: r.environment.runner } };
    assert.equal(validateReport(withoutProfile), false, 'a timed report names its device profile');
    const withoutMeasurement = structuredClone(r);
    delete withoutMeasurement.cases[0]?.measurement;
    assert.equal(validateReport(withoutMeasurement), false, 'a timed case states its measurement');
  });

  it('writes JUnit XML with one testsuite per spec document and one testcase per case, named by the case id with the requirement ids as classname [CNF-062]', async () => {
    const r = await report(hostile, {
      expectations: {
        expectedFailures: [{ case: 'package.container.zip64', reason: 'known & tracked <#4>' }],
      },
    });
    const root = parseXml(junitReport(r));
    assert.equal(root.name, 'testsuites');
    const suites = descendants(root, 'testsuite');
    assert.deepEqual(
      suites.map((s) => s.attributes['name']),
      ['manifest.md', 'package.md'],
    );
    const testcases = descendants(root, 'testcase');
    assert.deepEqual(
      testcases.map((t) => t.attributes['name']).sort(),
      r.cases.map((c) => c.id).sort(),
    );
    const zip64 = testcases.find((t) => t.attributes['name'] === 'package.container.zip64');
    assert.equal(zip64?.attributes['classname'], 'PKG-004');
  });

  it('gives JUnit a failure for fail, expectedFailure and unexpectedPass, an error for error, and skips the staging lane [CNF-062]', async () => {
    const r = await report(
      { ...hostile, 'package.manifest.json-object': 'pass' },
      {
        expectations: {
          expectedFailures: [
            { case: 'package.container.zip64', reason: 'known & tracked <#4>' },
            { case: 'package.manifest.json-object', reason: 'thought to be broken' },
          ],
        },
      },
    );
    const root = parseXml(junitReport(r));
    const kinds = (element: XmlElement) =>
      descendants(element, 'testcase').map((t) => [
        t.attributes['name'],
        t.children.map((c) => c.name).join(''),
      ]);
    const byCase = new Map(kinds(root) as [string, string][]);
    assert.equal(byCase.get('package.container.zip64'), 'failure');
    assert.equal(byCase.get('package.manifest.json-object'), 'failure');
    assert.equal(byCase.get('package.container.extension'), 'failure');
    assert.equal(byCase.get('package.manifest.present'), 'error');
    assert.equal(byCase.get('package.container.single-disk'), 'skipped');
    assert.equal(root.attributes['failures'], '3');
    assert.equal(root.attributes['errors'], '1');
    const expected = descendants(root, 'failure').find((f) =>
      (f.attributes['message'] ?? '').startsWith('expected failure'),
    );
    assert.match(expected?.attributes['message'] ?? '', /known & tracked <#4>/);
    const target = descendants(root, 'property').find((p) => p.attributes['name'] === 'target');
    assert.equal(target?.attributes['value'], 'sample <target> & "quotes"');
  });

  it('keeps JUnit XML well-formed when a reason carries characters XML cannot hold', async () => {
    const r = await report({});
    const first = r.cases[0];
    assert.ok(first);
    r.cases[0] = { ...first, status: 'fail', reason: 'entry "a\u0000b\u001b" is bad' };
    const root = parseXml(junitReport(r));
    const failure = descendants(root, 'failure')[0];
    assert.match(failure?.attributes['message'] ?? '', /a\\u0000b\\u001b/);
  });

  for (const [name, subject, expectations] of [
    [
      'a failing run',
      hostile,
      { expectedFailures: [{ case: 'package.container.zip64', reason: 'ZIP64 packer' }] },
    ],
    ['a certified run', {}, undefined],
    [
      'a run with an unexpected pass',
      {},
      { expectedFailures: [{ case: 'package.manifest.present', reason: 'bug 12 (fixed?)' }] },
    ],
  ] as const) {
    it(`shows in HTML the verdict, counts and failed cases of the JSON report, for ${name} [CNF-063]`, async () => {
      const r = await report(subject, expectations ? { expectations } : {});
      const page = htmlReport(r);
      assert.equal(/data-verdict="([^"]+)"/.exec(page)?.[1], r.verdict.status);
      assert.equal(
        /data-counts="([^"]+)"/.exec(page)?.[1],
        summaryLine(r.counts).replace(/&/g, '&amp;'),
      );
      const figure = (key: string) =>
        new RegExp(`data-count="${key.replace('.', '\\.')}"><b>([^<]+)</b>`).exec(page)?.[1];
      assert.equal(figure('must.total'), String(r.coverage.must.total));
      assert.equal(figure('must.notCertifiable'), String(r.coverage.must.notCertifiable));
      assert.equal(figure('must.passed'), `${r.coverage.must.passed}/${r.coverage.must.withCases}`);
      assert.equal(
        figure('should.passed'),
        `${r.coverage.should.passed}/${r.coverage.should.withCases}`,
      );
      const shown = [...page.matchAll(/<li data-case="([^"]+)"/g)].map((m) => m[1]).sort();
      const failed = r.cases
        .filter(
          (c) =>
            c.lane === 'certify' &&
            (failedStatuses.includes(c.status) || c.status === 'unexpectedPass'),
        )
        .map((c) => c.id)
        .sort();
      assert.deepEqual(shown, failed);
    });
  }

  it('writes a self-contained HTML page with the verdict at the top and no external assets', async () => {
    const r = await report(hostile);
    const page = htmlReport(r);
    assert.ok(page.indexOf('Not certified') < page.indexOf('<main>'));
    assert.doesNotMatch(page, /<(script|link|img)\b/i);
    assert.doesNotMatch(page, /src=|url\(/i);
    assert.match(page, /<svg class="chart"/);
    assert.match(page, /href="\.\.\/spec\/package\.md#L\d+"/);
    assert.match(page, /sample &lt;target&gt; &amp; &quot;quotes&quot;/);
    assert.match(page, /Acme &lt;Packer&gt; 2\.0/);
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
      assertValid(json);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
