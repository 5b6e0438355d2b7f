/**
 * Dashboards, `dashboards/<name>.yaml` in the workspace: a grid of rows of widgets, each bound to
 * a metric of metrics.yaml, a SQL query or a stream of the live feed. Widget types are declared
 * once in {@link WIDGET_TYPES} (summary, config schema, minimum size); the loader, the UI, the
 * JSON Schema and the reference docs all read that list.
 */
import { z } from 'zod';

/** `10s`, `1m`, `5m`, `1h`. */
export const durationSchema = z.string().regex(/^\d+(ms|s|m|h)$/, 'use a duration such as 10s, 1m or 5m');

/** Milliseconds of a duration written as `10s`, `1m`… */
export function durationMs(text: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

export const TIME_RANGES = ['15m', '1h', '24h', '7d'] as const;
export const timeRangeSchema = z.enum(TIME_RANGES);

const name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lower snake_case');

/** Fields every widget has. */
const common = {
  title: z.string().min(1).optional().describe('Title shown on the widget frame (default: from what it shows).'),
  width: z.number().int().min(1).max(12).default(1).describe('Share of the row\'s width, relative to the other widgets of the row.'),
  refresh: durationSchema.optional().describe('How often the widget asks for fresh data (default: the dashboard\'s refresh). Unchanged lake data is answered from the metrics cache.'),
};

const metricBinding = {
  metric: name.optional().describe('A metric of metrics.yaml.'),
  sql: z.string().min(1).optional().describe('A read-only SQL query over the lake. `{from}` and `{to}` are replaced by the time range as TIMESTAMPTZ literals; global filters apply to result columns of the same name.'),
  stream: name.optional().describe('A stream of the ingest daemon\'s live feed (rows as they are emitted).'),
};

type Binding = 'metric' | 'sql' | 'stream' | 'table';

/** Exactly one of the allowed bindings is given. */
function oneBinding(allowed: readonly Binding[]) {
  return (widget: Partial<Record<Binding, unknown>>, context: z.RefinementCtx) => {
    const given = allowed.filter((key) => widget[key] !== undefined);
    if (given.length !== 1) {
      context.addIssue({
        code: 'custom',
        path: given.length > 1 ? [given[1]!] : [],
        message: given.length === 0 ? `give one of ${allowed.join(', ')}` : `give only one of ${allowed.join(', ')} (found ${given.join(' and ')})`,
      });
    }
  };
}

export const kpiWidgetSchema = z
  .object({
    type: z.literal('kpi').describe('A KPI tile: value over the time range, target status colour, change against the previous range, sparkline.'),
    ...common,
    metric: name.describe('A metric of metrics.yaml; its `kpi:` (if any) gives the target and the colours.'),
  })
  .strict();

export const lineWidgetSchema = z
  .object({
    type: z.literal('line').describe('A line chart with one or more series.'),
    ...common,
    ...metricBinding,
    metrics: z.array(name).min(1).max(6).optional().describe('Several metrics, one series each (instead of `metric`).'),
    by: name.optional().describe('With `metric`: one series per value of this dimension (the largest `top`).'),
    top: z.number().int().min(1).max(6).default(4).describe('With `by`: how many series.'),
    x: z.string().optional().describe('With `stream`: the field on the x axis (default: the first column).'),
    y: z.array(z.string()).optional().describe('With `stream`: numeric fields drawn as series (default: every numeric field).'),
  })
  .strict()
  .superRefine((widget, context) => {
    const bindings = (['metric', 'sql', 'stream'] as const).filter((key) => widget[key] !== undefined).length + (widget.metrics ? 1 : 0);
    if (bindings !== 1) context.addIssue({ code: 'custom', path: [], message: 'give one of metric, metrics, sql or stream' });
    if (widget.by !== undefined && widget.metric === undefined) context.addIssue({ code: 'custom', path: ['by'], message: '`by` needs `metric`' });
  });

export const barWidgetSchema = z
  .object({
    type: z.literal('bar').describe('A bar chart (horizontal bars), stacked when `stack_by` is given.'),
    ...common,
    ...metricBinding,
    by: name.optional().describe('With `metric`: one bar per value of this dimension (required with metric).'),
    stack_by: name.optional().describe('With `metric`: split each bar by this dimension (a stacked bar).'),
    top: z.number().int().min(1).max(50).default(8).describe('How many bars (the largest).'),
  })
  .strict()
  .superRefine(oneBinding(['metric', 'sql', 'stream']))
  .superRefine((widget, context) => {
    if (widget.metric !== undefined && widget.by === undefined) context.addIssue({ code: 'custom', path: ['by'], message: 'a bar chart of a metric needs `by` (the dimension of the bars)' });
  });

export const tableWidgetSchema = z
  .object({
    type: z.literal('table').describe('A table with sorting (`s`) and paging (PgUp/PgDn).'),
    ...common,
    ...metricBinding,
    by: z.array(name).min(1).optional().describe('With `metric`: the dimensions of the rows (required with metric).'),
    sort: z.string().optional().describe('Column to sort by at start (default: the value, largest first).'),
    descending: z.boolean().default(true).describe('Sort direction at start.'),
    page_size: z.number().int().min(1).max(200).default(50).describe('Most rows on one page (fewer when the widget is shorter).'),
  })
  .strict()
  .superRefine(oneBinding(['metric', 'sql', 'stream']))
  .superRefine((widget, context) => {
    if (widget.metric !== undefined && widget.by === undefined) context.addIssue({ code: 'custom', path: ['by'], message: 'a table of a metric needs `by` (the dimensions of the rows)' });
  });

export const mapWidgetSchema = z
  .object({
    type: z.literal('map').describe('A world map: countries shaded by a metric (choropleth), or points by coordinates.'),
    ...common,
    ...metricBinding,
    by: name.default('country').describe('With `metric`: the dimension holding ISO country codes.'),
    mode: z.enum(['choropleth', 'points']).default('choropleth').describe('Shade countries (rows with country, value) or plot points (rows with lat, lon[, value]).'),
  })
  .strict()
  .superRefine(oneBinding(['metric', 'sql', 'stream']))
  .superRefine((widget, context) => {
    if (widget.mode === 'points' && widget.metric !== undefined) context.addIssue({ code: 'custom', path: ['mode'], message: 'points need rows with lat and lon: use sql or stream' });
  });

export const logWidgetSchema = z
  .object({
    type: z.literal('log').describe('A live event log: the latest events of one table or stream, coloured by severity.'),
    ...common,
    table: name.optional().describe('A lake table, e.g. security_alerts.'),
    stream: name.optional().describe('A stream of the live feed.'),
    fields: z.array(z.string()).min(1).optional().describe('Columns shown on each line (default: time and a few of the table\'s columns).'),
    severity_field: z.string().optional().describe('Column whose value (low, medium, high, critical, or info/warn/error) colours the line.'),
    limit: z.number().int().min(1).max(500).default(100).describe('How many of the latest events are kept.'),
  })
  .strict()
  .superRefine(oneBinding(['table', 'stream']));

export const statusWidgetSchema = z
  .object({
    type: z.literal('status').describe('A status panel: ingest daemon state, events/s and lag, the live feed, last pipeline run, data check results.'),
    ...common,
    metrics_port: z.number().int().min(1).max(65_535).optional().describe('Port of the ingest daemon\'s metrics endpoint (default: kafka.metrics_port of analytics.yaml).'),
    checks: z.boolean().default(true).describe('Run the data checks of pipelines.yaml (except volume_change, which keeps state) and show their results.'),
    checks_refresh: durationSchema.default('5m').describe('How often the checks run.'),
  })
  .strict();

export const queryWidgetSchema = z
  .object({
    type: z.literal('query').describe('A custom widget: the rows of any read-only query, one line each.'),
    ...common,
    sql: z.string().min(1).describe('The query; `{from}` and `{to}` are replaced by the time range.'),
    template: z.string().optional().describe('How a row becomes a line, e.g. "{merchant_id}: {n} declines" (default: the values side by side).'),
  })
  .strict();

export const widgetSchema = z.discriminatedUnion('type', [
  kpiWidgetSchema, lineWidgetSchema, barWidgetSchema, tableWidgetSchema, mapWidgetSchema, logWidgetSchema, statusWidgetSchema, queryWidgetSchema,
]);

export type WidgetConfig = z.output<typeof widgetSchema>;
export type WidgetType = WidgetConfig['type'];

/** What the runtime and the layout check know about each widget type. */
export interface WidgetTypeSpec {
  type: WidgetType;
  summary: string;
  /** Fewest columns and lines (frame included) the widget needs to be readable. */
  minWidth: number;
  minHeight: number;
  /** A YAML example for the docs. */
  example: string;
}

export const WIDGET_TYPES: readonly WidgetTypeSpec[] = [
  { type: 'kpi', summary: 'KPI tile: value, target status colour, change, sparkline.', minWidth: 18, minHeight: 5, example: '- { type: kpi, metric: approval_rate }' },
  { type: 'line', summary: 'Line chart with several series (asciichart).', minWidth: 30, minHeight: 7, example: '- { type: line, metrics: [approved_count, declined_count] }' },
  { type: 'bar', summary: 'Bar chart, stacked with stack_by.', minWidth: 26, minHeight: 5, example: '- { type: bar, metric: transaction_count, by: channel, stack_by: status }' },
  { type: 'table', summary: 'Table with sorting and paging.', minWidth: 30, minHeight: 5, example: '- { type: table, metric: transaction_volume, by: [merchant_id] }' },
  { type: 'map', summary: 'World map: choropleth by country or points by coordinates.', minWidth: 40, minHeight: 10, example: '- { type: map, metric: transaction_volume, by: country }' },
  { type: 'log', summary: 'Latest events of a table or stream, coloured by severity.', minWidth: 30, minHeight: 4, example: '- { type: log, table: security_alerts, severity_field: severity }' },
  { type: 'status', summary: 'Ingest lag, events/s, feed, last pipeline run, check results.', minWidth: 28, minHeight: 7, example: '- { type: status }' },
  { type: 'query', summary: 'Custom: the rows of any query, one line each.', minWidth: 24, minHeight: 4, example: '- { type: query, sql: "SELECT merchant_id, count(*) AS n FROM transactions GROUP BY ALL ORDER BY n DESC LIMIT 5" }' },
];

export const WIDGET_TYPE_BY_NAME: ReadonlyMap<WidgetType, WidgetTypeSpec> = new Map(WIDGET_TYPES.map((spec) => [spec.type, spec]));

export const rowSchema = z
  .object({
    height: z.number().int().min(3).describe('Lines the row takes at the minimum terminal size; rows grow in proportion on taller terminals.'),
    widgets: z.array(widgetSchema).min(1).describe('The widgets of the row, left to right.'),
  })
  .strict();

export const dashboardFileSchema = z
  .object({
    version: z.literal(1).default(1).describe('File format version.'),
    title: z.string().min(1).describe('Shown in the header.'),
    description: z.string().optional().describe('What the dashboard is for.'),
    time_range: timeRangeSchema.default('1h').describe('Time range at start: 15m, 1h, 24h or 7d (ending now).'),
    refresh: durationSchema.default('10s').describe('Default refresh interval of the widgets.'),
    filters: z.array(name).default([]).describe('Dimensions offered in the filter bar (`f`), e.g. country, channel; applied to every widget that has them.'),
    min_columns: z.number().int().min(40).default(120).describe('Smallest terminal width the layout is made for; narrower terminals get a "too small" notice.'),
    min_rows: z.number().int().min(10).default(40).describe('Smallest terminal height the layout is made for.'),
    rows: z.array(rowSchema).min(1).describe('The grid: rows of widgets, top to bottom.'),
  })
  .strict();

export type DashboardFile = z.output<typeof dashboardFileSchema>;
export type DashboardRow = z.output<typeof rowSchema>;
export type TimeRangeName = (typeof TIME_RANGES)[number];

/** Lines the header, filter bar and footer take. */
export const CHROME_LINES = 3;
