import type { ApiClient } from './api-client.ts';
import type { Finding, ReviewReport } from './api-types.ts';
import { el } from './dom-builder.ts';
import { errorNotice } from './notice.ts';
import { formatBytes, formatTime } from './quantity-format.ts';

/** A review status as a badge whose colour matches its meaning. */
export function statusBadge(status: string): HTMLElement {
  return el('span', { class: `badge status-${status}` }, status);
}

function locationText(finding: Finding): string {
  const where = finding.location;
  if (!where) return '';
  if (where.file) {
    return [where.file, where.line, where.line !== undefined ? where.column : undefined]
      .filter((part) => part !== undefined)
      .join(':');
  }
  return where.pointer ?? where.method ?? '';
}

/** The findings as a table: severity, code, requirement, location, message and the fix [REV-011]. */
function findingsTable(findings: readonly Finding[]): HTMLElement {
  if (findings.length === 0)
    return el('p', { class: 'muted' }, 'No findings: every automated check passed.');
  return el(
    'table',
    { class: 'findings' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...['Severity', 'Code', 'Requirement', 'Where', 'Finding', 'Fix'].map((h) =>
          el('th', { attrs: { scope: 'col' } }, h),
        ),
      ),
    ),
    el(
      'tbody',
      {},
      ...findings.map((f) =>
        el(
          'tr',
          { class: `finding finding-${f.severity}` },
          el('td', {}, el('span', { class: `badge severity-${f.severity}` }, f.severity)),
          el('td', {}, el('code', {}, f.code)),
          el('td', {}, el('code', {}, f.requirement)),
          el('td', {}, el('code', {}, locationText(f))),
          el('td', {}, f.message),
          el('td', {}, f.fix ?? ''),
        ),
      ),
    ),
  );
}

/**
 * The screenshots of the report. The image route needs the bearer token, so each image is fetched
 * and shown from a blob: URL (allowed by the pages' img-src policy).
 */
function screenshotGallery(api: ApiClient, report: ReviewReport): HTMLElement {
  if (report.screenshots.length === 0) {
    return el('p', { class: 'muted' }, 'No screenshots were taken for this version.');
  }
  const gallery = el('div', { class: 'screenshots' });
  for (const shot of report.screenshots) {
    const image = el('img', {
      attrs: {
        alt: `Screenshot of ${shot.page}`,
        width: shot.width,
        height: shot.height,
        class: 'screenshot',
      },
    });
    const item = el('figure', { class: 'screenshot-item' }, image, el('figcaption', {}, shot.page));
    gallery.appendChild(item);
    api.blob(shot.url).then(
      (blob) => {
        image.src = URL.createObjectURL(blob);
      },
      (error: unknown) => item.replaceChildren(errorNotice(error)),
    );
  }
  return gallery;
}

/** A whole review report: summary, findings, screenshots and the decisions taken. */
export function reportView(api: ApiClient, report: ReviewReport): HTMLElement {
  return el(
    'div',
    { class: 'report' },
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, 'Status'),
      el('dd', {}, statusBadge(report.status)),
      el('dt', {}, 'Version'),
      el('dd', {}, `${report.version} (versionCode ${report.versionCode})`),
      el('dt', {}, 'Package'),
      el(
        'dd',
        {},
        formatBytes(report.package.length),
        ' · ',
        el('code', { class: 'digest' }, report.package.sha256),
      ),
      el('dt', {}, 'Checked'),
      el(
        'dd',
        {},
        `${formatTime(report.createdAt)} · spec ${report.specVersion} · rules ${report.ruleSetVersion}`,
      ),
    ),
    el('h3', {}, `Findings (${report.findings.length})`),
    findingsTable(report.findings),
    el('h3', {}, 'Screenshots'),
    screenshotGallery(api, report),
    el('h3', {}, 'Decisions'),
    report.decisions.length === 0
      ? el('p', { class: 'muted' }, 'No reviewer decision yet.')
      : el(
          'ul',
          { class: 'decisions' },
          ...report.decisions.map((d) =>
            el(
              'li',
              {},
              statusBadge(d.decision === 'approve' ? 'approved' : 'rejected'),
              ` by ${d.reviewer} on ${formatTime(d.decidedAt)}`,
              d.feedback ? el('blockquote', {}, d.feedback) : null,
            ),
          ),
        ),
  );
}
