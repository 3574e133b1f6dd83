import type { BrokenServer } from './broken-server.ts';

/**
 * Broken servers that compute the metrics of spec/analytics.md the way a dashboard query is easily
 * written: daily actives for launches, rolling retention, cohorts of the requested period, an app-wide
 * crash denominator. Each patches a temporary copy of the reference server.
 */
export const analyticsMetricBreaks: BrokenServer[] = [
  {
    name: 'launches-counted-as-devices',
    violates: 'ANL-018',
    only: 'server.analytics.aggregates',
    story:
      'The launches of a day are counted as the distinct devices that launched that day (daily actives), so a device that launched twice counts once.',
    patches: [
      {
        file: 'reference-server/src/analytics/analytics-summary.ts',
        find: "select to_char(day, 'YYYY-MM-DD') as day, count(*)::integer as count,",
        replace:
          "select to_char(day, 'YYYY-MM-DD') as day, count(distinct device_id)::integer as count,",
      },
    ],
  },
  {
    name: 'd1-any-later-day',
    violates: 'ANL-019',
    only: 'server.analytics.aggregates',
    story:
      'D1 retention counts a device of the cohort that came back on any later day (rolling retention), not on the day after its first launch.',
    patches: [
      {
        file: 'reference-server/src/analytics/analytics-summary.ts',
        find: "select to_char(f.first_day, 'YYYY-MM-DD') as cohort_day, count(*)::integer as size,\n            count(d1.device_id)::integer as d1,",
        replace:
          "select to_char(f.first_day, 'YYYY-MM-DD') as cohort_day, count(distinct f.device_id)::integer as size,\n            count(distinct d1.device_id)::integer as d1,",
      },
      {
        file: 'reference-server/src/analytics/analytics-summary.ts',
        find: 'd1.day = f.first_day + 1',
        replace: 'd1.day > f.first_day',
      },
    ],
  },
  {
    name: 'retention-cohort-of-the-period',
    violates: 'ANL-019',
    only: 'server.analytics.aggregates',
    story:
      "Retention reads only the launches of the requested period, so a device's first launch in the period is taken for its first launch ever.",
    patches: [
      {
        file: 'reference-server/src/analytics/analytics-summary.ts',
        find: "from analytics_events where app_id = $1 and type = 'app.launch'\n     ), firsts",
        replace:
          "from analytics_events where app_id = $1 and type = 'app.launch' and ${inPeriod}\n     ), firsts",
      },
    ],
  },
  {
    name: 'crash-rate-over-app-launches',
    violates: 'ANL-021',
    only: 'server.analytics.aggregates',
    story:
      "A version's crashes are divided by the launches of every version of the app in the period, the launch total the dashboard already has.",
    patches: [
      {
        file: 'reference-server/src/analytics/analytics-summary.ts',
        find: 'crashRate: v.launches === 0 ? null : v.crashes / v.launches,',
        replace:
          'crashRate: v.launches === 0 ? null : v.crashes / versions.rows.reduce((sum, r) => sum + r.launches, 0),',
      },
    ],
  },
  {
    name: 'crash-rate-over-all-time-launches',
    violates: 'ANL-021',
    only: 'server.analytics.aggregates',
    story:
      "The crashes of the period are divided by the version's launches of all time, read from a running counter kept per version.",
    patches: [
      {
        file: 'reference-server/src/analytics/analytics-summary.ts',
        find: "count(*) filter (where type = 'app.launch')::integer as launches,",
        replace:
          "(select count(*) from analytics_events a where a.app_id = $1 and a.version_code = e.version_code and a.type = 'app.launch')::integer as launches,",
      },
    ],
  },
  {
    name: 'events-of-unreleased-versions-kept',
    violates: 'ANL-017',
    only: 'server.analytics.batch-partially-accepted',
    story:
      'Ingestion keeps the events of any app with an uploaded version, taking a version in the catalog for one a device could have installed.',
    patches: [
      {
        file: 'reference-server/src/analytics/event-ingestion.ts',
        find: "'select distinct app_id from releases where app_id = any($1::text[])',",
        replace: "'select distinct app_id from versions where app_id = any($1::text[])',",
      },
    ],
  },
];
