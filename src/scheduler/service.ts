/** What `schedule list`, `schedule run` and `schedule history` do, for commands and tests. */
import type { Logger } from '../cli/logger.js';
import { UserError } from '../errors.js';
import type { Workspace } from '../workspace/workspace.js';
import { systemClock, type Clock } from './clock.js';
import { joinCommandLine } from './command-line.js';
import { formatInZone, nextFireTimes } from './cron-times.js';
import { isLocked, tryLock } from './job-lock.js';
import { findJob, scheduledJobs, type CatchUpPolicy } from './jobs.js';
import { processLauncher } from './process-launcher.js';
import { executeRun, type JobLauncher } from './run-job.js';
import { ScheduleStore, type RunRecord, type RunStatus } from './store.js';

export interface JobOverview {
  name: string;
  description: string;
  cron: string;
  timezone: string;
  command: string;
  enabled: boolean;
  catchUp: CatchUpPolicy;
  timeoutMs: number;
  retries: number;
  /** The next fire times in the job's time zone, with offsets (none when disabled). */
  nextRuns: string[];
  /** A run of the job holds its lock now (in the scheduler or a `schedule run`). */
  running: boolean;
  lastRun: Pick<RunRecord, 'id' | 'status' | 'trigger' | 'scheduledAt' | 'startedAt' | 'endedAt' | 'exitCode' | 'log'> | null;
}

export interface ScheduleOverview {
  configFile: string;
  /** A `schedule start` holds the workspace's scheduler lock. */
  schedulerRunning: boolean;
  jobs: JobOverview[];
}

export async function listScheduledJobs(workspace: Workspace, options: { count?: number; now?: number } = {}): Promise<ScheduleOverview> {
  const store = new ScheduleStore(workspace.root);
  const now = options.now ?? Date.now();
  const jobs: JobOverview[] = [];
  for (const job of scheduledJobs(workspace.config.schedule)) {
    const last = await store.lastRun(job.name);
    jobs.push({
      name: job.name,
      description: job.description,
      cron: job.cron,
      timezone: job.timezone,
      command: joinCommandLine(job.argv),
      enabled: job.enabled,
      catchUp: job.catchUp,
      timeoutMs: job.timeoutMs,
      retries: job.retries,
      nextRuns: job.enabled ? nextFireTimes(job, now, options.count ?? 3).map((time) => formatInZone(time, job.timezone)) : [],
      running: await isLocked(store.lockTarget(job.name)),
      lastRun: last === undefined ? null : { id: last.id, status: last.status, trigger: last.trigger, scheduledAt: last.scheduledAt, startedAt: last.startedAt, endedAt: last.endedAt, exitCode: last.exitCode, log: last.log },
    });
  }
  return { configFile: workspace.configFile, schedulerRunning: await isLocked(store.schedulerLockTarget), jobs };
}

export interface HistoryOptions {
  job?: string;
  limit?: number;
  status?: readonly RunStatus[];
}

/** Run records, newest first. A job name must be in the schedule or have records. */
export async function scheduleHistory(workspace: Workspace, options: HistoryOptions = {}): Promise<RunRecord[]> {
  const store = new ScheduleStore(workspace.root);
  if (options.job !== undefined) {
    const withRuns = await store.jobsWithRuns();
    if (!withRuns.includes(options.job)) findJob(scheduledJobs(workspace.config.schedule), options.job, workspace.configFile);
  }
  return store.history(options);
}

export interface RunNowOptions {
  /** Aborting it stops the run (its process group gets SIGTERM, then SIGKILL). */
  signal?: AbortSignal;
  /** false: one attempt, whatever the job's `retries`. */
  retries?: boolean;
  logger?: Logger;
  launcher?: JobLauncher;
  clock?: Clock;
  /** Called once the lock is held and the run starts, with the log file relative to the workspace. */
  onStart?: (runId: string, logFile: string) => void;
}

/** Runs a job now, in this process, under the job's lock (a disabled job runs too). */
export async function runJobNow(workspace: Workspace, name: string, options: RunNowOptions = {}): Promise<RunRecord> {
  const store = new ScheduleStore(workspace.root);
  const configured = findJob(scheduledJobs(workspace.config.schedule), name, workspace.configFile);
  const job = options.retries === false ? { ...configured, retries: 0 } : configured;
  const lock = await tryLock(store.lockTarget(job.name), {
    onCompromised: (error) => options.logger?.warn(`job ${job.name}: its lock was lost while running (${error.message})`),
  });
  if (lock === undefined) {
    throw new UserError('SCHEDULE_JOB_BUSY', `Job "${job.name}" is running already.`, {
      hint: 'One run of a job at a time: wait for it to finish (analytics schedule list shows it), then run it again.',
    });
  }
  const clock = options.clock ?? systemClock;
  try {
    const id = store.newRunId(clock.now());
    options.onStart?.(id, store.relative(store.logFile(job.name, id)));
    return await executeRun(
      job,
      { store, clock, launcher: options.launcher ?? processLauncher({ workspaceRoot: workspace.root }), keepRuns: workspace.config.schedule.keep_runs, ...(options.logger ? { logger: options.logger } : {}) },
      { id, trigger: 'manual', scheduledAt: null },
      options.signal === undefined ? {} : { stop: options.signal, kill: options.signal },
    );
  } finally {
    await lock.release();
  }
}
