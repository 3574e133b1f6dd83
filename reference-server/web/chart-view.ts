import {
  groupedBarLayout,
  linePath,
  linePoints,
  linearScale,
  plotArea,
  round,
  valueAxis,
  type ChartFrame,
} from './chart-geometry.ts';
import { el, svg } from './dom-builder.ts';

const frame: ChartFrame = {
  width: 640,
  height: 240,
  margin: { top: 16, right: 16, bottom: 36, left: 64 },
};

/** One named series of values; null is a value not known yet. */
export interface Series {
  name: string;
  values: readonly (number | null)[];
}

/** What every chart states: a title and description for assistive technology, labels and a format. */
export interface ChartOptions {
  id: string;
  title: string;
  description: string;
  /** One label per category (a day, a version). */
  labels: readonly string[];
  series: readonly Series[];
  format: (value: number) => string;
}

/** Horizontal grid lines with the value labels of the axis. */
function valueGrid(ticks: readonly number[], format: (value: number) => string): SVGGElement {
  const area = plotArea(frame);
  const y = linearScale([ticks[0] ?? 0, ticks.at(-1) ?? 1], [area.bottom, area.top]);
  return svg(
    'g',
    { class: 'grid', 'aria-hidden': 'true' },
    ...ticks.map((tick) =>
      svg(
        'g',
        {},
        svg('line', { x1: area.left, x2: area.right, y1: round(y(tick)), y2: round(y(tick)) }),
        svg(
          'text',
          {
            x: area.left - 8,
            y: round(y(tick)),
            'text-anchor': 'end',
            'dominant-baseline': 'middle',
          },
          format(tick),
        ),
      ),
    ),
  );
}

/** Category labels under the plot, thinned so they never overlap. */
function categoryLabels(labels: readonly string[], centres: readonly number[]): SVGGElement {
  const step = Math.max(1, Math.ceil(labels.length / 8));
  return svg(
    'g',
    { class: 'categories', 'aria-hidden': 'true' },
    ...labels.map((label, i) =>
      i % step === 0
        ? svg(
            'text',
            { x: round(centres[i] ?? 0), y: frame.height - 12, 'text-anchor': 'middle' },
            label,
          )
        : null,
    ),
  );
}

function legend(series: readonly Series[]): HTMLElement | null {
  if (series.length < 2) return null;
  return el(
    'ul',
    { class: 'legend', attrs: { 'aria-hidden': 'true' } },
    ...series.map((s, i) => el('li', { class: `series-${i}` }, s.name)),
  );
}

/** The same numbers as a table, for screen readers and for people who want the exact values. */
function dataTable(options: ChartOptions): HTMLElement {
  return el(
    'details',
    { class: 'chart-data' },
    el('summary', {}, 'Data table'),
    el(
      'table',
      {},
      el('caption', {}, options.title),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { attrs: { scope: 'col' } }, ''),
          ...options.series.map((s) => el('th', { attrs: { scope: 'col' } }, s.name)),
        ),
      ),
      el(
        'tbody',
        {},
        ...options.labels.map((label, i) =>
          el(
            'tr',
            {},
            el('th', { attrs: { scope: 'row' } }, label),
            ...options.series.map((s) => {
              const value = s.values[i];
              return el(
                'td',
                {},
                value === null || value === undefined ? '–' : options.format(value),
              );
            }),
          ),
        ),
      ),
    ),
  );
}

function figure(options: ChartOptions, plot: SVGElement[]): HTMLElement {
  const titleId = `${options.id}-title`;
  const descId = `${options.id}-desc`;
  const empty = options.labels.length === 0;
  return el(
    'figure',
    { class: 'chart', attrs: { id: options.id } },
    el('figcaption', {}, options.title),
    empty
      ? el('p', { class: 'muted empty-chart' }, 'No data in this period.')
      : svg(
          'svg',
          {
            viewBox: `0 0 ${frame.width} ${frame.height}`,
            role: 'img',
            'aria-labelledby': `${titleId} ${descId}`,
            preserveAspectRatio: 'xMidYMid meet',
          },
          svg('title', { id: titleId }, options.title),
          svg('desc', { id: descId }, options.description),
          ...plot,
        ),
    empty ? null : legend(options.series),
    empty ? null : dataTable(options),
  );
}

/** A bar chart; several series draw grouped bars per category. */
export function barChart(options: ChartOptions): HTMLElement {
  const groups = options.labels.map((_, i) => options.series.map((s) => s.values[i] ?? 0));
  const ticks = valueAxis(groups.flat());
  const bars = groupedBarLayout(groups, frame);
  const centres = bars.map((group) => {
    const first = group[0];
    const last = group.at(-1);
    return first && last ? (first.x + last.x + last.width) / 2 : 0;
  });
  return figure(options, [
    valueGrid(ticks, options.format),
    svg(
      'g',
      { class: 'bars' },
      ...bars.flatMap((group, g) =>
        group.map((bar, i) =>
          svg(
            'rect',
            {
              class: `bar series-${i}`,
              x: round(bar.x),
              y: round(bar.y),
              width: round(bar.width),
              height: round(bar.height),
            },
            svg(
              'title',
              {},
              `${options.labels[g] ?? ''} ${options.series[i]?.name ?? ''}: ${options.format(bar.value)}`,
            ),
          ),
        ),
      ),
    ),
    categoryLabels(options.labels, centres),
  ]);
}

/** A line chart with a marker on every known value. */
export function lineChart(options: ChartOptions): HTMLElement {
  const known = options.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const ticks = valueAxis(known);
  const domain: [number, number] = [ticks[0] ?? 0, ticks.at(-1) ?? 1];
  const area = plotArea(frame);
  const x = linearScale([0, options.labels.length - 1], [area.left, area.right]);
  return figure(options, [
    valueGrid(ticks, options.format),
    ...options.series.map((s, i) => {
      const points = linePoints(s.values, frame, domain);
      return svg(
        'g',
        { class: `line-series series-${i}` },
        svg('path', { class: 'line', d: linePath(points) }),
        ...points.map((p, k) =>
          p
            ? svg(
                'circle',
                { class: 'point', cx: round(p.x), cy: round(p.y), r: 3.5 },
                svg(
                  'title',
                  {},
                  `${options.labels[k] ?? ''} ${s.name}: ${options.format(s.values[k] ?? 0)}`,
                ),
              )
            : null,
        ),
      );
    }),
    categoryLabels(
      options.labels,
      options.labels.map((_, i) => x(i)),
    ),
  ]);
}
