import { summaryLine } from '../verdict.ts';
import type { ConformanceReport, ReportCase, RequirementStatus } from './report-builder.ts';

type RequirementEntry = ConformanceReport['requirements'][number];

/** Escapes text for HTML element content and attribute values. */
export function html(value: string | number): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const colours = {
  pass: '#1a7f37',
  fail: '#cf222e',
  error: '#82071e',
  expectedFailure: '#bf8700',
  unexpectedPass: '#8250df',
  skip: '#6e7781',
  notCertifiable: '#8c959f',
  open: '#d0d7de',
} as const;

const statusLabel: Record<ReportCase['status'], string> = {
  pass: 'pass',
  fail: 'fail',
  error: 'error',
  skip: 'skipped',
  expectedFailure: 'expected failure',
  unexpectedPass: 'unexpected pass',
};

const requirementLabel: Record<RequirementStatus, string> = {
  pass: 'pass',
  fail: 'fail',
  expectedFailure: 'expected failure',
  skip: 'skipped',
  notRun: 'not run',
  notCertifiable: 'not certifiable from outside',
  bindsSuite: 'binds miniapp-certify',
  uncovered: 'no case',
};

const verdictTitle: Record<ConformanceReport['verdict']['status'], string> = {
  certified: 'Certified',
  notCertified: 'Not certified',
  incomplete: 'Incomplete run',
};

/** The statuses the JSON report and this page both call failed cases [CNF-063]. */
export const failedStatuses: readonly ReportCase['status'][] = ['fail', 'error', 'expectedFailure'];

function pill(kind: string, label: string): string {
  return `<span class="pill ${html(kind)}">${html(label)}</span>`;
}

function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30
    ? `${(bytes / 2 ** 30).toFixed(1)} GiB`
    : `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/** Horizontal stacked bars, one per spec document of the class: how its MUSTs fared. */
function areaChart(report: ConformanceReport): string {
  const areas = report.coverage.areas.filter((a) => a.musts > 0);
  if (areas.length === 0) return '';
  const rowHeight = 30;
  const labelWidth = 130;
  const barWidth = 520;
  const height = areas.length * rowHeight + 34;
  const max = Math.max(...areas.map((a) => a.musts));
  const rows = areas.map((a, i) => {
    const y = 8 + i * rowHeight;
    const open = a.musts - a.passed - a.failed - a.expectedFailures - a.notCertifiable;
    const segments: [keyof typeof colours, number, string][] = [
      ['pass', a.passed, 'passed'],
      ['fail', a.failed, 'failed'],
      ['expectedFailure', a.expectedFailures, 'expected failures'],
      ['notCertifiable', a.notCertifiable, 'not certifiable from outside or binding the suite'],
      ['open', open, 'skipped, not run or without a case'],
    ];
    let x = labelWidth;
    const rects = segments
      .filter(([, n]) => n > 0)
      .map(([kind, n, title]) => {
        const w = (n / max) * barWidth;
        const rect = `<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(w, 1).toFixed(1)}" height="18" rx="2" fill="${colours[kind]}"><title>${html(`${a.document}: ${n} ${title}`)}</title></rect>`;
        x += w;
        return rect;
      })
      .join('');
    const figures = [
      `${a.passed} pass`,
      a.failed ? `${a.failed} fail` : '',
      a.expectedFailures ? `${a.expectedFailures} expected` : '',
      open ? `${open} open` : '',
      a.notCertifiable ? `${a.notCertifiable} not certifiable` : '',
    ].filter(Boolean);
    return (
      `<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end" class="label">${html(a.document.replace(/\.md$/, ''))}</text>` +
      rects +
      `<text x="${x + 6}" y="${y + 13}" class="figure">${html(figures.join(' · '))}</text>`
    );
  });
  let legendX = labelWidth;
  const legend = (
    [
      ['pass', 'pass'],
      ['fail', 'fail or error'],
      ['expectedFailure', 'expected failure'],
      ['notCertifiable', 'not certifiable from outside'],
      ['open', 'skipped or not run'],
    ] as const
  )
    .map(([kind, label]) => {
      const x = legendX;
      legendX += 24 + label.length * 6.2;
      return `<rect x="${x}" y="${height - 18}" width="10" height="10" rx="2" fill="${colours[kind]}"/><text x="${x + 14}" y="${height - 9}" class="legend">${html(label)}</text>`;
    })
    .join('');
  return `<svg class="chart" role="img" aria-label="MUST requirements per spec document" viewBox="0 0 ${labelWidth + barWidth + 230} ${height}" width="100%">${rows.join('')}${legend}</svg>`;
}

function classMatrix(report: ConformanceReport): string {
  const rows = report.coverage.classes.map((c) => {
    const width = Math.round(c.percent);
    return `<tr${c.class === report.class ? ' class="current"' : ''}>
<td>${html(c.class)}</td><td class="num">${c.musts}</td><td class="num">${c.covered}</td><td class="num">${c.notCertifiable}</td><td class="num">${c.bindsSuite || ''}</td><td class="num">${c.uncovered.length}</td>
<td><div class="meter" title="${c.percent}%"><div style="width:${width}%"></div></div> <strong>${c.percent}%</strong>${c.suite ? '' : ' <span class="muted">(no suite yet)</span>'}</td></tr>`;
  });
  return `<table class="matrix"><thead><tr><th>Class</th><th class="num">MUSTs</th><th class="num">With a case</th><th class="num">Not certifiable</th><th class="num">Bind the suite</th><th class="num">Without a case</th><th>Coverage of what can be tested</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function requirementLink(r: Pick<RequirementEntry, 'id' | 'href' | 'document' | 'line'>): string {
  return `<a href="${html(r.href)}" title="${html(`${r.document}, line ${r.line}`)}">${html(r.id)}</a>`;
}

function links(c: ReportCase, byId: Map<string, RequirementEntry>): string {
  return c.requirements
    .map((id) => {
      const r = byId.get(id);
      return r ? requirementLink(r) : html(id);
    })
    .join(' ');
}

function evidenceList(evidence: readonly string[] | undefined): string {
  if (!evidence?.length) return '';
  const items = `<ul class="evidence">${evidence.map((e) => `<li><code>${html(e)}</code></li>`).join('')}</ul>`;
  return evidence.length > 3
    ? `<details><summary>${evidence.length} lines of evidence</summary>${items}</details>`
    : items;
}

function failureItem(c: ReportCase, byId: Map<string, RequirementEntry>): string {
  const kind = c.level === 'MUST' ? c.status : 'should';
  const expected = c.expectation
    ? `<div class="expected">listed in the expectations file: ${html(c.expectation.reason)}${c.expectation.tracking ? ` (${html(c.expectation.tracking)})` : ''}</div>`
    : '';
  return `<li data-case="${html(c.id)}"><div class="fail-head">${pill(kind, c.level === 'MUST' ? statusLabel[c.status] : `${c.level} ${statusLabel[c.status]}`)} ${links(c, byId)} <span class="case-id">${html(c.id)}</span></div>
<div class="reason">${html(c.reason ?? 'failed')}</div>${expected}${evidenceList(c.evidence)}<div class="why"><span class="what">${html(c.description)}.</span> ${html(c.why)}</div></li>`;
}

function failureSection(
  id: string,
  title: string,
  cases: readonly ReportCase[],
  byId: Map<string, RequirementEntry>,
  soft = false,
): string {
  if (cases.length === 0) return '';
  return `<section id="${id}"><h2>${html(title)} <span class="count">${cases.length}</span></h2><ol class="failures${soft ? ' soft' : ''}">${cases.map((c) => failureItem(c, byId)).join('')}</ol></section>`;
}

/** The counts of CNF-002, as figures with `data-count` markers that tests compare with the JSON. */
function countFigures(report: ConformanceReport): string {
  const { must, should } = report.coverage;
  const box = (key: string, value: number | string, label: string, tone = '') =>
    `<div class="figure-box${tone ? ` ${tone}` : ''}" data-count="${key}"><b>${html(value)}</b><span>${html(label)}</span></div>`;
  const mustFailed = report.requirements.filter(
    (r) => r.level === 'MUST' && (r.status === 'fail' || r.status === 'expectedFailure'),
  ).length;
  return `<div class="figures">
${box('must.passed', `${must.passed}/${must.withCases}`, 'MUSTs passed, of those with a case', must.passed === must.withCases && must.withCases > 0 ? 'good' : '')}
${box('must.failed', mustFailed, 'MUSTs failed', mustFailed ? 'bad' : '')}
${box('must.total', must.total, 'MUSTs of the class')}
${box('must.notCertifiable', must.notCertifiable, 'not certifiable from outside')}
${must.bindsSuite ? box('must.bindsSuite', must.bindsSuite, 'bind miniapp-certify itself') : ''}
${box('should.passed', `${should.passed}/${should.withCases}`, `SHOULDs passed (${should.total} in all)`)}
</div>`;
}

function measurementTable(cases: readonly ReportCase[], report: ConformanceReport): string {
  const timed = cases.filter((c) => c.measurement);
  if (timed.length === 0) return '';
  const { deviceProfile, serverLoad } = report.environment;
  const where = deviceProfile
    ? `Device profile <b>${html(deviceProfile.profile)}</b>: ${html(deviceProfile.device)}, ${html(deviceProfile.cpu)}`
    : serverLoad
      ? `Server load: ${serverLoad.apps} apps × ${serverLoad.versionsPerApp} versions, ${serverLoad.deviceCredentials} device credentials, ${serverLoad.appsPerCheck} apps per check`
      : '';
  const rows = timed.map((c) => {
    const m = c.measurement as NonNullable<ReportCase['measurement']>;
    const ratio = Math.min(1.5, m.value / Math.max(m.budget, 1e-9));
    const over = m.value > m.budget;
    return `<tr data-case="${html(c.id)}"><td>${pill(c.status, statusLabel[c.status])}</td><td><div class="case-id">${html(c.id)}</div>${html(c.description)}</td><td class="num">${m.samples}</td><td class="num">p${m.percentile}</td><td class="num"><b>${m.value} ${m.unit}</b></td><td class="num">${m.budget} ${m.unit}</td><td><div class="budget"><div class="${over ? 'over' : ''}" style="width:${Math.round((ratio / 1.5) * 100)}%"></div><i style="left:${Math.round((1 / 1.5) * 100)}%"></i></div>${m.load ? `<div class="small muted">${m.load.requestsPerSecond} req/s for ${m.load.durationSeconds} s after ${m.load.warmupSeconds} s</div>` : ''}</td></tr>`;
  });
  return `<section id="budgets"><h2>Time budgets <span class="count">${timed.length}</span></h2><p class="small">${where}</p><table class="cases"><thead><tr><th>Status</th><th>Case</th><th class="num">Samples</th><th class="num">Percentile</th><th class="num">Value</th><th class="num">Budget</th><th>Against the budget</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function requirementTable(report: ConformanceReport): string {
  const rows = report.requirements.map((r) => {
    const kind =
      r.status === 'notRun' || r.status === 'uncovered'
        ? 'skip'
        : r.status === 'bindsSuite'
          ? 'notCertifiable'
          : r.status;
    const note = r.reason ? `<div class="muted small">${html(r.reason)}</div>` : '';
    return `<tr class="req ${html(r.status)}"><td>${requirementLink(r)}</td><td>${html(r.level)}</td><td>${pill(kind, requirementLabel[r.status])}</td><td class="text">${html(r.text)}${note}</td><td class="small">${r.cases.map(html).join('<br>')}</td></tr>`;
  });
  return `<table class="requirements"><thead><tr><th>Requirement</th><th>Level</th><th>Status</th><th>Text</th><th>Cases</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function caseTable(cases: readonly ReportCase[], byId: Map<string, RequirementEntry>): string {
  const max = Math.max(1, ...cases.map((c) => c.durationMs));
  const rows = cases.map((c) => {
    const detail = [
      c.reason ? `<div class="reason">${html(c.reason)}</div>` : '',
      c.expectation ? `<div class="small">expected: ${html(c.expectation.reason)}</div>` : '',
      c.evidence?.length
        ? `<details><summary>evidence (${c.evidence.length})</summary><ul class="evidence">${c.evidence.map((e) => `<li><code>${html(e)}</code></li>`).join('')}</ul></details>`
        : '',
    ].join('');
    const width = Math.max(1, Math.round((c.durationMs / max) * 60));
    return `<tr class="case ${html(c.status)}"><td>${pill(c.status, statusLabel[c.status])}</td><td><div class="case-id">${html(c.id)}</div><div>${html(c.description)}</div>${detail}</td><td>${links(c, byId)}<div class="small">${html(c.level)}${c.observed.length ? ` · @${c.observed.map(html).join(' @')}` : ''}</div></td><td class="num time"><span class="tbar" style="width:${width}px"></span>${html(formatMs(c.durationMs))}</td></tr>`;
  });
  return `<table class="cases"><thead><tr><th>Status</th><th>Case</th><th>Requirements</th><th class="num">Time</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function notCertifiableList(report: ConformanceReport, byId: Map<string, RequirementEntry>) {
  if (report.notCertifiable.length === 0) return '';
  const items = report.notCertifiable.map((n) => {
    const r = byId.get(n.id);
    return `<li data-requirement="${html(n.id)}">${r ? requirementLink(r) : html(n.id)} <span class="muted">${html(n.reason)}</span></li>`;
  });
  return `<section id="not-certifiable"><h2>Not certifiable from outside <span class="count">${items.length}, neither passed nor failed</span></h2><ul class="plain">${items.join('')}</ul></section>`;
}

const styles = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1100px;margin:0 auto;padding:0 24px 48px}
.verdict{padding:24px 24px 22px;color:#fff}.verdict.certified{background:linear-gradient(135deg,#1a7f37,#116329)}.verdict.notCertified{background:linear-gradient(135deg,#cf222e,#a40e26)}.verdict.incomplete{background:linear-gradient(135deg,#9a6700,#7d4e00)}
.verdict .inner{max-width:1100px;margin:0 auto}.verdict h1{margin:0;font-size:28px;letter-spacing:.02em}.verdict h1 small{font-weight:400;opacity:.85;font-size:20px}.verdict p{margin:4px 0 0;font-size:15px;opacity:.95}
.verdict .line{font:600 15px ui-monospace,SFMono-Regular,Menlo,monospace;margin-top:10px;display:inline-block;background:rgba(255,255,255,.16);padding:2px 10px;border-radius:6px}
.meta{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:10px 24px;margin:20px 0;padding:14px 16px;background:var(--soft);border:1px solid var(--line);border-radius:8px}
.meta div span{display:block;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}.meta code{word-break:break-all}
.figures{display:flex;gap:12px;flex-wrap:wrap;margin:18px 0}.figure-box{flex:1 1 140px;border:1px solid var(--line);border-radius:8px;padding:10px 14px;border-top:4px solid var(--line)}
.figure-box.good{border-top-color:#1a7f37}.figure-box.bad{border-top-color:#cf222e}.figure-box.bad b{color:#cf222e}
.figure-box b{display:block;font-size:26px}.figure-box span{color:var(--muted);font-size:12px}
h2{font-size:18px;margin:32px 0 10px;padding-bottom:6px;border-bottom:1px solid var(--line)}h2 .count{color:var(--muted);font-weight:400}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}th{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
td.num,th.num{text-align:right;white-space:nowrap}.small{font-size:12px}.muted{color:var(--muted)}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
.pill.pass{background:#1a7f37}.pill.fail{background:#cf222e}.pill.error{background:#82071e}.pill.expectedFailure{background:#bf8700}.pill.unexpectedPass{background:#8250df}.pill.skip{background:#6e7781}.pill.notCertifiable{background:#8c959f}.pill.should{background:#bc4c00}
.case-id{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;color:var(--muted)}
.reason{margin-top:2px}tr.case.fail .reason,tr.case.error .reason,.failures .reason{color:#a40e26;font-weight:600}.failures .expected{color:#7d4e00;font-size:13px}
.evidence{margin:4px 0 0;padding-left:18px}.evidence code{font-size:12px;white-space:pre-wrap;word-break:break-all}
.failures{padding-left:20px}.failures li{margin-bottom:12px}.failures.soft .reason{color:#953800}.failures .why{color:var(--muted);font-size:13px}.failures .why .what{color:var(--fg)}
ul.plain{padding-left:18px}ul.plain li{margin-bottom:6px}
.chart .label{font-size:13px;fill:#1f2328}.chart .figure{font-size:12px;fill:#59636e}.chart .legend{font-size:11px;fill:#59636e}
.matrix tr.current td{background:#f0f6ff}.meter{display:inline-block;width:160px;height:10px;background:#eaeef2;border-radius:5px;vertical-align:middle;overflow:hidden}.meter div{height:100%;background:#1a7f37}
.budget{position:relative;width:180px;height:10px;background:#eaeef2;border-radius:5px;overflow:hidden}.budget div{height:100%;background:#1a7f37}.budget div.over{background:#cf222e}.budget i{position:absolute;top:0;bottom:0;width:2px;background:#1f2328}
td.text{max-width:560px}.time .tbar{display:inline-block;height:6px;background:#8c959f;border-radius:3px;margin-right:6px;vertical-align:middle}
details summary{cursor:pointer;color:var(--muted);font-size:12px}
footer{margin-top:36px;color:var(--muted);font-size:12px}
`;

/**
 * A self-contained HTML page (no external assets) that a person reads: the verdict first, then
 * the same counts and failed cases as the JSON report of the run [CNF-063].
 */
export function htmlReport(report: ConformanceReport): string {
  const byId = new Map(report.requirements.map((r) => [r.id, r]));
  const certify = report.cases.filter((c) => c.lane === 'certify');
  const staging = report.cases.filter((c) => c.lane === 'staging');
  const title = verdictTitle[report.verdict.status];
  const details = Object.entries(report.target.details)
    .map(([k, v]) => `<div><span>${html(k)}</span><code>${html(String(v))}</code></div>`)
    .join('');
  const { runner, deviceProfile, serverLoad } = report.environment;
  const environment = [
    `<div><span>Suite ran on</span>${html(runner.cpu)} · ${runner.cores} cores · ${html(formatBytes(runner.memoryBytes))} · Node ${html(runner.node)}</div>`,
    deviceProfile
      ? `<div><span>Device profile</span>${html(deviceProfile.profile)}: ${html(deviceProfile.device)}, ${html(deviceProfile.cpu)}</div>`
      : '',
    serverLoad
      ? `<div><span>Server load</span>${serverLoad.apps} apps × ${serverLoad.versionsPerApp} versions, ${serverLoad.deviceCredentials} devices</div>`
      : '',
  ].join('');
  const expectations = report.expectations
    ? `<div><span>Expectations file</span><code>${html(report.expectations.file)}</code> (${report.expectations.entries} entries)</div>`
    : '';
  const blocking = certify.filter((c) => c.level === 'MUST' && failedStatuses.includes(c.status));
  const soft = certify.filter((c) => c.level !== 'MUST' && failedStatuses.includes(c.status));
  const stale = certify.filter((c) => c.status === 'unexpectedPass');
  const { selection } = report;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${html(`${title}: ${report.class} conformance of ${report.implementation.name} ${report.implementation.version}`)}</title>
<style>${styles}</style></head>
<body>
<header class="verdict ${html(report.verdict.status)}" data-verdict="${html(report.verdict.status)}"><div class="inner">
<h1>${html(title)} <small>· ${html(report.implementation.name)} ${html(report.implementation.version)} · ${html(report.class)} class</small></h1>
<p>${html(report.verdict.summary)}</p>
<div class="line" data-counts="${html(summaryLine(report.counts))}">${html(summaryLine(report.counts))}</div>
</div></header>
<main>
<div class="meta">
<div><span>Implementation</span>${html(report.implementation.name)} <b>${html(report.implementation.version)}</b></div>
<div><span>Target (${html(report.target.kind)})</span><code>${html(report.target.label)}</code></div>
${details}
<div><span>Specification · suite</span>${html(report.specVersion)} · miniapp-certify ${html(report.suite.version)}</div>
<div><span>Run</span>${html(report.startedAt)} · ${html(formatMs(report.durationMs))}</div>
<div><span>Selection</span>lanes ${html(selection.lanes.join(', '))}${selection.only.length ? ` · only ${html(selection.only.join(', '))}` : ''} · ${selection.selected}/${selection.available} cases${selection.notDeclared ? ` · ${selection.notDeclared} optional not declared` : ''}${selection.partial ? ' · <strong>partial</strong>' : ''}</div>
${environment}
${expectations}
</div>
${countFigures(report)}
${failureSection('failures-must', 'Failures that block certification', blocking, byId)}
${failureSection('unexpected-passes', 'Listed as expected failures, but passed: update the expectations file', stale, byId, true)}
${measurementTable(certify, report)}
<section id="areas"><h2>MUST requirements by spec document</h2>${areaChart(report)}</section>
${failureSection('failures-should', 'Recommendations not met (SHOULD, MAY)', soft, byId, true)}
<section id="coverage"><h2>Coverage by conformance class</h2>${classMatrix(report)}</section>
${notCertifiableList(report, byId)}
<section id="requirements"><h2>Requirements <span class="count">${report.requirements.length}</span></h2>${requirementTable(report)}</section>
<section id="cases"><h2>Cases <span class="count">${certify.length}</span></h2>${caseTable(certify, byId)}</section>
${staging.length ? `<section id="staging"><h2>Staging lane <span class="count">${staging.length}, not counted</span></h2>${caseTable(staging, byId)}</section>` : ''}
<footer>miniapp-certify ${html(report.suite.version)} · report format ${report.reportVersion} · started ${html(report.startedAt)}, finished ${html(report.finishedAt)}</footer>
</main></body></html>
`;
}
