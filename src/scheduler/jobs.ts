/** Scheduled jobs as the scheduler uses them, built from the validated `schedule:` section. */
import type { ScheduleConfig } from '../config/schedule-schema.js';
import { UserError } from '../errors.js';
import { closestMatch } from '../config/did-you-mean.js';
import { resolveJobCommand, splitCommandLine } from './command-line.js';
import { knownCommands } from './known-commands.js';

export type CatchUpPolicy = 'skip' | 'run_once';

export interface ScheduledJob {
  name: string;
  description: string;
  cron: string;
  timezone: string;
  /** The arguments after `analytics`, e.g. ['lake', 'compact', '--min-files', '4']. */
  argv: string[];
  /** The oclif command the arguments start with, e.g. `lake compact`. */
  commandId: string;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  backoffMaxMs: number;
  catchUp: CatchUpPolicy;
  enabled: boolean;
}

/** The jobs of a workspace's `schedule:` section, in file order. */
export function scheduledJobs(schedule: ScheduleConfig): ScheduledJob[] {
  return Object.entries(schedule.jobs).map(([name, job]) => {
    const words = typeof job.command === 'string' ? splitCommandLine(job.command) : job.command;
    const resolution = resolveJobCommand(words, knownCommands());
    // The schema already refused a bad command; this only narrows the type.
    if (!resolution.ok) throw new Error(`schedule.jobs.${name}.command: ${resolution.message}`);
    return {
      name,
      description: job.description,
      cron: job.cron,
      timezone: job.timezone ?? schedule.timezone,
      argv: resolution.argv,
      commandId: resolution.commandId,
      timeoutMs: job.timeout,
      retries: job.retries,
      backoffMs: job.backoff,
      backoffMaxMs: job.backoff_max,
      catchUp: job.catch_up,
      enabled: job.enabled,
    };
  });
}

/** The named job, or a UserError that lists the jobs there are. */
export function findJob(jobs: readonly ScheduledJob[], name: string, configFile: string): ScheduledJob {
  const job = jobs.find((candidate) => candidate.name === name);
  if (job !== undefined) return job;
  const names = jobs.map((candidate) => candidate.name);
  const suggestion = closestMatch(name, names);
  throw new UserError('SCHEDULE_JOB_UNKNOWN', `No job "${name}" in the schedule of ${configFile}.`, {
    hint: names.length === 0
      ? 'Declare jobs under schedule.jobs in analytics.yaml (see docs/scheduler.md).'
      : `${suggestion === undefined ? '' : `Did you mean "${suggestion}"? `}Jobs: ${names.join(', ')}.`,
  });
}

/** Wait before attempt `attempt` (2, 3, …): backoff, doubled per retry, at most backoffMax. */
export function backoffBefore(job: Pick<ScheduledJob, 'backoffMs' | 'backoffMaxMs'>, attempt: number): number {
  return Math.min(job.backoffMs * 2 ** Math.max(0, attempt - 2), job.backoffMaxMs);
}
