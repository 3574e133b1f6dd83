import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { daysBetween, launchesByDay } from '../../web/analytics-series.ts';
import {
  barLayout,
  groupedBarLayout,
  linearScale,
  linePath,
  linePoints,
  niceTicks,
  plotArea,
  valueAxis,
  type ChartFrame,
} from '../../web/chart-geometry.ts';

const frame: ChartFrame = {
  width: 600,
  height: 200,
  margin: { top: 10, right: 10, bottom: 30, left: 50 },
};
const area = plotArea(frame);
const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;
/** Ticks are rounded to 12 significant digits, and values within 1e-12 of zero count as zero. */
const slack = (a: number, b: number) => 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
const finite = fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true });

describe('chart geometry', () => {
  it('maps a domain linearly onto a range, ends onto ends', () => {
    const scale = linearScale([0, 10], [200, 0]);
    assert.equal(scale(0), 200);
    assert.equal(scale(10), 0);
    assert.equal(scale(5), 100);
    assert.equal(scale(-5), 300);
  });

  it('maps a zero-width domain to the middle of the range instead of dividing by zero', () => {
    assert.equal(linearScale([7, 7], [0, 100])(7), 50);
    assert.equal(linearScale([7, 7], [0, 100])(1000), 50);
  });

  it('gives round ticks of 1, 2 or 5 times a power of ten that cover the data', () => {
    assert.deepEqual(niceTicks(0, 10), [0, 2, 4, 6, 8, 10]);
    assert.deepEqual(niceTicks(0, 0.9), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(-30, 45), [-40, -20, 0, 20, 40, 60]);
    fc.assert(
      fc.property(finite, finite, (a, b) => {
        const ticks = niceTicks(a, b);
        const step = (ticks[1] ?? 0) - (ticks[0] ?? 0);
        const mantissa = step / 10 ** Math.floor(Math.log10(step));
        return (
          ticks.length >= 2 &&
          ticks.length <= 12 &&
          (ticks[0] ?? Infinity) <= Math.min(a, b) + slack(a, b) &&
          (ticks.at(-1) ?? -Infinity) >= Math.max(a, b) - slack(a, b) &&
          [1, 2, 5, 10].some((m) => close(mantissa, m)) &&
          ticks.every((t, i) => i === 0 || t > (ticks[i - 1] ?? t))
        );
      }),
    );
  });

  it('spreads equal bounds and an all-zero series into a readable axis', () => {
    assert.deepEqual(niceTicks(0, 0), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    const ticks = niceTicks(40, 40);
    assert.ok((ticks[0] ?? 40) < 40 && (ticks.at(-1) ?? 40) > 40, 'the ticks enclose the value 40');
    assert.deepEqual(valueAxis([]), niceTicks(0, 1));
    assert.deepEqual(valueAxis([0, 0, 0]), niceTicks(0, 1));
  });

  it('always includes zero in the value axis so bars start from the baseline', () => {
    fc.assert(
      fc.property(fc.array(finite, { minLength: 1, maxLength: 40 }), (values) => {
        const ticks = valueAxis(values);
        return (ticks[0] ?? 1) <= 0 && (ticks.at(-1) ?? -1) >= 0 && ticks[0] !== ticks.at(-1);
      }),
    );
  });

  it('draws no bars for no data', () => {
    assert.deepEqual(barLayout([], frame), []);
    assert.deepEqual(groupedBarLayout([], frame), []);
  });

  it('draws one centred bar for a single value', () => {
    const [bar] = barLayout([5], frame);
    assert.ok(bar, 'one bar is drawn');
    assert.ok(
      close(bar.x + bar.width / 2, (area.left + area.right) / 2),
      'the single bar is centred in the plot area',
    );
    assert.ok(
      close(bar.y + bar.height, area.bottom),
      'the bar stands on the bottom of the plot area',
    );
  });

  it('grows positive bars up and negative bars down from the same zero line, and zero bars flat', () => {
    const [up, flat, down] = barLayout([10, 0, -10], frame);
    assert.ok(up && flat && down, 'three bars are drawn');
    const zero = up.y + up.height;
    assert.ok(close(down.y, zero), 'a negative bar starts at the zero line');
    assert.ok(
      close(flat.y, zero) && flat.height === 0,
      'a zero bar sits on the zero line with no height',
    );
    assert.ok(close(up.height, down.height), 'bars of opposite values have the same height');
  });

  it('keeps every bar inside the plot area, in order, with heights proportional to the values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 60 }),
        (values) => {
          const bars = barLayout(values, frame);
          const max = Math.max(...values);
          const tallest = bars.reduce((h, b) => Math.max(h, b.height), 0);
          return bars.every(
            (b, i) =>
              b.x >= area.left - 1e-6 &&
              b.x + b.width <= area.right + 1e-6 &&
              b.y >= area.top - 1e-6 &&
              b.y + b.height <= area.bottom + 1e-6 &&
              (i === 0 || b.x > (bars[i - 1]?.x ?? -Infinity)) &&
              (max === 0 || close(b.height / tallest, (values[i] ?? 0) / max)),
          );
        },
      ),
    );
  });

  it('places grouped bars side by side within their category band', () => {
    const groups = groupedBarLayout(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      frame,
    );
    assert.equal(groups.length, 2);
    assert.equal(groups[0]?.length, 3);
    const first = groups[0] ?? [];
    assert.ok(
      first.every(
        (b, i) => i === 0 || close(b.x, (first[i - 1]?.x ?? 0) + (first[i - 1]?.width ?? 0)),
      ),
      'the bars of one group touch each other',
    );
    assert.ok(
      (first.at(-1)?.x ?? 0) < (groups[1]?.[0]?.x ?? 0),
      'the first group ends before the second starts',
    );
  });

  it('puts a single line point in the middle and spreads several across the plot', () => {
    const [only] = linePoints([3], frame, [0, 10]);
    assert.ok(
      only && close(only.x, (area.left + area.right) / 2),
      'a single point is centred in the plot area',
    );
    const points = linePoints([0, 5, 10], frame, [0, 10]);
    assert.ok(
      close(points[0]?.x ?? NaN, area.left) && close(points[2]?.x ?? NaN, area.right),
      'the first and last points are at the left and right edges',
    );
    assert.ok(
      close(points[0]?.y ?? NaN, area.bottom) && close(points[2]?.y ?? NaN, area.top),
      'the lowest and highest points are at the bottom and top',
    );
  });

  it('breaks the line at missing values and draws nothing for no points', () => {
    assert.equal(linePath([]), '');
    assert.equal(linePath([null, null]), '');
    const points = linePoints([1, null, 2, 3], frame, [0, 4]);
    assert.equal(points[1], null);
    const d = linePath(points);
    assert.equal(d.match(/M/g)?.length, 2);
    assert.equal(d.match(/L/g)?.length, 1);
    assert.match(linePath([{ x: 1.23456, y: 2 }]), /^M1\.23 2$/);
  });
});

describe('analytics series', () => {
  it('lists every UTC day of a period, across month ends, and none for a reversed period', () => {
    assert.deepEqual(daysBetween('2026-02-27', '2026-03-02'), [
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    assert.deepEqual(daysBetween('2026-03-01', '2026-03-01'), ['2026-03-01']);
    assert.deepEqual(daysBetween('2026-03-02', '2026-03-01'), []);
    assert.deepEqual(daysBetween('nonsense', '2026-03-01'), []);
  });

  it('fills days the summary leaves out with null, not zero', () => {
    const series = launchesByDay({
      appId: 'com.example.shop',
      from: '2026-03-01',
      to: '2026-03-03',
      launches: { total: 5, byDay: [{ day: '2026-03-02', count: 5 }] },
      retention: [],
      versions: [],
    });
    assert.deepEqual(series, {
      days: ['2026-03-01', '2026-03-02', '2026-03-03'],
      counts: [null, 5, null],
    });
  });
});

describe('web page sources', () => {
  it('never parse data as HTML (no innerHTML, outerHTML, insertAdjacentHTML, document.write or eval)', async () => {
    const dir = path.resolve(import.meta.dirname, '../../web');
    const sources = (await readdir(dir)).filter((f) => f.endsWith('.ts'));
    assert.ok(sources.length > 5, 'more than 5 web page sources are checked');
    for (const file of sources) {
      const text = await readFile(path.join(dir, file), 'utf8');
      assert.doesNotMatch(
        text,
        /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/,
        file,
      );
    }
  });
});
