/**
 * KPI status for every metric with a `kpi:`: the value over the KPI window ending at the newest
 * event (so historical data gets a status too), the previous window, the change, a series for a
 * sparkline, and green/amber/red by the thresholds and direction.
 */
import type { Workspace } from '../workspace/workspace.js';
import { metricRelation } from './compile.js';
import type { MetricDefinition } from './schema.js';
import { loadMetrics, resolveQuery } from './service.js';
import { openLakeReader } from '../analytics/query.js';

export type KpiStatus = 'green' | 'amber' | 'red' | 'no_data';

export interface KpiResult {
  metric: string;
  description: string;
  format: MetricDefinition['format'];
  value: number | null;
  previous: number | null;
  change: number | null;
  target: number;
  status: KpiStatus;
  direction: 'higher_is_better' | 'lower_is_better';
  windowStart: string;
  windowEnd: string;
  /** The metric per grain step over the last 24 steps of the window's grain, for a sparkline. */
  series: number[];
}

export function kpiStatus(value: number | null, kpi: NonNullable<MetricDefinition['kpi']>): KpiStatus {
  if (value === null || Number.isNaN(value)) return 'no_data';
  const better = (a: number, b: number) => (kpi.direction === 'higher_is_better' ? a >= b : a <= b);
  if (better(value, kpi.green)) return 'green';
  if (better(value, kpi.amber)) return 'amber';
  return 'red';
}

const WINDOW_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000 };

export async function kpiReport(workspace: Workspace): Promise<KpiResult[]> {
  const metrics = await loadMetrics(workspace);
  const withKpi = [...metrics.values()].filter((metric) => metric.kpi);
  const results: KpiResult[] = [];
  const { engine } = await openLakeReader(workspace);
  try {
    for (const metric of withKpi) {
      const kpi = metric.kpi!;
      const windowMs = Number(kpi.window.slice(0, -1)) * WINDOW_MS[kpi.window.slice(-1)]!;
      // The grain that gives the sparkline 24 points per window where possible.
      const grain = windowMs <= 86_400_000 && metric.grains.includes('hour') ? 'hour' : 'day';
      const defaults = await resolveQuery(workspace, metrics, { metric: metric.name, grain: metric.grains.includes(grain) ? grain : metric.grains[0]! }, engine);
      const end = defaults.to;
      const start = new Date(end.getTime() - windowMs);
      const previousStart = new Date(start.getTime() - windowMs);
      const whole = (from: Date, to: Date) => metricRelation(metrics, metric, [], 'total', from, to);
      const [current] = await engine.rows<{ value: number | null }>(`SELECT max(value) AS value FROM (${whole(start, end)})`);
      const [previous] = await engine.rows<{ value: number | null }>(`SELECT max(value) AS value FROM (${whole(previousStart, start)})`);
      const series = await engine.rows<{ value: number | null }>(`SELECT value FROM (${metricRelation(metrics, metric, [], defaults.grain, start, end)}) ORDER BY period`);
      const value = current?.value ?? null;
      const before = previous?.value ?? null;
      results.push({
        metric: metric.name,
        description: metric.description,
        format: metric.format,
        value,
        previous: before,
        change: value !== null && before !== null ? value - before : null,
        target: kpi.target,
        status: kpiStatus(value, kpi),
        direction: kpi.direction,
        windowStart: start.toISOString(),
        windowEnd: end.toISOString(),
        series: series.map((row) => row.value ?? 0),
      });
    }
  } finally {
    engine.close();
  }
  return results;
}
