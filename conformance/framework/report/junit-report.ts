import type { ConformanceReport } from './report-builder.ts';

type CaseEntry = ConformanceReport['cases'][number];

/** Escapes text for XML and replaces characters XML 1.0 cannot carry (names from hostile input). */
export function xmlText(value: string): string {
  return value
    .replace(
      /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu,
      (ch) => `\\u${ch.codePointAt(0)?.toString(16).padStart(4, '0') ?? ''}`,
    )
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function body(c: CaseEntry): string {
  return [
    c.reason ?? '',
    ...(c.evidence ?? []).map((line) => `  ${line}`),
    `requirements: ${c.requirements.join(', ')} (${c.level})`,
    `why: ${c.why}`,
  ]
    .filter(Boolean)
    .join('\n');
}

function testcase(c: CaseEntry, staging: boolean): string {
  const classname = c.id.split('.').slice(0, 2).join('.');
  const name = `${c.id} [${c.requirements.join(' ')}] ${c.description}`;
  const open = `    <testcase classname="${xmlText(classname)}" name="${xmlText(name)}" time="${seconds(c.durationMs)}"`;
  const skipped = (message: string) =>
    `${open}>\n      <skipped message="${xmlText(message)}"/>\n    </testcase>`;
  if (staging && (c.outcome === 'fail' || c.outcome === 'xfail')) {
    return skipped(`staging lane, not counted: ${c.reason ?? 'failed'}`);
  }
  switch (c.outcome) {
    case 'fail':
      return `${open}>\n      <failure message="${xmlText(c.reason ?? 'failed')}" type="${c.level}">${xmlText(body(c))}</failure>\n    </testcase>`;
    case 'xfail':
      return skipped(`expected failure (${c.expectation?.reason ?? ''}): ${c.reason ?? ''}`);
    case 'skip':
      return skipped(c.reason ?? 'skipped');
    case 'xpass':
      return `${open}>\n      <system-out>${xmlText(`passed although the expectations file lists it as failing (${c.expectation?.reason ?? ''}); remove the entry`)}</system-out>\n    </testcase>`;
    default:
      return `${open}/>`;
  }
}

function testsuite(report: ConformanceReport, lane: 'certify' | 'staging'): string {
  const cases = report.cases.filter((c) => c.lane === lane);
  const staging = lane === 'staging';
  const failures = staging ? 0 : cases.filter((c) => c.outcome === 'fail').length;
  const skipped = cases.filter(
    (c) => c.outcome === 'skip' || c.outcome === 'xfail' || (staging && c.outcome === 'fail'),
  ).length;
  const time = cases.reduce((sum, c) => sum + c.durationMs, 0);
  const name = `${report.class} (${staging ? 'staging lane, not counted' : 'certify lane'})`;
  const properties = staging
    ? ''
    : [
        '    <properties>',
        `      <property name="verdict" value="${xmlText(report.verdict.status)}"/>`,
        `      <property name="summary" value="${xmlText(report.verdict.summary)}"/>`,
        `      <property name="target" value="${xmlText(report.target.label)}"/>`,
        `      <property name="specVersion" value="${xmlText(report.specVersion)}"/>`,
        ...(report.expectations
          ? [`      <property name="expectations" value="${xmlText(report.expectations.file)}"/>`]
          : []),
        '    </properties>',
      ].join('\n') + '\n';
  return (
    `  <testsuite name="${xmlText(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(time)}" timestamp="${xmlText(report.startedAt.replace(/Z$/, ''))}">\n` +
    properties +
    cases.map((c) => testcase(c, staging)).join('\n') +
    (cases.length ? '\n' : '') +
    '  </testsuite>'
  );
}

/** JUnit XML for CI: certify-lane failures are failures; expected failures and the staging lane are skips. */
export function junitReport(report: ConformanceReport): string {
  const suites = [testsuite(report, 'certify')];
  if (report.cases.some((c) => c.lane === 'staging')) suites.push(testsuite(report, 'staging'));
  const { counts } = report;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="miniapp-certify ${report.class}" tests="${counts.total + counts.staging.total}" failures="${counts.failed}" errors="0" skipped="${counts.skipped + counts.expectedFailures + counts.staging.failed + counts.staging.skipped}" time="${seconds(report.durationMs)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
