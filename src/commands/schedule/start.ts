import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { runSchedulerDaemon, type SchedulerSummary } from '../../scheduler/daemon.js';

export default class ScheduleStart extends BaseCommand {
  static override summary = 'Run the scheduler: start the jobs of analytics.yaml on their cron times, until stopped.';
  static override description = `Each job (schedule.jobs) runs as its own analytics process with its timeout, retries with backoff, and a log file; one run of a job at a time (a run still going when the job is due again is recorded as skipped_overlap). Runs missed while no scheduler was running are skipped or run once at start-up (catch_up). Every run is recorded under .analytics/schedule/runs/ (see analytics schedule history). One scheduler per workspace. SIGTERM or SIGINT: start nothing more, give running jobs schedule.shutdown_grace to finish, stop the rest, exit 0. Logs go to stderr (JSON lines when stderr is not a terminal). Running it under systemd: docs/scheduler.md.`;
  static override examples = [
    '<%= config.bin %> schedule start',
    '<%= config.bin %> schedule start --workspace /srv/analytics 2>> /var/log/analytics-scheduler.log',
    '<%= config.bin %> schedule start --format json   # summary as JSON on exit',
  ];
  static override flags = {
    format: Flags.string({ summary: 'Format of the summary printed on exit.', options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ScheduleStart);
    this.setupLogging('scheduler', flags.debug);
    const workspace = await this.loadWorkspace(flags.workspace);
    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      if (controller.signal.aborted) {
        this.logger.warn(`${signal} again: the scheduler is already stopping (running jobs are stopped after schedule.shutdown_grace)`);
        return;
      }
      this.logger.info(`${signal} received: starting no more jobs`);
      controller.abort();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    const summary = await runSchedulerDaemon(workspace, { signal: controller.signal, logger: this.logger });
    this.logger.info('scheduler stopped', { ...summary.runs, seconds: Math.round(summary.seconds * 10) / 10 });
    this.out(flags.format === 'json' ? JSON.stringify(summary) : renderSummary(summary));
  }
}

function renderSummary(summary: SchedulerSummary): string {
  const counts = Object.entries(summary.runs).map(([status, count]) => `${count} ${status.replace('_', ' ')}`);
  return `Scheduler ran ${summary.seconds.toFixed(1)} s with ${summary.enabledJobs} enabled job${summary.enabledJobs === 1 ? '' : 's'}: ${counts.length === 0 ? 'no runs' : counts.join(', ')}.`;
}
