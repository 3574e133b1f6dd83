import type { ReviewQueuePage, ReviewReport } from './api-types.ts';
import { routeHref, type ConsoleContext } from './console-shell.ts';
import { el } from './dom-builder.ts';
import { actionForm, field, table } from './form-controls.ts';
import { formatAge, formatTime } from './quantity-format.ts';
import { reportView } from './report-view.ts';

const reasonLabels: Record<string, string> = {
  firstVersion: 'first version',
  newPermission: 'new permission',
  warning: 'warnings',
};

/** The versions waiting for a decision, oldest first, with why each is queued [REV-014]. */
export async function reviewQueueView(context: ConsoleContext): Promise<Node> {
  const page = await context.api.json<ReviewQueuePage>('GET', '/v1/review/queue?limit=100');
  const rows = page.items.map((item) =>
    el(
      'tr',
      {},
      el(
        'td',
        {},
        el(
          'a',
          { attrs: { href: routeHref('versions', item.appId, item.versionCode) } },
          item.appId,
        ),
      ),
      el('td', {}, `${item.version} (${item.versionCode})`),
      el('td', {}, el('code', {}, item.partnerId)),
      el(
        'td',
        {},
        ...item.reasons.map((r) =>
          el('span', { class: `badge reason-${r}` }, reasonLabels[r] ?? r),
        ),
      ),
      el('td', { attrs: { title: formatTime(item.enteredAt) } }, formatAge(item.enteredAt)),
    ),
  );
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'queue-title' } },
    el(
      'h1',
      { attrs: { id: 'queue-title' } },
      `Review queue (${page.items.length}${page.nextCursor ? '+' : ''})`,
    ),
    table(['App', 'Version', 'Partner', 'Reasons', 'Waiting'], rows, 'The queue is empty.'),
  );
}

function decisionForm(context: ConsoleContext, report: ReviewReport): HTMLElement {
  const path = `/v1/review/${encodeURIComponent(report.appId)}/${report.versionCode}/decision`;
  const feedback = el('textarea', {
    attrs: {
      name: 'feedback',
      rows: 4,
      maxlength: 10000,
      placeholder: 'What must change, and where.',
    },
  });
  const decide = async (decision: 'approve' | 'reject'): Promise<string> => {
    const text = feedback.value.trim();
    const updated = await context.api.json<ReviewReport>('POST', path, {
      decision,
      ...(text ? { feedback: text } : {}),
    });
    return `versionCode ${updated.versionCode} of ${updated.appId} is now ${updated.status}.`;
  };
  const approve = actionForm(
    context,
    { label: 'Approve', submit: 'Approve', class: 'inline-form approve' },
    [],
    () => decide('approve'),
  );
  const reject = actionForm(
    context,
    {
      label: 'Reject with feedback',
      submit: 'Reject',
      class: 'card form reject',
      submitClass: 'danger',
    },
    [field('Feedback for the partner', feedback, 'Required to reject [REV-017].')],
    () => decide('reject'),
  );
  feedback.required = true;
  return el(
    'section',
    { class: 'decision', attrs: { 'aria-label': 'Decision' } },
    el('h2', {}, 'Decision'),
    approve,
    reject,
  );
}

/** A queued version's report with its screenshots, and the approve and reject forms. */
export async function reviewReportView(
  context: ConsoleContext,
  appId: string,
  versionCode: string,
): Promise<Node> {
  const report = await context.api.json<ReviewReport>(
    'GET',
    `/v1/review/${encodeURIComponent(appId)}/${encodeURIComponent(versionCode)}`,
  );
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'report-title' } },
    el('p', {}, el('a', { attrs: { href: routeHref() } }, '← Queue')),
    el(
      'h1',
      { attrs: { id: 'report-title' } },
      `${report.appId} ${report.version} (versionCode ${report.versionCode})`,
    ),
    report.status === 'queued' ? decisionForm(context, report) : null,
    reportView(context.api, report),
  );
}
