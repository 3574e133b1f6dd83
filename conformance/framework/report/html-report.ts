import type { ConformanceReport, RequirementStatus } from './report-builder.ts';

type CaseEntry = ConformanceReport['cases'][number];
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
  xfail: '#bf8700',
  xpass: '#8250df',
  skip: '#6e7781',
  untestable: '#8c959f',
  open: '#d0d7de',
} as const;

const outcomeLabel: Record<CaseEntry['outcome'], string> = {
  pass: 'pass',
  fail: 'fail',
  skip: 'skipped',
  xfail: 'expected failure',
  xpass: 'unexpected pass',
};

const statusLabel: Record<RequirementStatus, string> = {
  pass: 'pass',
  fail: 'fail',
  xfail: 'expected failure',
  skip: 'skipped',
  'not-run': 'not run',
  untestable: 'not certifiable from outside',
  uncovered: 'no case',
};

function pill(kind: string, label: string): string {
  return `<span class="pill ${html(kind)}">${html(label)}</span>`;
}

function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
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
    const open = a.musts - a.passed - a.failed - a.expectedFailures - a.untestable;
    const segments: [string, number, string][] = [
      ['pass', a.passed, 'passed'],
      ['fail', a.failed, 'failed'],
      ['xfail', a.expectedFailures, 'expected failures'],
      ['untestable', a.untestable, 'not certifiable from outside'],
      ['open', open, 'not run or no case'],
    ];
    let x = labelWidth;
    const rects = segments
      .filter(([, n]) => n > 0)
      .map(([kind, n, title]) => {
        const w = (n / max) * barWidth;
        const rect = `<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(w, 1).toFixed(1)}" height="18" fill="${colours[kind as keyof typeof colours]}"><title>${html(`${a.document}: ${n} ${title}`)}</title></rect>`;
        x += w;
        return rect;
      })
      .join('');
    const figures = [
      `${a.passed} pass`,
      a.failed ? `${a.failed} fail` : '',
      a.expectedFailures ? `${a.expectedFailures} expected` : '',
      open ? `${open} skipped` : '',
      a.untestable ? `${a.untestable} not certifiable` : '',
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
      ['fail', 'fail'],
      ['xfail', 'expected failure'],
      ['untestable', 'not certifiable from outside'],
      ['open', 'skipped or not run'],
    ] as const
  )
    .map(([kind, label]) => {
      const x = legendX;
      legendX += 24 + label.length * 6.2;
      return `<rect x="${x}" y="${height - 18}" width="10" height="10" fill="${colours[kind]}"/><text x="${x + 14}" y="${height - 9}" class="legend">${html(label)}</text>`;
    })
    .join('');
  return `<svg class="chart" role="img" aria-label="MUST requirements per spec document" viewBox="0 0 ${labelWidth + barWidth + 230} ${height}" width="100%">${rows.join('')}${legend}</svg>`;
}

function classMatrix(report: ConformanceReport): string {
  const rows = report.coverage.classes.map((c) => {
    const width = Math.round(c.percent);
    return `<tr${c.class === report.class ? ' class="current"' : ''}>
<td>${html(c.class)}</td><td class="num">${c.musts}</td><td class="num">${c.covered}</td><td class="num">${c.untestable}</td><td class="num">${c.uncovered.length}</td>
<td><div class="meter" title="${c.percent}%"><div style="width:${width}%"></div></div> <strong>${c.percent}%</strong>${c.suite ? '' : ' <span class="muted">(no suite yet)</span>'}</td></tr>`;
  });
  return `<table class="matrix"><thead><tr><th>Class</th><th class="num">MUSTs</th><th class="num">With a case</th><th class="num">Not certifiable from outside</th><th class="num">Without a case</th><th>Coverage of what can be tested</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function requirementLink(r: Pick<RequirementEntry, 'id' | 'href' | 'document' | 'line'>): string {
  return `<a href="${html(r.href)}" title="${html(`${r.document}, line ${r.line}`)}">${html(r.id)}</a>`;
}

function evidenceList(evidence: readonly string[] | undefined): string {
  if (!evidence?.length) return '';
  const items = `<ul class="evidence">${evidence.map((e) => `<li><code>${html(e)}</code></li>`).join('')}</ul>`;
  return evidence.length > 3
    ? `<details><summary>${evidence.length} findings</summary>${items}</details>`
    : items;
}

function failureList(
  report: ConformanceReport,
  byId: Map<string, RequirementEntry>,
  level: 'MUST' | 'other',
): string {
  const failed = report.cases.filter(
    (c) =>
      c.lane === 'certify' &&
      c.outcome === 'fail' &&
      (level === 'MUST' ? c.level === 'MUST' : c.level !== 'MUST'),
  );
  if (failed.length === 0) return '';
  const items = failed.map((c) => {
    const links = c.requirements
      .map((id) => byId.get(id))
      .map((r) => (r ? requirementLink(r) : ''))
      .join(' ');
    return `<li><div class="fail-head">${pill(c.level === 'MUST' ? 'fail' : 'should', c.level)} ${links} <span class="case-id">${html(c.id)}</span></div>
<div class="reason">${html(c.reason ?? 'failed')}</div>${evidenceList(c.evidence)}<div class="why">${html(c.why)}</div></li>`;
  });
  const title =
    level === 'MUST'
      ? 'Failures that block certification'
      : 'Recommendations not met (SHOULD, MAY)';
  return `<section id="failures-${level === 'MUST' ? 'must' : 'should'}"><h2>${title} <span class="count">${failed.length}</span></h2><ol class="failures${level === 'MUST' ? '' : ' soft'}">${items.join('')}</ol></section>`;
}

function requirementTable(report: ConformanceReport): string {
  const rows = report.requirements.map((r) => {
    const kind = r.status === 'not-run' || r.status === 'uncovered' ? 'skip' : r.status;
    const note = r.untestableReason
      ? `<div class="muted small">${html(r.untestableReason)}</div>`
      : '';
    return `<tr class="req ${html(r.status)}"><td>${requirementLink(r)}</td><td>${html(r.level)}</td><td>${pill(kind, statusLabel[r.status])}</td><td class="text">${html(r.text)}${note}</td><td class="small">${r.cases.map(html).join('<br>')}</td></tr>`;
  });
  return `<table class="requirements"><thead><tr><th>Requirement</th><th>Level</th><th>Status</th><th>Text</th><th>Cases</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function caseTable(cases: readonly CaseEntry[], byId: Map<string, RequirementEntry>): string {
  const max = Math.max(1, ...cases.map((c) => c.durationMs));
  const rows = cases.map((c) => {
    const links = c.requirements
      .map((id) => {
        const r = byId.get(id);
        return r ? requirementLink(r) : html(id);
      })
      .join(' ');
    const detail = [
      c.reason ? `<div class="reason">${html(c.reason)}</div>` : '',
      c.expectation ? `<div class="small">expected: ${html(c.expectation.reason)}</div>` : '',
      c.evidence?.length
        ? `<details><summary>evidence (${c.evidence.length})</summary><ul class="evidence">${c.evidence.map((e) => `<li><code>${html(e)}</code></li>`).join('')}</ul></details>`
        : '',
    ].join('');
    const width = Math.max(1, Math.round((c.durationMs / max) * 60));
    return `<tr class="case ${html(c.outcome)}"><td>${pill(c.outcome, outcomeLabel[c.outcome])}</td><td><div class="case-id">${html(c.id)}</div><div>${html(c.description)}</div>${detail}</td><td>${links}<div class="small">${html(c.level)}</div></td><td class="num time"><span class="tbar" style="width:${width}px"></span>${html(formatMs(c.durationMs))}</td></tr>`;
  });
  return `<table class="cases"><thead><tr><th>Outcome</th><th>Case</th><th>Requirements</th><th class="num">Time</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const styles = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1100px;margin:0 auto;padding:0 24px 48px}
.verdict{padding:22px 24px;color:#fff}.verdict.certified{background:#1a7f37}.verdict.not-certified{background:#cf222e}.verdict.incomplete{background:#9a6700}
.verdict .inner{max-width:1100px;margin:0 auto}.verdict h1{margin:0;font-size:28px;letter-spacing:.02em}.verdict p{margin:4px 0 0;font-size:15px;opacity:.95}
.verdict .line{font:600 15px ui-monospace,SFMono-Regular,Menlo,monospace;margin-top:10px}
.meta{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:10px 24px;margin:20px 0;padding:14px 16px;background:var(--soft);border:1px solid var(--line);border-radius:8px}
.meta div span{display:block;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}.meta code{word-break:break-all}
.figures{display:flex;gap:14px;flex-wrap:wrap;margin:18px 0}.figure-box{flex:1 1 140px;border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.figure-box b{display:block;font-size:26px}.figure-box span{color:var(--muted);font-size:12px}
h2{font-size:18px;margin:32px 0 10px;padding-bottom:6px;border-bottom:1px solid var(--line)}h2 .count{color:var(--muted);font-weight:400}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}th{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
td.num,th.num{text-align:right;white-space:nowrap}.small{font-size:12px}.muted{color:var(--muted)}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
.pill.pass{background:#1a7f37}.pill.fail{background:#cf222e}.pill.xfail{background:#bf8700}.pill.xpass{background:#8250df}.pill.skip{background:#6e7781}.pill.untestable{background:#8c959f}.pill.should{background:#bc4c00}
.case-id{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;color:var(--muted)}
.reason{margin-top:2px}tr.case.fail .reason,.failures .reason{color:#a40e26;font-weight:600}
.evidence{margin:4px 0 0;padding-left:18px}.evidence code{font-size:12px;white-space:pre-wrap;word-break:break-all}
.failures{padding-left:20px}.failures li{margin-bottom:12px}.failures.soft .reason{color:#953800}.failures .why{color:var(--muted);font-size:13px}
.chart .label{font-size:13px;fill:#1f2328}.chart .figure{font-size:12px;fill:#59636e}.chart .legend{font-size:11px;fill:#59636e}
.matrix tr.current td{background:#f0f6ff}.meter{display:inline-block;width:160px;height:10px;background:#eaeef2;border-radius:5px;vertical-align:middle;overflow:hidden}.meter div{height:100%;background:#1a7f37}
td.text{max-width:560px}.time .tbar{display:inline-block;height:6px;background:#8c959f;border-radius:3px;margin-right:6px;vertical-align:middle}
details summary{cursor:pointer;color:var(--muted);font-size:12px}
footer{margin-top:36px;color:var(--muted);font-size:12px}
`;

/** A self-contained HTML page (no external assets) that a person reads: verdict first. */
export function htmlReport(report: ConformanceReport): string {
  const byId = new Map(report.requirements.map((r) => [r.id, r]));
  const certify = report.cases.filter((c) => c.lane === 'certify');
  const staging = report.cases.filter((c) => c.lane === 'staging');
  const own = report.coverage.classes.find((c) => c.class === report.class);
  const musts = report.requirements.filter((r) => r.level === 'MUST');
  const mustPassed = musts.filter((r) => r.status === 'pass').length;
  const mustFailed = musts.filter((r) => r.status === 'fail' || r.status === 'xfail').length;
  const { counts } = report;
  const title = {
    certified: 'Certified',
    'not-certified': 'Not certified',
    incomplete: 'Incomplete run',
  }[report.verdict.status];
  const line = `${counts.passed} passed, ${counts.failed} failed${counts.expectedFailures ? `, ${counts.expectedFailures} expected failures` : ''}${counts.skipped ? `, ${counts.skipped} skipped` : ''}`;
  const details = Object.entries(report.target.details)
    .map(([k, v]) => `<div><span>${html(k)}</span><code>${html(String(v))}</code></div>`)
    .join('');
  const expectations = report.expectations
    ? `<div><span>Expectations file</span><code>${html(report.expectations.file)}</code> (${report.expectations.entries} entries${report.expectations.unmatched.length ? `, ${report.expectations.unmatched.length} naming no case: ${html(report.expectations.unmatched.join(', '))}` : ''})</div>`
    : '';
  const xfails = certify.filter((c) => c.outcome === 'xfail' || c.outcome === 'xpass');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${html(`${title}: ${report.class} conformance of ${report.target.label}`)}</title>
<style>${styles}</style></head>
<body>
<header class="verdict ${html(report.verdict.status)}"><div class="inner">
<h1>${html(title)} <span style="font-weight:400;opacity:.85">· ${html(report.class)} class</span></h1>
<p>${html(report.verdict.summary)}</p>
<div class="line">${html(line)}</div>
</div></header>
<main>
<div class="meta">
<div><span>Target (${html(report.target.kind)})</span><code>${html(report.target.label)}</code></div>
${details}
<div><span>Specification</span>${html(report.specVersion)}</div>
<div><span>Run</span>${html(report.startedAt)} · ${html(formatMs(report.durationMs))}</div>
<div><span>Selection</span>lanes ${html(report.selection.lanes.join(', '))}${report.selection.only.length ? ` · only ${html(report.selection.only.join(', '))}` : ''} · ${report.selection.selected}/${report.selection.available} cases${report.selection.partial ? ' · <strong>partial</strong>' : ''}</div>
${expectations}
</div>
<div class="figures">
<div class="figure-box"><b>${mustPassed}/${musts.length}</b><span>MUST requirements passed</span></div>
<div class="figure-box"><b style="color:${mustFailed ? colours.fail : 'inherit'}">${mustFailed}</b><span>MUST requirements failed</span></div>
<div class="figure-box"><b>${own ? `${own.percent}%` : '—'}</b><span>coverage of testable MUSTs (${own ? `${own.covered}/${own.musts - own.untestable}` : ''})</span></div>
<div class="figure-box"><b>${counts.total}</b><span>cases${counts.staging.total ? ` (+${counts.staging.total} staging)` : ''}</span></div>
</div>
${failureList(report, byId, 'MUST')}
<section id="areas"><h2>MUST requirements by spec document</h2>${areaChart(report)}</section>
<section id="coverage"><h2>Coverage by conformance class</h2>${classMatrix(report)}</section>
${failureList(report, byId, 'other')}
${xfails.length ? `<section><h2>Expected failures <span class="count">${xfails.length}</span></h2>${caseTable(xfails, byId)}</section>` : ''}
<section id="requirements"><h2>Requirements <span class="count">${report.requirements.length}</span></h2>${requirementTable(report)}</section>
<section id="cases"><h2>Cases <span class="count">${certify.length}</span></h2>${caseTable(certify, byId)}</section>
${staging.length ? `<section><h2>Staging lane <span class="count">${staging.length}, not counted</span></h2>${caseTable(staging, byId)}</section>` : ''}
<footer>miniapp-certify ${html(report.tool.version)} · report format ${report.reportVersion} · started ${html(report.startedAt)}, finished ${html(report.finishedAt)}</footer>
</main></body></html>
`;
}
