import { Args, Flags } from '@oclif/core';
import chalk from 'chalk';
import { BaseCommand } from '../cli/base-command.js';
import { runQuickstart, type QuickstartResult } from '../pipelines/quickstart.js';
import { renderKpis } from './kpi.js';
import { yesterdayUtc } from './generate.js';

export default class Quickstart extends BaseCommand {
  static override summary = "Generate a day of events, ingest them into a local lake, build the default warehouse, run the checks and print the day's headline figures.";
  static override description = `Needs no server: the lake is Parquet files queried with embedded DuckDB. Creates a workspace in DIR if there is none. Safe to run again (the same events are then counted as duplicates).`;
  static override examples = ['<%= config.bin %> quickstart', '<%= config.bin %> quickstart ./demo --rate 5', '<%= config.bin %> quickstart --format json'];
  static override args = { dir: Args.string({ description: 'Folder for the workspace.', default: 'analytics-quickstart' }) };
  static override flags = {
    seed: Flags.integer({ summary: 'Generator seed.', default: 42 }),
    day: Flags.string({ summary: 'Day to generate (YYYY-MM-DD; default yesterday, UTC).' }),
    rate: Flags.integer({ summary: 'Average events per second of the day.', default: 2, min: 1 }),
    format: Flags.string({ summary: 'Output format.', options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Quickstart);
    this.setupLogging('quickstart', flags.debug);
    const day = flags.day ? new Date(`${flags.day}T00:00:00Z`) : yesterdayUtc();
    const result = await runQuickstart(args.dir, {
      seed: flags.seed,
      day,
      rate: flags.rate,
      onStep: (step, detail) => this.logger.info(`${step}: ${detail}`),
    });
    if (flags.format === 'json') return this.out(JSON.stringify(result));
    this.out(renderQuickstart(result));
  }
}

const money = (value: number, currency: string) => `${value.toLocaleString('en-US', { maximumFractionDigits: 0 })} ${currency}`;
const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(2)}%`);
const count = (value: number) => value.toLocaleString('en-US');

export function renderQuickstart(result: QuickstartResult): string {
  const h = result.headline;
  const c = result.headline.reportingCurrency;
  const title = (text: string) => chalk.bold(text);
  return [
    title(`Headline figures for ${h.from?.slice(0, 10) ?? 'the day'} (workspace ${result.workspace})`),
    '',
    `  Transactions            ${count(h.transactions)}`,
    `  Volume                  ${money(h.volume, c)}`,
    `  Decline rate            ${percent(h.declineRate)}`,
    `  Fraud rate              ${percent(h.fraudRate)}`,
    `  Notification delivery   ${percent(h.notificationDeliveryRate)}`,
    '',
    title('  Top merchants by volume'),
    ...h.topMerchants.map((m) => `    ${m.merchant_id.padEnd(14)} ${(m.category ?? '').slice(0, 34).padEnd(34)} ${money(m.volume, c).padStart(16)}  ${count(m.transactions).padStart(7)} tx`),
    title('  Top countries by volume'),
    ...h.topCountries.map((k) => `    ${k.country}  ${(k.name ?? '').slice(0, 28).padEnd(28)} ${money(k.volume, c).padStart(16)}  ${count(k.transactions).padStart(7)} tx`),
    title('  Security alerts by severity'),
    `    ${h.alertsBySeverity.map((a) => `${a.severity} ${count(a.alerts)}`).join(' · ')}`,
    '',
    title('  KPIs (analytics kpi)'),
    ...renderKpis(result.kpis).split('\n').map((line) => `    ${line}`),
    '',
    ...renderWarehouse(result),
    `  Checks: ${result.checks.passed} of ${result.checks.results.length} passed${result.checks.failed + result.checks.errored > 0 ? `, ${result.checks.failed + result.checks.errored} failed` : ''}${result.checks.warned > 0 ? `, ${result.checks.warned} warnings` : ''}${result.checks.skipped > 0 ? `, ${result.checks.skipped} skipped` : ''} (analytics check)`,
    `  Ingest: ${count(result.ingest.read)} read, ${count(result.ingest.stored)} stored, ${count(result.ingest.rejected)} rejected (dead_letters), ${count(result.ingest.duplicates)} duplicates, ${count(result.ingest.eventsPerSecond)} events/s`,
    '',
    `Next: cd ${result.workspace} && analytics query "SELECT region, count(*) FROM transactions GROUP BY ALL"`,
  ].join('\n');
}

/** The warehouse the default pipelines built: tables and rows, as `etl run` summarised them. */
function renderWarehouse(result: QuickstartResult): string[] {
  const steps = result.etl.runs.flatMap((run) => run.partitions.flatMap((partition) => partition.steps)).filter((step) => step.table);
  const facts = steps.filter((step) => step.table!.startsWith('fact_')).map((step) => `${step.table} ${count(step.tableRows ?? 0)}`);
  const dims = steps.filter((step) => step.table!.startsWith('dim_')).map((step) => `${step.table} ${count(step.tableRows ?? 0)}`);
  return [
    `  Warehouse: ${steps.length} tables built by ${result.etl.runs.length} pipelines in ${result.etl.seconds.toFixed(1)}s (analytics etl run)`,
    `    ${facts.join(' · ')}`,
    `    ${dims.join(' · ')}`,
  ];
}
