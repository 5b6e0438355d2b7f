/**
 * Runs left `running` by a process that died (a scheduler killed with SIGKILL, a crashed
 * `schedule run`). Their job process may still be alive: it leads its own process group, so it
 * outlives its parent. At start-up the scheduler stops such leftovers (they would otherwise run
 * beside the job's next run once the dead owner's lock goes stale) and records the runs as
 * `interrupted`. Process checks are for this host only.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from '../cli/logger.js';
import type { Clock } from './clock.js';
import type { RunRecord, ScheduleStore } from './store.js';

/** Only the newest records of a job can still be running. */
const RECENT_RUNS = 20;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when `pid` is still an analytics job of this workspace (not a reused pid). */
function isJobOfWorkspace(pid: number, workspaceRoot: string): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const at = args.indexOf('--workspace');
    return at !== -1 && args[at + 1] === workspaceRoot;
  } catch {
    return false;
  }
}

async function stopGroup(pid: number, clock: Clock): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // gone
    }
  };
  signal('SIGTERM');
  for (let waited = 0; waited < 5_000 && isAlive(pid); waited += 100) await clock.sleep(100);
  signal('SIGKILL');
}

export interface RecoveryOptions {
  store: ScheduleStore;
  jobs: readonly string[];
  clock: Clock;
  logger?: Logger;
  /** Wait used while a leftover process stops; real time even under a fake scheduling clock. */
  waitClock?: Clock;
}

/** Finds runs whose owner process is gone, stops their leftover processes, marks them interrupted. */
export async function recoverInterruptedRuns(options: RecoveryOptions): Promise<RunRecord[]> {
  const { store, clock } = options;
  const recovered: RunRecord[] = [];
  const jobs = new Set([...options.jobs, ...(await store.jobsWithRuns())]);
  for (const job of jobs) {
    const ids = (await store.runIds(job)).slice(-RECENT_RUNS);
    for (const id of ids) {
      const record = await store.readRun(job, id);
      if (record?.status !== 'running') continue;
      if (record.ownerPid !== undefined && record.ownerPid !== process.pid && isAlive(record.ownerPid)) continue;
      let stopped = false;
      if (record.pid !== undefined && isAlive(record.pid) && isJobOfWorkspace(record.pid, store.workspaceRoot)) {
        options.logger?.warn(`job ${job}: run ${id} outlived the process that started it; stopping its process group ${record.pid}`, { job, run: id, pid: record.pid });
        await stopGroup(record.pid, options.waitClock ?? clock);
        stopped = true;
      }
      const now = clock.now();
      const interrupted: RunRecord = {
        ...record,
        status: 'interrupted',
        endedAt: new Date(now).toISOString(),
        durationMs: record.startedAt === null ? null : now - Date.parse(record.startedAt),
        message: `the process that ran it (pid ${record.ownerPid ?? '?'}) ended without finishing it${stopped ? `; its leftover job process group ${record.pid} was stopped` : ''}`,
      };
      delete interrupted.ownerPid;
      delete interrupted.pid;
      await store.writeRun(interrupted);
      options.logger?.warn(`job ${job}: run ${id} was interrupted (its scheduler or \`schedule run\` died)`, { job, run: id });
      recovered.push(interrupted);
    }
  }
  return recovered;
}
