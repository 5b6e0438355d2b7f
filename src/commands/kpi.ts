import { Flags } from '@oclif/core';
import chalk from 'chalk';
import { BaseCommand } from '../cli/base-command.js';
import { formatMetricValue } from '../metrics/format.js';
import { kpiReport, type KpiResult } from '../metrics/kpi.js';

const SPARKS = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  return values.map((value) => SPARKS[max === min ? 3 : Math.round(((value - min) / (max - min)) * (SPARKS.length - 1))]).join('');
}

export default class Kpi extends BaseCommand {
  static override summary = 'Show every KPI: value, target, status, change and sparkline; exit 1 when any is red.';
  static override description = 'KPIs are metrics with a `kpi:` in metrics.yaml. The value covers the KPI window (e.g. 1d) up to the newest event; the change compares it with the window before.';
  static override examples = ['<%= config.bin %> kpi', '<%= config.bin %> kpi --format json'];
  static override flags = { format: Flags.string({ summary: 'Output format.', options: ['text', 'json'], default: 'text' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(Kpi);
    this.setupLogging('kpi', flags.debug);
    const results = await kpiReport(await this.loadWorkspace(flags.workspace));
    if (flags.format === 'json') this.out(JSON.stringify(results));
    else this.out(renderKpis(results));
    if (results.some((result) => result.status === 'red')) this.exit(1);
  }
}

const STATUS = { green: chalk.green('● green'), amber: chalk.yellow('● amber'), red: chalk.red('● red'), no_data: chalk.gray('○ no data') } as const;

export function renderKpis(results: readonly KpiResult[]): string {
  if (results.length === 0) return 'No KPIs: add a kpi: to a metric in metrics.yaml.';
  return results.map((kpi) => {
    const change = kpi.change === null ? '' : `${kpi.change >= 0 ? '▲' : '▼'} ${formatMetricValue(Math.abs(kpi.change), kpi.format)}`;
    return `${STATUS[kpi.status].padEnd(18)} ${kpi.metric.padEnd(28)} ${formatMetricValue(kpi.value, kpi.format).padStart(14)}  target ${formatMetricValue(kpi.target, kpi.format).padEnd(10)} ${change.padEnd(14)} ${sparkline(kpi.series)}`;
  }).join('\n');
}
