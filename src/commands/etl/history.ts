import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { renderTable } from '../../cli/output.js';
import { effectiveStatus, readRunRecords } from '../../etl/history.js';

export default class EtlHistory extends BaseCommand {
  static override summary = 'Show recorded ETL runs, newest first: who, what, status, rows, duration, error.';
  static override description = 'Each run of a pipeline writes one record in .analytics/etl/runs/ (inputs\' lake version, rows in and out per step, durations, status, error). A run that is marked running but whose process is gone shows as killed.';
  static override args = { pipeline: Args.string({ description: 'Only this pipeline.' }) };
  static override examples = ['<%= config.bin %> etl history', '<%= config.bin %> etl history warehouse --limit 5', '<%= config.bin %> etl history --format json'];
  static override flags = {
    limit: Flags.integer({ summary: 'Runs shown.', default: 20, min: 1 }),
    format: Flags.string({ summary: 'Output format.', options: ['table', 'json'], default: 'table' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(EtlHistory);
    this.setupLogging('etl', flags.debug);
    const records = await readRunRecords(await this.loadWorkspace(flags.workspace), { limit: flags.limit, ...(args.pipeline ? { pipeline: args.pipeline } : {}) });
    const runs = records.map((record) => ({ ...record, status: effectiveStatus(record) }));
    if (flags.format === 'json') return this.out(JSON.stringify(runs));
    if (runs.length === 0) return this.out('No ETL runs recorded yet (analytics etl run).');
    const rows = runs.map((run) => {
      const steps = run.partitions.flatMap((partition) => partition.steps);
      const dates = run.window.date ?? (run.window.from ? `${run.window.from}..${run.window.to}` : 'all');
      return {
        started: run.startedAt.slice(0, 19).replace('T', ' '),
        pipeline: run.pipeline,
        dates,
        status: run.status,
        user: run.user,
        lake: run.partitions.map((partition) => `${partition.inputVersion}${partition.committedVersion ? `→${partition.committedVersion}` : ''}`).filter((v) => v !== '0').join(' ') || '',
        rows_out: steps.reduce((sum, step) => sum + step.rowsOut, 0),
        seconds: run.seconds === undefined ? '' : run.seconds.toFixed(2),
        error: run.error ? run.error.message.slice(0, 100) : '',
      };
    });
    this.out(renderTable(['started', 'pipeline', 'dates', 'status', 'user', 'lake', 'rows_out', 'seconds', 'error'].map((name) => ({ name, type: name === 'rows_out' ? 'BIGINT' : 'VARCHAR' })), rows));
  }
}
