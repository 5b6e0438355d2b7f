/**
 * A time series for `analytics stats`: from a metric of the metrics layer (optionally one slice of
 * a dimension), or from any CSV or Parquet file with a time and a value column.
 */
import { existsSync } from 'node:fs';
import { Engine } from '../duckdb/engine.js';
import { ident, literal } from '../duckdb/sql.js';
import { UserError } from '../errors.js';
import { metricNoise, type Grain } from '../metrics/schema.js';
import { queryMetric } from '../metrics/service.js';
import type { Workspace } from '../workspace/workspace.js';

export interface SeriesPoint {
  timestamp: Date;
  value: number;
  /** Rows behind the value, for metrics whose value is a sample statistic (see metricNoise). */
  weight?: number;
}

export interface LoadedSeries {
  label: string;
  grain: Grain;
  points: SeriesPoint[];
  /** How gaps are filled: counts and sums with zero, everything else by interpolation. */
  fill: 'zero' | 'interpolate';
}

export interface MetricSeriesSource {
  metric: string;
  grain?: Grain;
  from?: Date;
  to?: Date;
  /** Equality filters on dimensions, e.g. { country: 'DE' }. */
  where?: Record<string, string>;
}

export async function metricSeries(workspace: Workspace, source: MetricSeriesSource): Promise<LoadedSeries> {
  const where = source.where ?? {};
  const result = await queryMetric(workspace, {
    metric: source.metric,
    by: Object.keys(where),
    ...(source.grain ? { grain: source.grain } : {}),
    ...(source.from ? { from: source.from } : {}),
    ...(source.to ? { to: source.to } : {}),
    withRows: true,
  });
  const weighted = metricNoise(result.metric) === 'sample';
  const rows = result.rows.filter((row) => Object.entries(where).every(([key, value]) => String(row[key]) === value));
  const additive = ['count', 'count_distinct', 'sum'].includes(result.metric.aggregation);
  return {
    label: `${source.metric}${Object.keys(where).length > 0 ? ` (${Object.entries(where).map(([key, value]) => `${key}=${value}`).join(', ')})` : ''}`,
    grain: result.query.grain,
    points: rows.map((row) => ({ timestamp: new Date(String(row.period)), value: Number(row[source.metric]), ...(weighted ? { weight: Number(row._rows) } : {}) })),
    fill: additive ? 'zero' : 'interpolate',
  };
}

const GRAIN_SECONDS: [Grain, number][] = [['minute', 60], ['hour', 3600], ['day', 86_400], ['week', 604_800], ['month', 2_629_746], ['quarter', 7_889_238]];

/** The grain whose length is closest to the median spacing of the timestamps. */
export function inferGrain(timestamps: readonly Date[]): Grain {
  const gaps = timestamps.slice(1).map((t, index) => (t.getTime() - timestamps[index]!.getTime()) / 1000).filter((gap) => gap > 0).sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)] ?? 86_400;
  return GRAIN_SECONDS.reduce((best, candidate) => (Math.abs(Math.log(candidate[1] / median)) < Math.abs(Math.log(best[1] / median)) ? candidate : best))[0];
}

export async function fileSeries(file: string, columns: { time: string; value: string; grain?: Grain }): Promise<LoadedSeries> {
  if (!existsSync(file)) throw new UserError('INPUT_NOT_FOUND', `${file}: no such file.`, { hint: 'Pass a CSV or Parquet file with --input.' });
  const reader = /\.parquet$/i.test(file) ? `read_parquet(${literal(file)})` : `read_csv(${literal(file)}, header = true)`;
  const engine = await Engine.open({ threads: 1 });
  try {
    const rows = await engine.rows<{ t: string; v: number | null; raw: string | null }>(
      `SELECT CAST(${ident(columns.time)} AS TIMESTAMPTZ) AS t, TRY_CAST(${ident(columns.value)} AS DOUBLE) AS v, CAST(${ident(columns.value)} AS VARCHAR) AS raw FROM ${reader} ORDER BY t`,
    );
    const bad = rows.find((row) => row.v === null || !Number.isFinite(row.v));
    if (bad) {
      throw new UserError('BAD_ARGUMENT', `${file}: the value at ${bad.t} is ${bad.raw === null ? 'empty' : `"${bad.raw}"`}, not a finite number.`, {
        hint: 'Remove or fix the row; missing periods are fine (they are filled), unreadable values are not guessed.',
      });
    }
    const points = rows.map((row) => ({ timestamp: new Date(row.t), value: row.v! }));
    return { label: `${file}:${columns.value}`, grain: columns.grain ?? inferGrain(points.map((point) => point.timestamp)), points, fill: 'interpolate' };
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError('INPUT_UNREADABLE', `${file}: ${(error as Error).message.split('\n')[0]}`, { hint: `Check that the file has the columns --time ${columns.time} and --value ${columns.value}.` });
  } finally {
    engine.close();
  }
}

/**
 * Season length for forecasting: hourly data with two full weeks (plus a day to forecast from)
 * uses the weekly cycle of 168 hours, which captures weekday and weekend shapes; otherwise the
 * grain's usual cycle. Measured in docs/analytics.md: on 21 generated days Holt-Winters beats
 * seasonal-naive only with the weekly season.
 */
export function forecastSeasonLength(grain: Grain, points: number): number | undefined {
  return grain === 'hour' && points >= 2 * 168 + 24 ? 168 : undefined;
}
