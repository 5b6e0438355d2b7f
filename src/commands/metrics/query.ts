import { Args, Flags } from '@oclif/core';
import chalk from 'chalk';
import { BaseCommand } from '../../cli/base-command.js';
import { parseDateFlag as parseDate } from '../../cli/dates.js';
import { renderRows, renderTable } from '../../cli/output.js';
import { GRAINS, type Grain } from '../../metrics/schema.js';
import { queryMetric } from '../../metrics/service.js';


export default class MetricsQuery extends BaseCommand {
  static override summary = 'Query a metric by time grain and dimensions, optionally against the previous period.';
  static override description = 'The time range defaults to the 30 grain periods up to the newest event. Answers are cached by metric, arguments and lake version: new data invalidates them.';
  static override examples = [
    '<%= config.bin %> metrics query fraud_rate --by country --grain day --from 2026-11-01 --to 2026-11-25',
    '<%= config.bin %> metrics query transaction_volume --grain hour --compare previous_period',
    '<%= config.bin %> metrics query decline_rate --by channel --format json',
    '<%= config.bin %> metrics query transaction_count --explain',
  ];
  static override args = { metric: Args.string({ description: 'Metric name (analytics metrics list).', required: true }) };
  static override flags = {
    by: Flags.string({ summary: 'Dimension to break down by (repeatable, or comma-separated).', multiple: true }),
    grain: Flags.string({ summary: 'Time grain.', options: [...GRAINS] }),
    from: Flags.string({ summary: 'Start, inclusive (ISO 8601).' }),
    to: Flags.string({ summary: 'End, exclusive (ISO 8601).' }),
    compare: Flags.string({ summary: 'Add the previous period and the change.', options: ['previous_period'] }),
    explain: Flags.boolean({ summary: 'Print the SQL instead of running it.', default: false }),
    fresh: Flags.boolean({ summary: 'Ignore the cache.', default: false }),
    format: Flags.string({ summary: 'Output format.', options: ['table', 'json', 'ndjson', 'csv'], default: 'table' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MetricsQuery);
    this.setupLogging('metrics', flags.debug);
    const workspace = await this.loadWorkspace(flags.workspace);
    const from = parseDate(flags.from, 'from');
    const to = parseDate(flags.to, 'to');
    const result = await queryMetric(workspace, {
      metric: args.metric,
      by: (flags.by ?? []).flatMap((by) => by.split(',')).map((by) => by.trim()).filter(Boolean),
      fresh: flags.fresh,
      ...(flags.grain ? { grain: flags.grain as Grain } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(flags.compare ? { compare: 'previous_period' as const } : {}),
    });
    if (flags.explain) return this.out(result.sql);
    if (flags.format !== 'table') {
      process.stdout.write(renderRows(flags.format as 'json' | 'ndjson' | 'csv', result.columns, result.rows));
      return;
    }
    this.out(renderTable(result.columns, result.rows, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR }));
    process.stderr.write(chalk.gray(`${result.rows.length} rows · ${result.query.grain} from ${result.query.from.toISOString()} to ${result.query.to.toISOString()} · ${result.cached ? 'cached' : `${result.seconds.toFixed(3)}s`} · lake version ${result.snapshotVersion}\n`));
  }
}
