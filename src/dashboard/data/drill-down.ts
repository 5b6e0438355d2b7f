/**
 * Drill-down: the events behind a point, bar, table row or map country of a metric widget. The
 * rows are those the metric aggregates (for a ratio: its denominator's, the population the rate
 * is taken over), within the selected time bucket, for the selected dimension values and the
 * global filters.
 */
import type { Row } from '../../duckdb/engine.js';
import { ident, literal } from '../../duckdb/sql.js';
import type { MetricDefinition } from '../../metrics/schema.js';
import type { Workspace } from '../../workspace/workspace.js';
import { generatedQuery } from './sql-data.js';

export interface DrillTarget {
  /** What was selected, for the title: `country = FR`, `12:05`, … */
  label: string;
  metric?: string;
  /** A lake table (event log rows), with the id of the selected event. */
  table?: string;
  eventId?: string;
  dimensions: Record<string, string>;
  from: Date;
  to: Date;
}

export interface DrillResult {
  title: string;
  sql: string;
  columns: string[];
  rows: Row[];
  /** True when there are more events than {@link DRILL_LIMIT}; the latest are shown. */
  limited: boolean;
}

export const DRILL_LIMIT = 500;

/** The metric whose rows a metric counts: itself, or for a ratio the base of its denominator. */
export function baseMetric(metrics: ReadonlyMap<string, MetricDefinition>, metric: MetricDefinition): MetricDefinition {
  let current = metric;
  while (current.aggregation === 'ratio') current = metrics.get(current.denominator!)!;
  return current;
}

const time = (date: Date) => `TIMESTAMPTZ ${literal(date.toISOString())}`;

/** The SQL of the events behind a selection. */
export function drillSql(metrics: ReadonlyMap<string, MetricDefinition>, target: DrillTarget, filters: Readonly<Record<string, string>>): string {
  if (target.table) {
    const where = target.eventId ? `id = ${literal(target.eventId)}` : 'TRUE';
    return `SELECT * EXCLUDE (extra) FROM ${ident(target.table)} WHERE ${where} LIMIT ${DRILL_LIMIT}`;
  }
  const metric = metrics.get(target.metric!)!;
  const base = baseMetric(metrics, metric);
  const source = base.table ? ident(base.table) : `(${base.source})`;
  const timeColumn = ident(base.time_column);
  const equal = { ...Object.fromEntries(Object.entries(filters).filter(([key]) => metric.dimensions.includes(key))), ...target.dimensions };
  const where = [
    `${timeColumn} >= ${time(target.from)}`,
    `${timeColumn} < ${time(target.to)}`,
    ...(base.filter ? [`(${base.filter})`] : []),
    ...Object.entries(equal).map(([key, value]) => `CAST(${ident(key)} AS VARCHAR) = ${literal(value)}`),
  ];
  return `SELECT * FROM ${source} AS rows WHERE ${where.join(' AND ')} ORDER BY ${timeColumn} DESC LIMIT ${DRILL_LIMIT}`;
}

/** Columns not worth a drill-down's narrow table. */
const NOISE = new Set(['extra', 'event_date', 'event_hour', 'batch_id', 'trace_id', 'version', 'geo_source', 'raw', 'type', 'source', 'ingested_at']);
/** Shown first when present: when, what, how much, where. */
const FIRST = ['occurred_at', 'id', 'status', 'amount', 'currency', 'country', 'channel', 'merchant_id', 'severity', 'category', 'decision', 'score'];

export async function drillDown(workspace: Workspace, metrics: ReadonlyMap<string, MetricDefinition>, target: DrillTarget, filters: Readonly<Record<string, string>>): Promise<DrillResult> {
  const sql = drillSql(metrics, target, filters);
  const result = await generatedQuery(workspace, sql);
  const kept = result.columns.filter((column) => !NOISE.has(column));
  const columns = [...FIRST.filter((column) => kept.includes(column)), ...kept.filter((column) => !FIRST.includes(column))];
  const what = target.metric ?? target.table ?? 'events';
  return { title: `Events behind ${what}: ${target.label}`, sql, columns, rows: result.rows, limited: result.rows.length >= DRILL_LIMIT };
}
