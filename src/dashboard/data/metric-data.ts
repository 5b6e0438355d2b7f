/**
 * Widget data from the metrics layer (`queryMetric`, with its cache keyed by lake snapshot
 * version). A global filter on a dimension is applied by breaking the metric down by that
 * dimension and keeping the filtered group: exact for every aggregation (ratios, percentiles,
 * distinct counts), with no second definition of the metric.
 */
import type { Row } from '../../duckdb/engine.js';
import { shiftGrain } from '../../metrics/compile.js';
import { kpiStatus } from '../../metrics/kpi.js';
import type { Grain, MetricDefinition } from '../../metrics/schema.js';
import { queryMetric } from '../../metrics/service.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { WidgetConfig } from '../schema.js';
import { alignRange, grainFor } from '../time-range.js';
import type { BarsData, KpiData, MapData, QueryContext, SeriesData, TableData, WidgetResult } from './types.js';

interface MetricAnswer {
  rows: Row[];
  ignored: string[];
  cached: boolean;
  grain: Grain;
  from: Date;
  to: Date;
}

/** One metric, broken down by `by`, over the context's range (or an explicit one), filtered. */
export async function metricRows(
  workspace: Workspace,
  metric: MetricDefinition,
  by: readonly string[],
  context: QueryContext,
  options: { total: boolean; from?: Date; to?: Date },
): Promise<MetricAnswer> {
  const filterDimensions = Object.keys(context.filters).filter((dimension) => metric.dimensions.includes(dimension));
  const ignored = Object.keys(context.filters).filter((dimension) => !metric.dimensions.includes(dimension));
  const grain = grainFor(metric, context.range.grain);
  const aligned = alignRange(context.range, grain);
  const from = options.from ?? aligned.from;
  const to = options.to ?? aligned.to;
  const queryBy = [...new Set([...by, ...filterDimensions])];
  const result = await queryMetric(workspace, { metric: metric.name, by: queryBy, grain, from, to, total: options.total });
  const rows = result.rows.filter((row) => filterDimensions.every((dimension) => String(row[dimension]) === context.filters[dimension]));
  return { rows, ignored, cached: result.cached, grain, from, to };
}

const valueOf = (row: Row, metric: MetricDefinition): number | null => {
  const value = row[metric.name];
  return value === null || value === undefined ? null : Number(value);
};

/** Every bucket start of [from, to) at the grain, as ISO strings. */
export function bucketStarts(from: Date, to: Date, grain: Grain): string[] {
  const out: string[] = [];
  for (let at = from; at < to && out.length < 2_000; at = shiftGrain(at, grain, 1)) out.push(at.toISOString());
  return out;
}

/** Additive metrics read 0 in an empty bucket; others have no value there. */
function emptyValue(metric: MetricDefinition): number | null {
  return metric.aggregation === 'count' || metric.aggregation === 'sum' || metric.aggregation === 'count_distinct' ? 0 : null;
}

export async function kpiData(workspace: Workspace, metric: MetricDefinition, context: QueryContext): Promise<WidgetResult> {
  const current = await metricRows(workspace, metric, [], context, { total: true });
  const span = current.to.getTime() - current.from.getTime();
  const previous = await metricRows(workspace, metric, [], context, { total: true, from: new Date(current.from.getTime() - span), to: current.from });
  const series = await metricRows(workspace, metric, [], context, { total: false });
  const value = current.rows[0] ? valueOf(current.rows[0], metric) : null;
  const before = previous.rows[0] ? valueOf(previous.rows[0], metric) : null;
  const byPeriod = new Map(series.rows.map((row) => [String(row.period), valueOf(row, metric)]));
  const points = bucketStarts(series.from, series.to, series.grain).map((period) => byPeriod.get(period) ?? emptyValue(metric) ?? 0);
  const data: KpiData = {
    kind: 'kpi',
    value: value ?? emptyValue(metric),
    previous: before ?? emptyValue(metric),
    change: value !== null && before !== null ? value - before : null,
    target: metric.kpi?.target ?? null,
    status: metric.kpi ? kpiStatus(value, metric.kpi) : 'none',
    format: metric.format,
    series: points.map((point) => point ?? 0),
  };
  return {
    data,
    export: { columns: ['metric', 'from', 'to', 'value', 'previous', 'change'], rows: [{ metric: metric.name, from: current.from.toISOString(), to: current.to.toISOString(), value: data.value, previous: data.previous, change: data.change }] },
    ignoredFilters: current.ignored,
    cached: current.cached && previous.cached && series.cached,
  };
}

export async function seriesData(workspace: Workspace, metrics: ReadonlyMap<string, MetricDefinition>, widget: Extract<WidgetConfig, { type: 'line' }>, context: QueryContext): Promise<WidgetResult> {
  const names = widget.metrics ?? [widget.metric!];
  const first = metrics.get(names[0]!)!;
  const series: SeriesData['series'] = [];
  let x: string[] = [];
  let cached = true;
  const ignored = new Set<string>();
  for (const name of names) {
    const metric = metrics.get(name)!;
    const answer = await metricRows(workspace, metric, widget.by ? [widget.by] : [], context, { total: false });
    cached &&= answer.cached;
    answer.ignored.forEach((dimension) => ignored.add(dimension));
    if (x.length === 0) x = bucketStarts(answer.from, answer.to, answer.grain);
    if (!widget.by) {
      const byPeriod = new Map(answer.rows.map((row) => [String(row.period), valueOf(row, metric)]));
      series.push({ name, values: x.map((period) => byPeriod.get(period) ?? emptyValue(metric)) });
      continue;
    }
    const groups = new Map<string, Map<string, number | null>>();
    const totals = new Map<string, number>();
    for (const row of answer.rows) {
      const group = String(row[widget.by] ?? '(none)');
      if (!groups.has(group)) groups.set(group, new Map());
      groups.get(group)!.set(String(row.period), valueOf(row, metric));
      totals.set(group, (totals.get(group) ?? 0) + Math.abs(valueOf(row, metric) ?? 0));
    }
    const top = [...totals].sort((a, b) => b[1] - a[1]).slice(0, widget.top).map(([group]) => group);
    for (const group of top) series.push({ name: group, values: x.map((period) => groups.get(group)!.get(period) ?? emptyValue(metric)) });
  }
  const data: SeriesData = { kind: 'series', x, series, format: first.format, grain: grainFor(first, context.range.grain) };
  const rows = x.map((period, index) => Object.fromEntries([['period', period], ...series.map((s) => [s.name, s.values[index] ?? null])]) as Row);
  return { data, export: { columns: ['period', ...series.map((s) => s.name)], rows }, ignoredFilters: [...ignored], cached };
}

export async function barsData(workspace: Workspace, metric: MetricDefinition, widget: Extract<WidgetConfig, { type: 'bar' }>, context: QueryContext): Promise<WidgetResult> {
  const by = widget.by!;
  const answer = await metricRows(workspace, metric, widget.stack_by ? [by, widget.stack_by] : [by], context, { total: true });
  const bars = new Map<string, Map<string, number>>();
  const stacks = new Set<string>();
  for (const row of answer.rows) {
    const label = String(row[by] ?? '(none)');
    const stack = widget.stack_by ? String(row[widget.stack_by] ?? '(none)') : metric.name;
    stacks.add(stack);
    if (!bars.has(label)) bars.set(label, new Map());
    bars.get(label)!.set(stack, valueOf(row, metric) ?? 0);
  }
  const stackOrder = [...stacks].sort();
  const sum = (segments: Map<string, number>) => [...segments.values()].reduce((a, b) => a + b, 0);
  const ordered = [...bars].sort((a, b) => sum(b[1]) - sum(a[1])).slice(0, widget.top);
  const data: BarsData = {
    kind: 'bars',
    bars: ordered.map(([label, segments]) => ({ label, segments: stackOrder.filter((stack) => segments.has(stack)).map((stack) => ({ name: stack, value: segments.get(stack)! })) })),
    stacks: stackOrder,
    format: metric.format,
  };
  const columns = widget.stack_by ? [by, widget.stack_by, metric.name] : [by, metric.name];
  return { data, export: { columns, rows: answer.rows.map((row) => Object.fromEntries(columns.map((column) => [column, row[column] ?? null])) as Row) }, ignoredFilters: answer.ignored, cached: answer.cached };
}

export async function tableData(workspace: Workspace, metric: MetricDefinition, by: readonly string[], context: QueryContext): Promise<WidgetResult> {
  const answer = await metricRows(workspace, metric, by, context, { total: true });
  const columns = [...by, metric.name];
  const rows = answer.rows
    .map((row) => Object.fromEntries(columns.map((column) => [column, row[column] ?? null])) as Row)
    .sort((a, b) => (Number(b[metric.name] ?? -Infinity)) - Number(a[metric.name] ?? -Infinity));
  const data: TableData = { kind: 'table', columns, rows, format: metric.format, valueColumn: metric.name };
  return { data, export: { columns, rows }, ignoredFilters: answer.ignored, cached: answer.cached };
}

export async function mapData(workspace: Workspace, metric: MetricDefinition, by: string, context: QueryContext): Promise<WidgetResult> {
  const answer = await metricRows(workspace, metric, [by], context, { total: true });
  const values = answer.rows
    .filter((row) => row[by] !== null && valueOf(row, metric) !== null)
    .map((row) => ({ country: String(row[by]), value: valueOf(row, metric)! }))
    .sort((a, b) => b.value - a.value);
  const data: MapData = { kind: 'map', mode: 'choropleth', values, points: [], format: metric.format };
  return { data, export: { columns: ['country', metric.name], rows: values.map((entry) => ({ country: entry.country, [metric.name]: entry.value })) }, ignoredFilters: answer.ignored, cached: answer.cached };
}
