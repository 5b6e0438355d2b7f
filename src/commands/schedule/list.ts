import { Flags } from '@oclif/core';
import chalk from 'chalk';
import { BaseCommand } from '../../cli/base-command.js';
import { renderTable } from '../../cli/output.js';
import { listScheduledJobs } from '../../scheduler/service.js';
import type { RunStatus } from '../../scheduler/store.js';

export default class ScheduleList extends BaseCommand {
  static override summary = 'List the scheduled jobs: cron, time zone, next run times, last run.';
  static override examples = [
    '<%= config.bin %> schedule list',
    '<%= config.bin %> schedule list --next 5',
    '<%= config.bin %> schedule list --format json',
  ];
  static override flags = {
    next: Flags.integer({ summary: 'How many next run times to show per job.', default: 3, min: 1, max: 100 }),
    format: Flags.string({ summary: 'Output format.', options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ScheduleList);
    this.setupLogging('scheduler', flags.debug);
    const workspace = await this.loadWorkspace(flags.workspace);
    const overview = await listScheduledJobs(workspace, { count: flags.next });
    if (flags.format === 'json') return this.out(JSON.stringify(overview));
    if (overview.jobs.length === 0) {
      this.out(`No jobs in the schedule of ${overview.configFile}.\nDeclare them under schedule.jobs (the file has a commented example; see docs/scheduler.md).`);
      return;
    }
    const color = process.stdout.isTTY === true;
    const columns = ['job', 'cron', 'timezone', 'command', 'next runs', 'last run'].map((name) => ({ name, type: 'VARCHAR' }));
    const rows = overview.jobs.map((job) => ({
      job: job.enabled ? job.name : `${job.name} (disabled)`,
      cron: job.cron,
      timezone: job.timezone,
      command: job.command,
      'next runs': job.nextRuns.join('\n') || '-',
      'last run': job.running
        ? 'running now'
        : job.lastRun === null ? 'never' : `${statusText(job.lastRun.status, color)} ${job.lastRun.endedAt ?? job.lastRun.scheduledAt ?? ''}`,
    }));
    this.out(renderTable(columns, rows, { color }));
    this.out(overview.schedulerRunning ? 'The scheduler is running on this workspace.' : 'No scheduler is running on this workspace: start one with `analytics schedule start`.');
  }
}

export function statusText(status: RunStatus, color: boolean): string {
  if (!color) return status;
  if (status === 'succeeded') return chalk.green(status);
  if (status.startsWith('skipped')) return chalk.yellow(status);
  return chalk.red(status);
}
