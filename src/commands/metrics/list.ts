import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { renderTable } from '../../cli/output.js';
import { loadMetrics } from '../../metrics/service.js';

export default class MetricsList extends BaseCommand {
  static override summary = 'List the metrics defined in metrics.yaml.';
  static override examples = ['<%= config.bin %> metrics list', '<%= config.bin %> metrics list --format json'];
  static override flags = { format: Flags.string({ summary: 'Output format.', options: ['table', 'json'], default: 'table' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(MetricsList);
    this.setupLogging('metrics', flags.debug);
    const metrics = [...(await loadMetrics(await this.loadWorkspace(flags.workspace))).values()];
    if (flags.format === 'json') return this.out(JSON.stringify(metrics));
    const rows = metrics.map((metric) => ({ name: metric.name, description: metric.description, format: metric.format, kpi: metric.kpi ? 'yes' : '', owner: metric.owner }));
    this.out(renderTable(['name', 'description', 'format', 'kpi', 'owner'].map((name) => ({ name, type: 'VARCHAR' })), rows));
  }
}
