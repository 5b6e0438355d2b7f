import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { loadMetrics, requireMetric } from '../../metrics/service.js';

export default class MetricsShow extends BaseCommand {
  static override summary = 'Show one metric: definition, dimensions, grains, KPI.';
  static override examples = ['<%= config.bin %> metrics show fraud_rate', '<%= config.bin %> metrics show decline_rate --format json'];
  static override args = { name: Args.string({ description: 'Metric name.', required: true }) };
  static override flags = { format: Flags.string({ summary: 'Output format.', options: ['text', 'json'], default: 'text' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MetricsShow);
    this.setupLogging('metrics', flags.debug);
    const metric = requireMetric(await loadMetrics(await this.loadWorkspace(flags.workspace)), args.name);
    if (flags.format === 'json') return this.out(JSON.stringify(metric));
    const lines = [
      `${metric.name} — ${metric.description}`,
      `  owner        ${metric.owner}`,
      `  aggregation  ${metric.aggregation}${metric.column ? ` of ${metric.column}` : ''}${metric.aggregation === 'ratio' ? ` ${metric.numerator} / ${metric.denominator}` : ''}${metric.expression ? `: ${metric.expression}` : ''}`,
      `  from         ${metric.table ?? metric.source ?? '(ratio)'}`,
      ...(metric.filter ? [`  filter       ${metric.filter}`] : []),
      `  time         ${metric.time_column}`,
      `  dimensions   ${metric.dimensions.join(', ') || '(none)'}`,
      `  grains       ${metric.grains.join(', ')}`,
      `  format       ${metric.format}`,
      ...(metric.kpi ? [`  kpi          ${metric.kpi.direction.replaceAll('_', ' ')}, target ${metric.kpi.target}, green ${metric.kpi.green}, amber ${metric.kpi.amber}, window ${metric.kpi.window}`] : []),
    ];
    this.out(lines.join('\n'));
  }
}
