/**
 * One run of a job: attempts with retries and exponential backoff, each attempt started by a
 * launcher (a child process in production), and one history record at the end. The caller
 * holds the job's lock.
 */
import type { Logger } from '../cli/logger.js';
import { messageOf } from '../errors.js';
import type { Clock } from './clock.js';
import { backoffBefore, type ScheduledJob } from './jobs.js';
import type { AttemptRecord, RunRecord, RunStatus, RunTrigger, ScheduleStore } from './store.js';

export interface LaunchRequest {
  job: ScheduledJob;
  runId: string;
  attempt: number;
  /** Attempts the run may make in all (retries + 1). */
  maxAttempts: number;
  /** Where stdout and stderr go (appended; every attempt of a run shares the file). */
  logFile: string;
  /** Aborted when the attempt must stop now (scheduler shutdown after its grace period). */
  kill: AbortSignal;
  /** Called with the child's pid once it is started (it is recorded for crash recovery). */
  onSpawn?: (pid: number) => void;
}

export interface LaunchOutcome {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  /** Why the process could not be started. */
  error?: string;
}

/** Starts one attempt of a job and resolves when it has ended (it enforces job.timeoutMs). */
export type JobLauncher = (request: LaunchRequest) => Promise<LaunchOutcome>;

export interface RunContext {
  store: ScheduleStore;
  launcher: JobLauncher;
  clock: Clock;
  /** Run records kept per job. */
  keepRuns?: number;
  logger?: Logger;
}

export interface RunPlan {
  id: string;
  trigger: RunTrigger;
  scheduledAt: number | null;
  missed?: RunRecord['missed'];
}

export interface RunSignals {
  /** Aborted: make no further attempt (a backoff wait ends at once). */
  stop?: AbortSignal;
  /** Aborted: stop the running attempt now. */
  kill?: AbortSignal;
  /** Called once, when the first attempt has been handed to the launcher (or the run ended without one). */
  onLaunched?: () => void;
}

const iso = (ms: number) => new Date(ms).toISOString();
const neverAborted = new AbortController().signal;

/** Runs the job to its end (success, last failed attempt, or cancellation) and records it. */
export async function executeRun(job: ScheduledJob, context: RunContext, plan: RunPlan, signals: RunSignals = {}): Promise<RunRecord> {
  const { clock, store, launcher } = context;
  const stop = signals.stop ?? neverAborted;
  const kill = signals.kill ?? neverAborted;
  const logFile = store.logFile(job.name, plan.id);
  const maxAttempts = job.retries + 1;
  const attempts: AttemptRecord[] = [];
  const startedAt = clock.now();
  const running: RunRecord = {
    id: plan.id,
    job: job.name,
    trigger: plan.trigger,
    status: 'running',
    scheduledAt: plan.scheduledAt === null ? null : iso(plan.scheduledAt),
    startedAt: iso(startedAt),
    endedAt: null,
    durationMs: null,
    exitCode: null,
    attempts,
    command: job.argv,
    log: store.relative(logFile),
    ...(plan.missed === undefined ? {} : { missed: plan.missed }),
    ownerPid: process.pid,
  };
  // Record writes go one after the other (the child's pid arrives while the run goes on).
  let writes: Promise<void> = store.writeRun(running, context.keepRuns);
  const rewrite = (record: RunRecord) => {
    writes = writes.then(() => store.writeRun(record)).catch((error: unknown) => context.logger?.warn(`job ${job.name}: could not update its run record: ${messageOf(error)}`));
  };
  await writes;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) {
      const waitMs = backoffBefore(job, attempt);
      context.logger?.info(`job ${job.name}: attempt ${attempt - 1} of ${maxAttempts} did not succeed; retrying in ${Math.round(waitMs / 100) / 10} s`, { job: job.name, run: plan.id });
      await clock.sleep(waitMs, stop);
    }
    if (stop.aborted && attempt > 1) break;
    if (kill.aborted) break;
    const attemptStart = clock.now();
    let outcome: LaunchOutcome;
    try {
      const launched = launcher({ job, runId: plan.id, attempt, maxAttempts, logFile, kill, onSpawn: (pid) => rewrite({ ...running, attempts: [...attempts], pid }) });
      signals.onLaunched?.();
      outcome = await launched;
    } catch (error) {
      outcome = { exitCode: null, signal: null, timedOut: false, cancelled: false, error: messageOf(error) };
    }
    attempts.push({
      attempt,
      startedAt: iso(attemptStart),
      endedAt: iso(clock.now()),
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      timedOut: outcome.timedOut,
      cancelled: outcome.cancelled,
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
    });
    if (attemptStatus(outcome) === 'succeeded' || outcome.cancelled) break;
  }
  signals.onLaunched?.();
  await writes;
  const last = attempts.at(-1);
  const endedAt = clock.now();
  const status: RunStatus = last === undefined ? 'cancelled' : attemptStatus(last);
  const finished: RunRecord = { ...running };
  delete finished.ownerPid;
  const record: RunRecord = {
    ...finished,
    status,
    endedAt: iso(endedAt),
    durationMs: endedAt - startedAt,
    exitCode: last?.exitCode ?? null,
    attempts,
    log: attempts.length === 0 ? null : store.relative(logFile),
    ...(last?.error === undefined ? {} : { message: last.error }),
  };
  await store.writeRun(record, context.keepRuns);
  return record;
}

function attemptStatus(outcome: Pick<LaunchOutcome, 'exitCode' | 'timedOut' | 'cancelled'>): RunStatus {
  if (outcome.cancelled) return 'cancelled';
  if (outcome.timedOut) return 'timed_out';
  return outcome.exitCode === 0 ? 'succeeded' : 'failed';
}

/** A failed run that could not start at all (its lock could not be taken). */
export async function recordFailedStart(job: ScheduledJob, context: RunContext, plan: RunPlan, message: string): Promise<RunRecord> {
  const now = new Date(context.clock.now()).toISOString();
  const record: RunRecord = {
    id: plan.id,
    job: job.name,
    trigger: plan.trigger,
    status: 'failed',
    scheduledAt: plan.scheduledAt === null ? null : iso(plan.scheduledAt),
    startedAt: now,
    endedAt: now,
    durationMs: 0,
    exitCode: null,
    attempts: [],
    command: job.argv,
    log: null,
    ...(plan.missed === undefined ? {} : { missed: plan.missed }),
    message,
  };
  await context.store.writeRun(record, context.keepRuns);
  return record;
}

/** A record for a run that did not happen (overlap, or missed while the scheduler was down). */
export async function recordSkippedRun(
  job: ScheduledJob,
  context: RunContext,
  plan: RunPlan & { status: 'skipped_overlap' | 'skipped_missed'; message: string },
): Promise<RunRecord> {
  const record: RunRecord = {
    id: plan.id,
    job: job.name,
    trigger: plan.trigger,
    status: plan.status,
    scheduledAt: plan.scheduledAt === null ? null : iso(plan.scheduledAt),
    startedAt: null,
    endedAt: null,
    durationMs: null,
    exitCode: null,
    attempts: [],
    command: job.argv,
    log: null,
    ...(plan.missed === undefined ? {} : { missed: plan.missed }),
    message: plan.message,
  };
  await context.store.writeRun(record, context.keepRuns);
  return record;
}
