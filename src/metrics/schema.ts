/**
 * Metric definitions, `metrics.yaml`: one definition per metric, used by `analytics metrics`,
 * `analytics kpi`, `analytics stats` and later the dashboard, reports and API.
 */
import { z } from 'zod';

export const GRAINS = ['minute', 'hour', 'day', 'week', 'month', 'quarter'] as const;
export type Grain = (typeof GRAINS)[number];

const name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lower snake_case');

export const kpiSchema = z
  .object({
    direction: z.enum(['higher_is_better', 'lower_is_better']).describe('Which way is good.'),
    target: z.number().describe('The goal.'),
    green: z.number().describe('Green at or better than this.'),
    amber: z.number().describe('Amber at or better than this; worse is red.'),
    window: z.string().regex(/^\d+(h|d)$/, 'use a window such as 24h or 7d').default('1d').describe('The current value covers this much time up to the newest event.'),
  })
  .strict()
  .superRefine((kpi, context) => {
    const ordered = kpi.direction === 'higher_is_better' ? kpi.green >= kpi.amber : kpi.green <= kpi.amber;
    if (!ordered) {
      context.addIssue({ code: 'custom', path: ['amber'], message: `with ${kpi.direction}, amber must be ${kpi.direction === 'higher_is_better' ? 'below' : 'above'} green` });
    }
  });

export const metricSchema = z
  .object({
    name: name.describe('Unique metric name, used everywhere (CLI, dashboard, reports, API).'),
    description: z.string().min(1).describe('What it measures, in one sentence.'),
    owner: z.string().default('analytics').describe('Team or person answering for it.'),
    table: name.optional().describe('Lake table it aggregates (or use `source`).'),
    source: z.string().min(1).optional().describe('A SELECT to aggregate instead of a table, e.g. a join.'),
    aggregation: z.enum(['count', 'count_distinct', 'sum', 'avg', 'min', 'max', 'percentile', 'ratio', 'sql']).describe('How rows become the value.'),
    column: z.string().optional().describe('Column for count_distinct, sum, avg, min, max and percentile.'),
    percentile: z.number().gt(0).lt(1).optional().describe('For percentile: 0.5, 0.95, 0.99…'),
    expression: z.string().min(1).optional().describe('For sql: an aggregate SQL expression over the rows, e.g. count(*) FILTER (WHERE …).'),
    numerator: name.optional().describe('For ratio: the metric on top.'),
    denominator: name.optional().describe('For ratio: the metric below.'),
    filter: z.string().min(1).optional().describe('SQL condition on the rows before aggregating.'),
    time_column: z.string().default('occurred_at').describe('Column that places a row in time.'),
    dimensions: z.array(z.string()).default([]).describe('Columns the metric may be broken down by (--by).'),
    grains: z.array(z.enum(GRAINS)).default(['hour', 'day', 'week', 'month', 'quarter']).describe('Time grains it may be queried at.'),
    format: z.enum(['number', 'currency', 'percent', 'duration']).default('number').describe('How values are shown.'),
    kpi: kpiSchema.optional().describe('A target with green/amber/red thresholds, for `analytics kpi`.'),
    noise: z
      .enum(['volume', 'sample'])
      .optional()
      .describe('How the value varies with the rows behind it, for anomaly scoring: `sample` for rates, averages and percentiles (noisier over fewer rows), `volume` for counts and sums. Default: `sample` for ratio, avg and percentile, else `volume`.'),
  })
  .strict()
  .superRefine((metric, context) => {
    const need = (field: keyof typeof metric, when: string) => {
      if (metric[field] === undefined) context.addIssue({ code: 'custom', path: [field], message: `required when ${when}` });
    };
    if (metric.aggregation !== 'ratio' && (metric.table === undefined) === (metric.source === undefined)) {
      context.addIssue({ code: 'custom', path: ['table'], message: 'give either table or source' });
    }
    if (['count_distinct', 'sum', 'avg', 'min', 'max', 'percentile'].includes(metric.aggregation)) need('column', `aggregation is ${metric.aggregation}`);
    if (metric.aggregation === 'percentile') need('percentile', 'aggregation is percentile');
    if (metric.aggregation === 'sql') need('expression', 'aggregation is sql');
    if (metric.aggregation === 'ratio') {
      need('numerator', 'aggregation is ratio');
      need('denominator', 'aggregation is ratio');
    }
  });

export const metricsFileSchema = z
  .object({
    version: z.literal(1).default(1).describe('File format version.'),
    metrics: z.array(metricSchema).default([]).describe('The metric definitions.'),
  })
  .strict()
  .superRefine((file, context) => {
    const names = new Map<string, number>();
    file.metrics.forEach((metric, index) => {
      if (names.has(metric.name)) context.addIssue({ code: 'custom', path: ['metrics', index, 'name'], message: `"${metric.name}" is defined twice` });
      names.set(metric.name, index);
    });
    file.metrics.forEach((metric, index) => {
      for (const part of ['numerator', 'denominator'] as const) {
        const other = metric[part];
        if (other !== undefined && !names.has(other)) context.addIssue({ code: 'custom', path: ['metrics', index, part], message: `no metric named "${other}"` });
      }
    });
  });

export type MetricDefinition = z.output<typeof metricSchema>;

/**
 * Whether a metric's value is a statistic of a sample of rows (a rate, an average, a percentile:
 * its noise shrinks as more rows stand behind it) or a volume (a count or sum, which grows with
 * them). Anomaly scoring weighs a sample statistic by its rows (src/analytics/stats/anomalies.ts).
 */
export function metricNoise(metric: MetricDefinition): 'volume' | 'sample' {
  return metric.noise ?? (['ratio', 'avg', 'percentile'].includes(metric.aggregation) ? 'sample' : 'volume');
}
export type MetricsFile = z.output<typeof metricsFileSchema>;
