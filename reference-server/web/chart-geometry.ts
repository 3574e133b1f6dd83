/** The drawing area of a chart: the SVG size and the margins kept for axis labels. */
export interface ChartFrame {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

/** A rectangle of a bar chart, in SVG user units, with the value it stands for. */
export interface BarRect {
  x: number;
  y: number;
  width: number;
  height: number;
  value: number;
}

export interface Point {
  x: number;
  y: number;
}

/** The plotting rectangle inside the margins. */
export function plotArea(frame: ChartFrame): {
  left: number;
  right: number;
  top: number;
  bottom: number;
} {
  const left = frame.margin.left;
  const top = frame.margin.top;
  return {
    left,
    top,
    right: Math.max(left, frame.width - frame.margin.right),
    bottom: Math.max(top, frame.height - frame.margin.bottom),
  };
}

/**
 * A linear map from a domain onto a range. A zero-width domain (one distinct value) maps to the middle
 * of the range instead of dividing by zero.
 */
export function linearScale(
  domain: [number, number],
  range: [number, number],
): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0 || !Number.isFinite(d1 - d0)) return () => (r0 + r1) / 2;
  const factor = (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * factor;
}

/** Steps of 1, 2 or 5 times a power of ten, the ones people read at a glance. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/**
 * Round tick values covering [min, max] with about `count` intervals; the first tick is at or below
 * min and the last at or above max. Equal bounds get a unit-wide span around them.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  // Values closer than this are one value: a step below it would underflow into denormal numbers.
  const tiny = 1e-12;
  const snap = (value: number): number => (Math.abs(value) < tiny ? 0 : value);
  let low = Math.min(snap(min), snap(max));
  let high = Math.max(snap(min), snap(max));
  if (high - low < tiny * Math.max(1, Math.abs(low), Math.abs(high))) {
    high = low;
    if (low === 0) high = 1;
    else {
      const pad = Math.abs(low) / 2;
      low -= pad;
      high += pad;
    }
  }
  const step = niceStep(high - low, count);
  const first = Math.floor(low / step);
  const last = Math.ceil(high / step);
  const ticks: number[] = [];
  // Multiplying integers by the step avoids the drift of repeated floating-point additions.
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** The value axis of a chart: nice ticks over the data, always including zero so bars are honest. */
export function valueAxis(values: readonly number[], count = 5): number[] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return niceTicks(0, 1, count);
  return niceTicks(Math.min(0, ...finite), Math.max(0, ...finite), count);
}

/**
 * Bars for groups of values (one group per category, one bar per series), in equal bands left to right,
 * grown from the zero line: up for positive values, down for negative ones. No groups, no bars.
 */
export function groupedBarLayout(
  groups: readonly (readonly number[])[],
  frame: ChartFrame,
  gap = 0.2,
): BarRect[][] {
  if (groups.length === 0) return [];
  const area = plotArea(frame);
  const ticks = valueAxis(groups.flat());
  const y = linearScale([ticks[0] ?? 0, ticks.at(-1) ?? 1], [area.bottom, area.top]);
  const band = (area.right - area.left) / groups.length;
  const inner = band * (1 - gap);
  const zero = y(0);
  return groups.map((group, g) => {
    const width = inner / Math.max(1, group.length);
    const start = area.left + g * band + (band - inner) / 2;
    return group.map((value, i) => {
      const top = y(Number.isFinite(value) ? value : 0);
      return {
        x: start + i * width,
        y: Math.min(top, zero),
        width,
        height: Math.abs(zero - top),
        value,
      };
    });
  });
}

/** Bars for single values; see groupedBarLayout. */
export function barLayout(values: readonly number[], frame: ChartFrame, gap = 0.2): BarRect[] {
  return groupedBarLayout(
    values.map((v) => [v]),
    frame,
    gap,
  ).flat();
}

/**
 * Points of a line chart, spread evenly across the plot area; a single point sits in the middle.
 * A missing value (null: not known yet) has no point. The value domain is the one `valueAxis` gives
 * for all the series drawn on the chart.
 */
export function linePoints(
  values: readonly (number | null)[],
  frame: ChartFrame,
  domain: [number, number],
): (Point | null)[] {
  const area = plotArea(frame);
  const x = linearScale([0, values.length - 1], [area.left, area.right]);
  const y = linearScale(domain, [area.bottom, area.top]);
  return values.map((value, i) =>
    value === null || !Number.isFinite(value) ? null : { x: x(i), y: y(value) },
  );
}

/**
 * The SVG path data through the points: a move, then straight lines; a missing point breaks the line
 * and the next point starts a new piece. Empty for no points.
 */
export function linePath(points: readonly (Point | null)[]): string {
  const parts: string[] = [];
  let drawing = false;
  for (const p of points) {
    if (!p) {
      drawing = false;
      continue;
    }
    parts.push(`${drawing ? 'L' : 'M'}${round(p.x)} ${round(p.y)}`);
    drawing = true;
  }
  return parts.join(' ');
}

/** Two decimals are below a pixel and keep the markup short. */
export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
