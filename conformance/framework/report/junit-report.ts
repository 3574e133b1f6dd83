import type { ConformanceReport, ReportCase } from './report-builder.ts';

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

function body(c: ReportCase): string {
  return [
    c.reason ?? '',
    ...(c.evidence ?? []).map((line) => `  ${line}`),
    c.expectation ? `listed in the expectations file: ${c.expectation.reason}` : '',
    `${c.description}`,
    `requirements: ${c.requirements.join(', ')} (${c.level})`,
    `why: ${c.why}`,
  ]
    .filter(Boolean)
    .join('\n');
}

/** The certify-lane statuses that are JUnit failures [CNF-062]; `error` becomes an <error>. */
const failureMessages: Partial<Record<ReportCase['status'], (c: ReportCase) => string>> = {
  fail: (c) => c.reason ?? 'failed',
  expectedFailure: (c) =>
    `expected failure (${c.expectation?.reason ?? ''}), still not certified: ${c.reason ?? 'failed'}`,
  unexpectedPass: (c) =>
    `passed although the expectations file lists it as failing (${c.expectation?.reason ?? ''}); remove the entry`,
};

function testcase(c: ReportCase): string {
  const open = `    <testcase name="${xmlText(c.id)}" classname="${xmlText(c.requirements.join(' '))}" time="${seconds(c.durationMs)}"`;
  const inner = (element: string) => `${open}>\n      ${element}\n    </testcase>`;
  if (c.lane === 'staging') {
    return c.status === 'pass' || c.status === 'unexpectedPass'
      ? `${open}/>`
      : inner(
          `<skipped message="${xmlText(`staging lane, not counted: ${c.status}: ${c.reason ?? ''}`)}"/>`,
        );
  }
  if (c.status === 'error') {
    return inner(
      `<error message="${xmlText(c.reason ?? 'the case could not complete')}" type="${c.timedOut ? 'timeout' : 'error'}">${xmlText(body(c))}</error>`,
    );
  }
  if (c.status === 'skip') return inner(`<skipped message="${xmlText(c.reason ?? 'skipped')}"/>`);
  const failure = failureMessages[c.status];
  if (failure) {
    return inner(
      `<failure message="${xmlText(failure(c))}" type="${c.status} ${c.level}">${xmlText(body(c))}</failure>`,
    );
  }
  return `${open}/>`;
}

/** The spec document a case belongs to: that of its first requirement. */
function documentOf(c: ReportCase, documents: ReadonlyMap<string, string>): string {
  return documents.get(c.requirements[0] ?? '') ?? 'other';
}

interface Tally {
  failures: number;
  errors: number;
  skipped: number;
}

function tally(cases: readonly ReportCase[]): Tally {
  const certify = cases.filter((c) => c.lane === 'certify');
  return {
    failures: certify.filter((c) => failureMessages[c.status] !== undefined).length,
    errors: certify.filter((c) => c.status === 'error').length,
    skipped: cases.filter(
      (c) =>
        c.status === 'skip' ||
        (c.lane === 'staging' && c.status !== 'pass' && c.status !== 'unexpectedPass'),
    ).length,
  };
}

function properties(report: ConformanceReport): string {
  const entries: [string, string][] = [
    ['verdict', report.verdict.status],
    ['summary', report.verdict.summary],
    ['class', report.class],
    ['implementation', `${report.implementation.name} ${report.implementation.version}`],
    ['target', report.target.label],
    ['specVersion', report.specVersion],
    ['suiteVersion', report.suite.version],
    ...(report.expectations
      ? [['expectations', report.expectations.file] as [string, string]]
      : []),
  ];
  return [
    '    <properties>',
    ...entries.map(([n, v]) => `      <property name="${n}" value="${xmlText(v)}"/>`),
    '    </properties>',
  ].join('\n');
}

/**
 * JUnit XML for CI [CNF-062]: one <testsuite> per specification document, one <testcase> per case,
 * named by the case id with the requirement ids as classname; a <failure> for every certify-lane
 * case whose status is fail, expectedFailure or unexpectedPass, an <error> for error, and <skipped>
 * for skips and for the staging lane's cases that did not pass.
 */
export function junitReport(report: ConformanceReport): string {
  const documents = new Map(report.requirements.map((r) => [r.id, r.document]));
  const groups = new Map<string, ReportCase[]>();
  for (const c of report.cases) {
    const document = documentOf(c, documents);
    groups.set(document, [...(groups.get(document) ?? []), c]);
  }
  const suites = [...groups].map(([document, cases]) => {
    const t = tally(cases);
    const time = cases.reduce((sum, c) => sum + c.durationMs, 0);
    return (
      `  <testsuite name="${xmlText(document)}" tests="${cases.length}" failures="${t.failures}" errors="${t.errors}" skipped="${t.skipped}" time="${seconds(time)}" timestamp="${xmlText(report.startedAt.replace(/Z$/, ''))}">\n` +
      `${properties(report)}\n` +
      cases.map(testcase).join('\n') +
      '\n  </testsuite>'
    );
  });
  const all = tally(report.cases);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="miniapp-certify ${xmlText(report.class)}" tests="${report.cases.length}" failures="${all.failures}" errors="${all.errors}" skipped="${all.skipped}" time="${seconds(report.durationMs)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
