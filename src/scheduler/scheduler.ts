/**
 * The scheduler's core: which job fires when, overlap, catch-up and shutdown. Time comes from an
 * injected clock and processes from an injected launcher, so tests drive it with a fake clock.
 *
 * - `start()` settles the runs missed while no scheduler was running (per job: `skip` records
 *   them, `run_once` runs the job once) and computes each job's next fire time.
 * - `tick()` fires every job that is due. A job still running (here or in another process, see
 *   job-lock.ts) is not started twice: the tick records a `skipped_overlap` run instead.
 * - `stop(graceMs)` fires nothing more, makes no more retries, lets running jobs finish for
 *   `graceMs`, then stops them.
 */
import type { Logger } from '../cli/logger.js';
import { messageOf } from '../errors.js';
import { systemClock } from './clock.js';
import { fireTimesBetween, nextFireTime } from './cron-times.js';
import { recoverInterruptedRuns } from './recovery.js';
import { JOB_LOCK_STALE_MS, tryLock, type HeldLock } from './job-lock.js';
import type { ScheduledJob } from './jobs.js';
import { executeRun, recordFailedStart, recordSkippedRun, type RunContext, type RunPlan } from './run-job.js';
import type { RunRecord, RunTrigger, ScheduleState } from './store.js';

export interface SchedulerOptions extends RunContext {
  jobs: readonly ScheduledJob[];
  /** Stale time of the job locks (default 30 s). */
  lockStaleMs?: number;
  /** Every record written: finished runs and skipped ones. */
  onRecord?: (record: RunRecord) => void;
  /** A run starts (its lock is held). */
  onRunStart?: (job: ScheduledJob, plan: RunPlan) => void;
  logger?: Logger;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class Scheduler {
  private readonly next = new Map<string, number>();
  private readonly running = new Map<string, Promise<RunRecord | undefined>>();
  private readonly stopping = new AbortController();
  private readonly killing = new AbortController();
  private state: ScheduleState = { version: 1, jobs: {} };

  constructor(private readonly options: SchedulerOptions) {}

  get jobs(): readonly ScheduledJob[] {
    return this.options.jobs;
  }

  /**
   * Marks runs whose process died as interrupted (stopping their leftovers), settles missed
   * runs and plans each enabled job's next fire time.
   */
  async start(): Promise<void> {
    const { store, clock } = this.options;
    for (const record of await recoverInterruptedRuns({ store, clock, waitClock: systemClock, jobs: this.options.jobs.map((job) => job.name), ...(this.options.logger ? { logger: this.options.logger } : {}) })) {
      this.options.onRecord?.(record);
    }
    this.state = await store.readState();
    const now = clock.now();
    for (const job of this.options.jobs) {
      const handled = this.state.jobs[job.name]?.handledUntil;
      // A disabled job misses nothing: re-enabling it does not replay the time it was off.
      if (job.enabled && handled !== undefined && Date.parse(handled) < now) {
        const missed = fireTimesBetween(job, Date.parse(handled), now);
        if (missed.count > 0 && missed.first !== undefined && missed.last !== undefined) {
          const summary = { count: missed.count, first: iso(missed.first), last: iso(missed.last), capped: missed.capped };
          const count = `${missed.count}${missed.capped ? '+' : ''} run${missed.count === 1 ? '' : 's'}`;
          if (job.catchUp === 'skip') {
            this.options.logger?.info(`job ${job.name}: ${count} missed while the scheduler was down; skipped (catch_up: skip)`, { job: job.name });
            await this.record(() =>
              recordSkippedRun(job, this.options, {
                id: this.options.store.newRunId(missed.last!),
                trigger: 'catch_up',
                scheduledAt: missed.last!,
                missed: summary,
                status: 'skipped_missed',
                message: `${count} missed between ${summary.first} and ${summary.last} while the scheduler was not running (catch_up: skip)`,
              }),
            );
          } else {
            this.options.logger?.info(`job ${job.name}: ${count} missed while the scheduler was down; running once now (catch_up: run_once)`, { job: job.name });
            await this.fire(job, missed.last, 'catch_up', summary);
          }
        }
      }
      this.state.jobs[job.name] = { handledUntil: iso(now) };
      if (job.enabled) this.next.set(job.name, nextFireTime(job, now));
    }
    await store.writeState(this.state);
  }

  /** When the next job is due (ms since the epoch), or undefined when no job is enabled. */
  nextWakeAt(): number | undefined {
    let earliest: number | undefined;
    for (const time of this.next.values()) if (earliest === undefined || time < earliest) earliest = time;
    return earliest;
  }

  /** Next fire time of each enabled job. */
  nextFireTimes(): ReadonlyMap<string, number> {
    return this.next;
  }

  /** Fires every job that is due now; resolves once they are started (not finished). */
  async tick(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const now = this.options.clock.now();
    let changed = false;
    for (const job of this.options.jobs) {
      const due = this.next.get(job.name);
      if (due === undefined || due > now) continue;
      const times = fireTimesBetween(job, due - 1, now);
      const latest = times.last ?? due;
      // More than one fire time passed (the process was suspended or the machine slept): the
      // earlier ones are missed; the latest one runs now.
      if (times.count > 1 && times.first !== undefined) {
        const before = fireTimesBetween(job, due - 1, latest - 1);
        await this.record(() =>
          recordSkippedRun(job, this.options, {
            id: this.options.store.newRunId(before.last ?? times.first!),
            trigger: 'schedule',
            scheduledAt: before.last ?? times.first!,
            missed: { count: before.count, first: iso(times.first!), last: iso(before.last ?? times.first!), capped: before.capped },
            status: 'skipped_missed',
            message: `${before.count} fire time(s) passed while the scheduler was not scheduling (suspended?); the latest one runs`,
          }),
        );
      }
      await this.fire(job, latest, 'schedule');
      this.state.jobs[job.name] = { handledUntil: iso(latest) };
      this.next.set(job.name, nextFireTime(job, latest));
      changed = true;
    }
    if (changed) await this.options.store.writeState(this.state);
  }

  /**
   * Starts a run of the job unless it is running: then records `skipped_overlap`. Resolves
   * once the run's first attempt is launched, with its completion (`done`), or undefined when
   * it was skipped.
   */
  async fire(job: ScheduledJob, scheduledAt: number, trigger: RunTrigger, missed?: RunRecord['missed']): Promise<{ done: Promise<RunRecord | undefined> } | undefined> {
    const { store } = this.options;
    const id = store.newRunId(scheduledAt);
    let lock: HeldLock | undefined;
    try {
      lock = this.running.has(job.name)
        ? undefined
        : await tryLock(store.lockTarget(job.name), {
            staleMs: this.options.lockStaleMs ?? JOB_LOCK_STALE_MS,
            onCompromised: (error) => this.options.logger?.warn(`job ${job.name}: its lock was lost while running (${error.message})`, { job: job.name }),
          });
    } catch (error) {
      // The lock folder cannot be written (permissions, a full disk): this run fails, the
      // scheduler and the other jobs go on.
      this.options.logger?.error(`job ${job.name}: cannot take its lock: ${messageOf(error)}`, { job: job.name });
      await this.record(() => recordFailedStart(job, this.options, { id, trigger, scheduledAt, ...(missed === undefined ? {} : { missed }) }, `could not take the job lock: ${messageOf(error)}`));
      return undefined;
    }
    if (lock === undefined) {
      this.options.logger?.warn(`job ${job.name}: still running at ${iso(scheduledAt)}; this run is skipped`, { job: job.name });
      await this.record(() =>
        recordSkippedRun(job, this.options, {
          id,
          trigger,
          scheduledAt,
          ...(missed === undefined ? {} : { missed }),
          status: 'skipped_overlap',
          message: 'the previous run of this job was still running (one run of a job at a time)',
        }),
      );
      return undefined;
    }
    const plan: RunPlan = { id, trigger, scheduledAt, ...(missed === undefined ? {} : { missed }) };
    this.options.onRunStart?.(job, plan);
    let launched!: () => void;
    const started = new Promise<void>((resolve) => (launched = resolve));
    const run = this.record(() => executeRun(job, this.options, plan, { stop: this.stopping.signal, kill: this.killing.signal, onLaunched: launched })).finally(async () => {
      launched();
      await lock.release();
      this.running.delete(job.name);
    });
    this.running.set(job.name, run);
    await started;
    return { done: run };
  }

  /** Names of the jobs running now in this scheduler. */
  runningJobs(): string[] {
    return [...this.running.keys()];
  }

  /** Resolves when no run is in progress. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  /** Stops firing and retrying; running jobs get `graceMs` to finish, then are stopped. */
  async stop(graceMs: number): Promise<void> {
    this.stopping.abort();
    if (this.running.size > 0) {
      const timer = new AbortController();
      await Promise.race([this.idle(), this.options.clock.sleep(graceMs, timer.signal)]);
      timer.abort();
      if (this.running.size > 0) {
        this.options.logger?.warn(`stopping ${this.runningJobs().join(', ')}: still running after the ${Math.round(graceMs / 1000)} s grace period`);
        this.killing.abort();
      }
    }
    await this.idle();
  }

  private async record(write: () => Promise<RunRecord>): Promise<RunRecord | undefined> {
    try {
      const record = await write();
      this.options.onRecord?.(record);
      return record;
    } catch (error) {
      // A record that cannot be written (disk full) must not stop the other jobs.
      this.options.logger?.error(`could not record a run: ${messageOf(error)}`);
      return undefined;
    }
  }
}
