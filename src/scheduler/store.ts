/**
 * Where the scheduler keeps what it knows, under `<workspace>/.analytics/schedule/`:
 *
 *   state.json                   per job: every fire time up to `handledUntil` was run or recorded
 *   runs/<job>/<run-id>.json     one record per run (atomic write); run ids sort by time
 *   logs/<job>/<run-id>.log      the run's stdout and stderr, every attempt
 *   locks/<job>.lock/            held while the job runs (see job-lock.ts)
 *   scheduler.lock/              held by the one `schedule start` of the workspace
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { replaceAtomically } from '../lake/durable-fs.js';

export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'interrupted', 'skipped_overlap', 'skipped_missed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Why a run happened: its cron time, a catch-up at start-up, or `schedule run`. */
export type RunTrigger = 'schedule' | 'catch_up' | 'manual';

export interface AttemptRecord {
  attempt: number;
  startedAt: string;
  endedAt: string;
  exitCode: number | null;
  /** The signal that ended the process, if one did. */
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  /** Why the process could not be started, when it could not. */
  error?: string;
}

export interface RunRecord {
  id: string;
  job: string;
  trigger: RunTrigger;
  status: RunStatus;
  /** The cron fire time this run belongs to (null for `schedule run`). */
  scheduledAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  /** Exit code of the last attempt. */
  exitCode: number | null;
  attempts: AttemptRecord[];
  /** The arguments after `analytics` (without --workspace). */
  command: string[];
  /** The run's log, relative to the workspace; null when nothing ran. */
  log: string | null;
  /** Fire times missed while the scheduler was down (catch-up records and runs only). */
  missed?: { count: number; first: string; last: string; capped: boolean };
  /** A sentence for people, e.g. why it was skipped. */
  message?: string;
  /** The process running the run (the scheduler or `schedule run`); set while it runs. */
  ownerPid?: number;
  /** The job's current child process, which leads its own process group; set while it runs. */
  pid?: number;
}

export interface ScheduleState {
  version: 1;
  jobs: Record<string, { handledUntil: string }>;
}

export class ScheduleStore {
  readonly dir: string;

  constructor(readonly workspaceRoot: string) {
    this.dir = path.join(workspaceRoot, '.analytics', 'schedule');
  }

  get stateFile(): string {
    return path.join(this.dir, 'state.json');
  }

  runsDir(job: string): string {
    return path.join(this.dir, 'runs', job);
  }

  logFile(job: string, runId: string): string {
    return path.join(this.dir, 'logs', job, `${runId}.log`);
  }

  lockTarget(job: string): string {
    return path.join(this.dir, 'locks', job);
  }

  get schedulerLockTarget(): string {
    return path.join(this.dir, 'scheduler');
  }

  /** A new run id: the time it belongs to (sortable) and a random suffix. */
  newRunId(at: number): string {
    return `${new Date(at).toISOString().replace(/[-:]/g, '')}-${randomBytes(3).toString('hex')}`;
  }

  async readState(): Promise<ScheduleState> {
    try {
      const parsed = JSON.parse(await fs.readFile(this.stateFile, 'utf8')) as ScheduleState;
      return { version: 1, jobs: parsed.jobs ?? {} };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, jobs: {} };
      throw error;
    }
  }

  async writeState(state: ScheduleState): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    await replaceAtomically(this.stateFile, `${JSON.stringify(state, null, 2)}\n`);
  }

  /** Writes (or rewrites) a run's record atomically, then keeps only the newest `keep` per job. */
  async writeRun(record: RunRecord, keep?: number): Promise<void> {
    const dir = this.runsDir(record.job);
    await fs.mkdir(dir, { recursive: true });
    await replaceAtomically(path.join(dir, `${record.id}.json`), `${JSON.stringify(record, null, 2)}\n`);
    if (keep !== undefined) await this.prune(record.job, keep);
  }

  private async prune(job: string, keep: number): Promise<void> {
    const ids = await this.runIds(job);
    for (const id of ids.slice(0, Math.max(0, ids.length - keep))) {
      await fs.rm(path.join(this.runsDir(job), `${id}.json`), { force: true });
      await fs.rm(this.logFile(job, id), { force: true });
    }
  }

  /** Run ids of a job, oldest first. */
  async runIds(job: string): Promise<string[]> {
    try {
      const names = await fs.readdir(this.runsDir(job));
      return names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Jobs that have run records, including jobs no longer in the configuration. */
  async jobsWithRuns(): Promise<string[]> {
    try {
      return (await fs.readdir(path.join(this.dir, 'runs'))).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** The newest runs of one job or of all jobs, newest first. */
  async history(options: { job?: string; limit?: number; status?: readonly RunStatus[] } = {}): Promise<RunRecord[]> {
    const jobs = options.job === undefined ? await this.jobsWithRuns() : [options.job];
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const records: RunRecord[] = [];
    for (const job of jobs) {
      const ids = (await this.runIds(job)).reverse();
      let taken = 0;
      for (const id of ids) {
        if (taken >= limit) break;
        const record = await this.readRun(job, id);
        if (record === undefined || (options.status !== undefined && !options.status.includes(record.status))) continue;
        records.push(record);
        taken++;
      }
    }
    records.sort((a, b) => (runTime(b) < runTime(a) ? -1 : runTime(b) > runTime(a) ? 1 : 0));
    return records.slice(0, limit);
  }

  async readRun(job: string, id: string): Promise<RunRecord | undefined> {
    try {
      return JSON.parse(await fs.readFile(path.join(this.runsDir(job), `${id}.json`), 'utf8')) as RunRecord;
    } catch (error) {
      // A record removed by pruning between listing and reading is simply gone.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** The newest run of a job, if any. */
  async lastRun(job: string): Promise<RunRecord | undefined> {
    const ids = await this.runIds(job);
    for (const id of ids.reverse()) {
      const record = await this.readRun(job, id);
      if (record !== undefined) return record;
    }
    return undefined;
  }

  /** A path relative to the workspace, for records and output. */
  relative(file: string): string {
    return path.relative(this.workspaceRoot, file);
  }
}

function runTime(record: RunRecord): string {
  return record.startedAt ?? record.scheduledAt ?? record.id;
}
