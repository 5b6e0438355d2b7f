import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { renderTable } from '../../cli/output.js';
import { scheduleHistory } from '../../scheduler/service.js';
import { RUN_STATUSES, type RunStatus } from '../../scheduler/store.js';
import { statusText } from './list.js';

export default class ScheduleHistory extends BaseCommand {
  static override summary = 'Show the recorded runs of the scheduled jobs, newest first.';
  static override description = `Statuses: ${RUN_STATUSES.join(', ')}. Records and logs live under .analytics/schedule/ (runs/<job>/<run>.json, logs/<job>/<run>.log); schedule.keep_runs limits how many are kept per job.`;
  static override examples = [
    '<%= config.bin %> schedule history',
    '<%= config.bin %> schedule history nightly_compact --limit 5',
    '<%= config.bin %> schedule history --status failed --status timed_out --format json',
  ];
  static override args = { job: Args.string({ description: 'Only this job.', required: false }) };
  static override flags = {
    limit: Flags.integer({ summary: 'Most runs to show.', default: 20, min: 1 }),
    status: Flags.string({ summary: 'Only runs with this status (repeatable).', options: [...RUN_STATUSES], multiple: true }),
    format: Flags.string({ summary: 'Output format.', options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ScheduleHistory);
    this.setupLogging('scheduler', flags.debug);
    const workspace = await this.loadWorkspace(flags.workspace);
    const runs = await scheduleHistory(workspace, {
      limit: flags.limit,
      ...(args.job === undefined ? {} : { job: args.job }),
      ...(flags.status === undefined ? {} : { status: flags.status as RunStatus[] }),
    });
    if (flags.format === 'json') return this.out(JSON.stringify(runs));
    if (runs.length === 0) return this.out('No runs recorded yet.');
    const color = process.stdout.isTTY === true;
    const columns = ['job', 'status', 'trigger', 'scheduled', 'started', 'seconds', 'attempts', 'exit', 'log'].map((name) => ({ name, type: ['seconds', 'attempts', 'exit'].includes(name) ? 'DOUBLE' : 'VARCHAR' }));
    this.out(renderTable(columns, runs.map((run) => ({
      job: run.job,
      status: statusText(run.status, color),
      trigger: run.trigger,
      scheduled: run.scheduledAt ?? '',
      started: run.startedAt ?? '',
      seconds: run.durationMs === null ? '' : (run.durationMs / 1000).toFixed(1),
      attempts: run.attempts.length,
      exit: run.exitCode ?? '',
      log: run.log ?? run.message ?? '',
    })), { color }));
  }
}
