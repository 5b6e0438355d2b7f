import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { UserError } from '../../errors.js';
import { runJobNow } from '../../scheduler/service.js';
import type { RunRecord } from '../../scheduler/store.js';

export default class ScheduleRun extends BaseCommand {
  static override summary = 'Run one scheduled job now, in the foreground, with its timeout and retries; exit 1 unless it succeeds.';
  static override description = 'The run takes the job\'s lock, so it never overlaps a run of the same job by the scheduler (a job that is running already is refused). It is recorded in the history like a scheduled run (trigger: manual), with its log under .analytics/schedule/logs/. Disabled jobs can be run this way. Ctrl-C stops the job.';
  static override examples = [
    '<%= config.bin %> schedule run nightly_compact',
    '<%= config.bin %> schedule run checks --no-retries',
    '<%= config.bin %> schedule run checks --format json',
  ];
  static override args = { job: Args.string({ description: 'Job name (from schedule.jobs in analytics.yaml).', required: true }) };
  static override flags = {
    retries: Flags.boolean({ summary: 'Retry a failed attempt as the job says (--no-retries: one attempt).', default: true, allowNo: true }),
    format: Flags.string({ summary: 'Output format.', options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ScheduleRun);
    this.setupLogging('scheduler', flags.debug);
    const workspace = await this.loadWorkspace(flags.workspace);
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    const record = await runJobNow(workspace, args.job, {
      signal: controller.signal,
      retries: flags.retries,
      logger: this.logger,
      onStart: (runId, logFile) => this.logger.info(`job ${args.job} started`, { run: runId, log: logFile }),
    });
    this.out(flags.format === 'json' ? JSON.stringify(record) : renderRun(record));
    if (record.status !== 'succeeded') {
      throw new UserError('SCHEDULE_RUN_FAILED', `Job "${record.job}" ${record.status.replace('_', ' ')} after ${record.attempts.length} attempt${record.attempts.length === 1 ? '' : 's'}${record.status === 'failed' && record.exitCode !== null ? ` (exit code ${record.exitCode})` : ''}.`, {
        hint: record.log === null ? 'See analytics schedule history for the record.' : `Its output is in ${record.log}.`,
      });
    }
  }
}

export function renderRun(record: RunRecord): string {
  const seconds = record.durationMs === null ? '' : ` in ${(record.durationMs / 1000).toFixed(1)} s`;
  const lines = [`${record.job} ${record.status}${seconds} (run ${record.id})`];
  for (const attempt of record.attempts) {
    const ending = attempt.timedOut ? 'timed out' : attempt.cancelled ? 'cancelled' : attempt.error ?? (attempt.signal !== null ? `ended by ${attempt.signal}` : `exit code ${attempt.exitCode}`);
    lines.push(`  attempt ${attempt.attempt}: ${ending} (${attempt.startedAt} - ${attempt.endedAt})`);
  }
  if (record.log !== null) lines.push(`  log: ${record.log}`);
  return lines.join('\n');
}
