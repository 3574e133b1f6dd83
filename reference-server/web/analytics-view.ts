import { launchesByDay, utcDay } from './analytics-series.ts';
import type { AnalyticsSummary } from './api-types.ts';
import { barChart, lineChart } from './chart-view.ts';
import type { ConsoleContext } from './console-shell.ts';
import { el, replaceChildren } from './dom-builder.ts';
import { actionForm, field } from './form-controls.ts';
import { formatRatio } from './quantity-format.ts';

const integer = (value: number): string => Math.round(value).toLocaleString('en');
const percent = (value: number): string => formatRatio(value, value !== 0 && value < 0.01 ? 2 : 0);
const milliseconds = (value: number): string => `${integer(value)} ms`;

/** The charts of one summary: launches per day, D1/D7 retention, crash rate and cold starts by version. */
export function analyticsCharts(summary: AnalyticsSummary): HTMLElement {
  const launches = launchesByDay(summary);
  const versions = summary.versions;
  const versionLabels = versions.map((v) => `v${v.versionCode}`);
  return el(
    'div',
    { class: 'charts' },
    el(
      'p',
      { class: 'kpi' },
      el('strong', { attrs: { id: 'launch-total' } }, integer(summary.launches.total)),
      ` launches from ${summary.from} to ${summary.to}`,
    ),
    barChart({
      id: 'chart-launches',
      title: 'Launches per day',
      description: `Launches per UTC day from ${summary.from} to ${summary.to}; days with too few devices to publish are left out.`,
      labels: launches.days.map((d) => d.slice(5)),
      series: [{ name: 'Launches', values: launches.counts }],
      format: integer,
    }),
    lineChart({
      id: 'chart-retention',
      title: 'Retention by first-launch day',
      description:
        'Share of each day’s new devices that came back one day (D1) and seven days (D7) later.',
      labels: summary.retention.map((r) => r.cohortDay.slice(5)),
      series: [
        { name: 'D1', values: summary.retention.map((r) => r.d1) },
        { name: 'D7', values: summary.retention.map((r) => r.d7) },
      ],
      format: percent,
    }),
    barChart({
      id: 'chart-crashes',
      title: 'Crash rate by version',
      description: 'Crashes per launch of each versionCode.',
      labels: versionLabels,
      series: [{ name: 'Crash rate', values: versions.map((v) => v.crashRate) }],
      format: percent,
    }),
    barChart({
      id: 'chart-cold-start',
      title: 'Cold start by version',
      description:
        'Cold-start duration percentiles (p50, p90, p99) of each versionCode, in milliseconds.',
      labels: versionLabels,
      series: [
        { name: 'p50', values: versions.map((v) => v.coldStart.p50) },
        { name: 'p90', values: versions.map((v) => v.coldStart.p90) },
        { name: 'p99', values: versions.map((v) => v.coldStart.p99) },
      ],
      format: milliseconds,
    }),
  );
}

/** The analytics of an app over a chosen period, the last 14 days by default. */
export async function analyticsView(context: ConsoleContext, appId: string): Promise<Node> {
  const today = new Date();
  const from = el('input', {
    attrs: {
      type: 'date',
      name: 'from',
      required: true,
      value: utcDay(new Date(today.getTime() - 13 * 86_400_000)),
    },
  });
  const to = el('input', {
    attrs: { type: 'date', name: 'to', required: true, value: utcDay(today) },
  });
  const charts = el('div', { attrs: { id: 'analytics' } });
  const load = async (): Promise<void> => {
    const query = new URLSearchParams({ from: from.value, to: to.value });
    const summary = await context.api.json<AnalyticsSummary>(
      'GET',
      `/v1/partner/apps/${encodeURIComponent(appId)}/analytics/summary?${query.toString()}`,
    );
    replaceChildren(charts, analyticsCharts(summary));
  };
  await load();
  const period = actionForm(
    context,
    { label: 'Analytics period', submit: 'Show', class: 'inline-form' },
    [field('From', from), field('To', to)],
    async () => {
      await load();
      return null;
    },
  );
  return el('div', {}, period, charts);
}
