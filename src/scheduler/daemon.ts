/**
 * `analytics schedule start`: one scheduler per workspace (a lock says so), firing jobs on
 * their cron times until the signal aborts, then stopping gracefully.
 */
import type { Logger } from '../cli/logger.js';
import { UserError } from '../errors.js';
import type { Workspace } from '../workspace/workspace.js';
import { systemClock, type Clock } from './clock.js';
import { formatInZone } from './cron-times.js';
import { tryLock } from './job-lock.js';
import { scheduledJobs } from './jobs.js';
import { processLauncher } from './process-launcher.js';
import type { JobLauncher } from './run-job.js';
import { Scheduler } from './scheduler.js';
import { ScheduleStore, type RunStatus } from './store.js';

export interface SchedulerDaemonOptions {
  signal: AbortSignal;
  logger: Logger;
  clock?: Clock;
  launcher?: JobLauncher;
}

export interface SchedulerSummary {
  jobs: number;
  enabledJobs: number;
  seconds: number;
  runs: Partial<Record<RunStatus, number>>;
}

/** Without enabled jobs the daemon still waits (for a signal); it looks at the time this often. */
const IDLE_WAKE_MS = 60_000;

export async function runSchedulerDaemon(workspace: Workspace, options: SchedulerDaemonOptions): Promise<SchedulerSummary> {
  const { logger, signal } = options;
  const clock = options.clock ?? systemClock;
  const store = new ScheduleStore(workspace.root);
  const jobs = scheduledJobs(workspace.config.schedule);
  const schedulerLock = await tryLock(store.schedulerLockTarget, {
    onCompromised: (error) => logger.warn(`the scheduler lock was lost (${error.message}); another scheduler may start`),
  });
  if (schedulerLock === undefined) {
    throw new UserError('SCHEDULER_RUNNING', `A scheduler is already running on ${workspace.root}.`, {
      hint: 'One scheduler per workspace: stop the other one first (SIGTERM), or see its jobs with `analytics schedule list`.',
    });
  }
  const started = clock.now();
  const runs: SchedulerSummary['runs'] = {};
  try {
    const scheduler = new Scheduler({
      jobs,
      clock,
      store,
      launcher: options.launcher ?? processLauncher({ workspaceRoot: workspace.root }),
      keepRuns: workspace.config.schedule.keep_runs,
      logger,
      onRunStart: (job, plan) => logger.info(`job ${job.name} started`, { job: job.name, run: plan.id, trigger: plan.trigger, log: store.relative(store.logFile(job.name, plan.id)) }),
      onRecord: (record) => {
        runs[record.status] = (runs[record.status] ?? 0) + 1;
        const fields = { job: record.job, run: record.id, status: record.status, attempts: record.attempts.length, ...(record.durationMs === null ? {} : { seconds: record.durationMs / 1000 }), ...(record.log === null ? {} : { log: record.log }) };
        if (record.status === 'succeeded') logger.info(`job ${record.job} succeeded`, fields);
        else if (record.status.startsWith('skipped')) logger.info(`job ${record.job} ${record.status.replace('_', ' (')})`, fields);
        else logger.warn(`job ${record.job} ${record.status.replace('_', ' ')}${record.exitCode === null ? '' : ` (exit code ${record.exitCode})`}`, fields);
      },
    });
    await scheduler.start();
    const enabled = jobs.filter((job) => job.enabled);
    if (enabled.length === 0) logger.warn(`no enabled jobs in ${workspace.configFile}; waiting for a signal`, { hint: 'declare jobs under schedule.jobs (docs/scheduler.md)' });
    for (const job of enabled) {
      const next = scheduler.nextFireTimes().get(job.name);
      logger.info(`job ${job.name}: ${job.cron} (${job.timezone}), next at ${next === undefined ? '-' : formatInZone(next, job.timezone)}`, { job: job.name });
    }
    logger.info(`scheduler started with ${enabled.length} job${enabled.length === 1 ? '' : 's'}`, { workspace: workspace.root, pid: process.pid });
    while (!signal.aborted) {
      const wake = scheduler.nextWakeAt();
      await clock.sleep(wake === undefined ? IDLE_WAKE_MS : wake - clock.now(), signal);
      if (signal.aborted) break;
      // Timers may fire a little early; tick() only fires what is due, and the loop waits again.
      await scheduler.tick();
    }
    const grace = workspace.config.schedule.shutdown_grace;
    const running = scheduler.runningJobs();
    logger.info(running.length === 0 ? 'stopping: no job is running' : `stopping: waiting up to ${grace / 1000} s for ${running.join(', ')}`);
    await scheduler.stop(grace);
  } finally {
    await schedulerLock.release();
  }
  return { jobs: jobs.length, enabledJobs: jobs.filter((job) => job.enabled).length, seconds: (clock.now() - started) / 1000, runs };
}
