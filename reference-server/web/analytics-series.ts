import type { AnalyticsSummary } from './api-types.ts';

const dayMs = 86_400_000;

/** A UTC calendar day as YYYY-MM-DD. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Every UTC day from `from` to `to`, both included; empty when `to` is before `from` or a day is invalid. */
export function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return [];
  const days: string[] = [];
  for (let t = start; t <= end; t += dayMs) days.push(utcDay(new Date(t)));
  return days;
}

/**
 * Launches for every day of the period. A day the summary leaves out (no launches, or too few devices
 * to publish [ANL-023]) is null, so a chart shows a gap rather than a false zero in the data table.
 */
export function launchesByDay(summary: AnalyticsSummary): {
  days: string[];
  counts: (number | null)[];
} {
  const counts = new Map(summary.launches.byDay.map((d) => [d.day, d.count]));
  const days = daysBetween(summary.from, summary.to);
  return { days, counts: days.map((day) => counts.get(day) ?? null) };
}
