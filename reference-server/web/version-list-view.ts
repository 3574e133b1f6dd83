import type { ReviewReport, VersionPage } from './api-types.ts';
import { routeHref, type ConsoleContext } from './console-shell.ts';
import { el } from './dom-builder.ts';
import { table } from './form-controls.ts';
import { formatBytes, formatTime } from './quantity-format.ts';
import { reportView, statusBadge } from './report-view.ts';
import { uploadForm } from './upload-form.ts';

const appPath = (appId: string): string => `/v1/partner/apps/${encodeURIComponent(appId)}`;

/** The versions of an app, newest first, with the upload form. */
export async function versionListView(context: ConsoleContext, appId: string): Promise<Node> {
  const page = await context.api.json<VersionPage>('GET', `${appPath(appId)}/versions?limit=100`);
  const rows = page.items.map((v) =>
    el(
      'tr',
      {},
      el('td', { class: 'num' }, v.versionCode),
      el('td', {}, v.version),
      el('td', {}, statusBadge(v.reviewStatus)),
      el('td', { class: 'num' }, formatBytes(v.package.length)),
      el('td', {}, formatTime(v.uploadedAt)),
      el('td', {}, el('code', { attrs: { title: v.signedBy } }, `${v.signedBy.slice(0, 10)}…`)),
      el(
        'td',
        {},
        el(
          'a',
          { attrs: { href: routeHref('apps', appId, 'versions', v.versionCode) } },
          'Review report',
        ),
      ),
    ),
  );
  return el(
    'div',
    {},
    table(
      ['versionCode', 'Version', 'Status', 'Size', 'Uploaded', 'Signed by', ''],
      rows,
      'No versions yet: upload the first one below.',
    ),
    uploadForm(context, appId),
  );
}

/** The review report of one version; while automated checks run, the view reloads itself. */
export async function versionReportView(
  context: ConsoleContext,
  appId: string,
  versionCode: string,
): Promise<Node> {
  const report = await context.api.json<ReviewReport>(
    'GET',
    `${appPath(appId)}/versions/${encodeURIComponent(versionCode)}/review`,
  );
  if (report.status === 'checking') {
    const hash = location.hash;
    setTimeout(() => {
      if (location.hash === hash) context.refresh();
    }, 2000);
  }
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'report-title' } },
    el('p', {}, el('a', { attrs: { href: routeHref('apps', appId) } }, `← ${appId}`)),
    el(
      'h1',
      { attrs: { id: 'report-title' } },
      `Review report: ${report.version} (versionCode ${report.versionCode})`,
    ),
    report.status === 'checking'
      ? el('p', { class: 'muted' }, 'Automated checks are running; this page reloads.')
      : null,
    reportView(context.api, report),
  );
}
