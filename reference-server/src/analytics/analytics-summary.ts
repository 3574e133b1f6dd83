import { ApiProblem } from '../http/problem.ts';
import type { Queryable } from '../store/database.ts';

/** No aggregate is published from fewer distinct devices than this [ANL-011]. */
export const minimumDevices = 10;
/** The longest period a summary covers, in days after `from` [API contract: at most 92]. */
export const maxSummarySpanDays = 92;

/** The contract's `AnalyticsSummary`. */
export interface AnalyticsSummary {
  appId: string;
  from: string;
  to: string;
  launches: { total: number; byDay: { day: string; count: number }[] };
  retention: { cohortDay: string; cohortSize: number; d1: number | null; d7: number | null }[];
  versions: {
    versionCode: number;
    launches: number;
    crashes: number;
    crashRate: number | null;
    coldStart: { samples: number; p50: number | null; p90: number | null; p99: number | null };
  }[];
}

const dayMs = 24 * 60 * 60 * 1000;

function periodBounds(from: string, to: string): void {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  const problem = (message: string, pointer: string) =>
    new ApiProblem('API_VALIDATION_FAILED', message, {
      errors: [{ code: 'API_VALIDATION_FAILED', message, location: { pointer } }],
    });
  if (Number.isNaN(start)) throw problem('from is not a calendar date', '/from');
  if (Number.isNaN(end)) throw problem('to is not a calendar date', '/to');
  if (end < start) throw problem('to must not be before from', '/to');
  if ((end - start) / dayMs > maxSummarySpanDays) {
    throw problem(`a summary covers at most ${maxSummarySpanDays} days after from`, '/to');
  }
}

/** The rate of day D+k of a cohort once day D+k has ended in UTC, else null (not yet known). */
function retentionRate(
  cohortDay: string,
  offsetDays: number,
  retained: number,
  size: number,
  now: Date,
): number | null {
  const dayEnds = Date.parse(`${cohortDay}T00:00:00Z`) + (offsetDays + 1) * dayMs;
  return dayEnds <= now.getTime() ? retained / size : null;
}

/** UTC day bounds of the period as SQL: $2 is `from`, $3 is `to` (inclusive). */
const inPeriod = `occurred_at >= ($2::date)::timestamp at time zone 'UTC'
  and occurred_at < ($3::date + 1)::timestamp at time zone 'UTC'`;

/**
 * Computes the metrics of spec/analytics.md for one app over UTC days `from`..`to`: launches per day
 * [ANL-018], D1/D7 retention per first-launch day [ANL-019] [ANL-020], crash rate [ANL-021] and
 * nearest-rank cold-start percentiles per version [ANL-022] (percentile_disc is nearest-rank), each with
 * its sample count [ANL-023]. Days, cohorts and versions seen by fewer than ten devices are withheld [ANL-011].
 */
export async function analyticsSummary(
  db: Queryable,
  appId: string,
  from: string,
  to: string,
  now: Date,
): Promise<AnalyticsSummary> {
  periodBounds(from, to);
  const params = [appId, from, to];
  const days = await db.query<{ day: string; count: number; devices: number }>(
    `select to_char(day, 'YYYY-MM-DD') as day, count(*)::integer as count,
            count(distinct device_id)::integer as devices
       from (select (occurred_at at time zone 'UTC')::date as day, device_id from analytics_events
              where app_id = $1 and type = 'app.launch' and ${inPeriod}) launches
      group by day order by day`,
    params,
  );
  const cohorts = await db.query<{ cohort_day: string; size: number; d1: number; d7: number }>(
    `with launch_days as (
       select distinct device_id, (occurred_at at time zone 'UTC')::date as day
         from analytics_events where app_id = $1 and type = 'app.launch'
     ), firsts as (
       select device_id, min(day) as first_day from launch_days group by device_id
     )
     select to_char(f.first_day, 'YYYY-MM-DD') as cohort_day, count(*)::integer as size,
            count(d1.device_id)::integer as d1, count(d7.device_id)::integer as d7
       from firsts f
       left join launch_days d1 on d1.device_id = f.device_id and d1.day = f.first_day + 1
       left join launch_days d7 on d7.device_id = f.device_id and d7.day = f.first_day + 7
      where f.first_day between $2::date and $3::date
      group by f.first_day order by f.first_day`,
    params,
  );
  const versions = await db.query<{
    version_code: number;
    launches: number;
    crashes: number;
    devices: number;
    cold_samples: number;
    cold_devices: number;
    p50: number | null;
    p90: number | null;
    p99: number | null;
  }>(
    `select version_code::integer as version_code,
            count(*) filter (where type = 'app.launch')::integer as launches,
            count(*) filter (where type = 'app.crash')::integer as crashes,
            count(distinct device_id)::integer as devices,
            count(*) filter (where cold)::integer as cold_samples,
            count(distinct device_id) filter (where cold)::integer as cold_devices,
            percentile_disc(0.5) within group (order by duration_ms) filter (where cold) as p50,
            percentile_disc(0.9) within group (order by duration_ms) filter (where cold) as p90,
            percentile_disc(0.99) within group (order by duration_ms) filter (where cold) as p99
       from (select version_code, device_id, type, duration_ms,
                    (type = 'app.launch' and data->>'mode' = 'cold' and duration_ms is not null) as cold
               from analytics_events
              where app_id = $1 and version_code is not null and ${inPeriod}) e
      group by version_code order by version_code`,
    params,
  );
  const byDay = days.rows
    .filter((d) => d.devices >= minimumDevices)
    .map((d) => ({ day: d.day, count: d.count }));
  return {
    appId,
    from,
    to,
    launches: { total: byDay.reduce((sum, d) => sum + d.count, 0), byDay },
    retention: cohorts.rows
      .filter((c) => c.size >= minimumDevices)
      .map((c) => ({
        cohortDay: c.cohort_day,
        cohortSize: c.size,
        d1: retentionRate(c.cohort_day, 1, c.d1, c.size, now),
        d7: retentionRate(c.cohort_day, 7, c.d7, c.size, now),
      })),
    versions: versions.rows
      .filter((v) => v.devices >= minimumDevices)
      .map((v) => {
        const cold = v.cold_devices >= minimumDevices;
        return {
          versionCode: v.version_code,
          launches: v.launches,
          crashes: v.crashes,
          crashRate: v.launches === 0 ? null : v.crashes / v.launches,
          coldStart: {
            samples: cold ? v.cold_samples : 0,
            p50: cold ? v.p50 : null,
            p90: cold ? v.p90 : null,
            p99: cold ? v.p99 : null,
          },
        };
      }),
  };
}
