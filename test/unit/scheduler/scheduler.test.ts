import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tryLock } from '../../../src/scheduler/job-lock.js';
import type { ScheduledJob } from '../../../src/scheduler/jobs.js';
import { Scheduler } from '../../../src/scheduler/scheduler.js';
import { ScheduleStore, type RunRecord } from '../../../src/scheduler/store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { TestLauncher } from './test-launcher.js';

function job(overrides: Partial<ScheduledJob> = {}): ScheduledJob {
  return {
    name: 'compact', description: '', cron: '0 * * * *', timezone: 'UTC', argv: ['lake', 'compact'], commandId: 'lake compact',
    timeoutMs: 60_000, retries: 0, backoffMs: 30_000, backoffMaxMs: 600_000, catchUp: 'skip', enabled: true, ...overrides,
  };
}

let dir: string;
let store: ScheduleStore;
let launcher: TestLauncher;
let records: RunRecord[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'analytics-scheduler-'));
  store = new ScheduleStore(dir);
  launcher = new TestLauncher();
  records = [];
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function scheduler(clock: FakeClock, jobs: ScheduledJob[]): Scheduler {
  return new Scheduler({ jobs, clock, store, launcher: launcher.launcher, onRecord: (record) => records.push(record) });
}

/** Moves the clock to the next fire time and fires what is due; returns that time. */
async function wakeAndTick(clock: FakeClock, subject: Scheduler): Promise<string> {
  const wake = subject.nextWakeAt();
  if (wake === undefined) throw new Error('nothing scheduled');
  clock.set(wake);
  await subject.tick();
  return new Date(wake).toISOString();
}

describe('Scheduler: firing on cron times', () => {
  it('fires each job at its cron times and not before', async () => {
    const clock = new FakeClock('2026-11-25T09:59:30Z');
    const subject = scheduler(clock, [job({ name: 'hourly', cron: '0 * * * *' }), job({ name: 'quarterly', cron: '*/15 * * * *' })]);
    launcher.queue(...Array(10).fill(0));
    await subject.start();
    clock.set('2026-11-25T09:59:59.999Z');
    await subject.tick();
    expect(launcher.launches).toHaveLength(0);

    const wakes: string[] = [];
    for (let index = 0; index < 5; index++) {
      wakes.push(await wakeAndTick(clock, subject));
      await subject.idle();
    }
    expect(wakes).toEqual(['2026-11-25T10:00:00.000Z', '2026-11-25T10:15:00.000Z', '2026-11-25T10:30:00.000Z', '2026-11-25T10:45:00.000Z', '2026-11-25T11:00:00.000Z']);
    expect(launcher.launches.map((launch) => `${launch.job.name}`)).toEqual(['hourly', 'quarterly', 'quarterly', 'quarterly', 'quarterly', 'hourly', 'quarterly']);
    expect(records.filter((record) => record.job === 'hourly').map((record) => record.scheduledAt)).toEqual(['2026-11-25T10:00:00.000Z', '2026-11-25T11:00:00.000Z']);
    expect(records.every((record) => record.status === 'succeeded' && record.trigger === 'schedule')).toBe(true);
  });

  it('runs a 02:30 Europe/Berlin job at the right instants through both daylight-saving changes', async () => {
    const berlin = job({ name: 'nightly', cron: '30 2 * * *', timezone: 'Europe/Berlin' });
    const clock = new FakeClock('2026-03-27T12:00:00Z');
    const subject = scheduler(clock, [berlin]);
    launcher.queue(...Array(10).fill(0));
    await subject.start();
    const spring: string[] = [];
    for (let day = 0; day < 3; day++) {
      spring.push(await wakeAndTick(clock, subject));
      await subject.idle();
    }
    // 02:30 CET = 01:30Z; 02:30 does not exist on 29 March, so 03:00 CEST = 01:00Z; then 02:30 CEST = 00:30Z.
    expect(spring).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);

    await subject.idle();
    clock.set('2026-10-23T12:00:00Z');
    // Half a year passed without ticks: the scheduler treats the gap as missed and runs the latest.
    await subject.tick();
    await subject.idle();
    expect(records.filter((record) => record.status === 'skipped_missed')).toMatchObject([{ missed: { count: 206, first: '2026-03-31T00:30:00.000Z', last: '2026-10-22T00:30:00.000Z' } }]);
    expect(records.at(-1)).toMatchObject({ status: 'succeeded', scheduledAt: '2026-10-23T00:30:00.000Z' });
    const autumn: string[] = [];
    for (let day = 0; day < 3; day++) {
      autumn.push(await wakeAndTick(clock, subject));
      await subject.idle();
    }
    expect(records.every((record) => record.status !== 'skipped_overlap')).toBe(true);
    // 25 October: 02:30 happens twice (CEST, then CET); a daily job runs once, at the first.
    expect(autumn).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    await subject.idle();
  });
});

describe('Scheduler: no overlapping runs', () => {
  it('records skipped_overlap when the previous run of the job is still going', async () => {
    const clock = new FakeClock('2026-11-25T10:00:30Z');
    const subject = scheduler(clock, [job({ name: 'slow', cron: '* * * * *' })]);
    await subject.start();
    await wakeAndTick(clock, subject); // 10:01 starts, and does not finish
    expect(launcher.running).toBe(1);
    await wakeAndTick(clock, subject); // 10:02: still running
    expect(launcher.launches).toHaveLength(1);
    expect(records).toMatchObject([{ job: 'slow', status: 'skipped_overlap', scheduledAt: '2026-11-25T10:02:00.000Z', attempts: [], log: null }]);

    launcher.finish(0);
    await subject.idle();
    expect(records[1]).toMatchObject({ status: 'succeeded', scheduledAt: '2026-11-25T10:01:00.000Z' });
    launcher.queue(0);
    await wakeAndTick(clock, subject); // 10:03: free again
    await subject.idle();
    expect(launcher.launches).toHaveLength(2);
    expect(records[2]).toMatchObject({ status: 'succeeded', scheduledAt: '2026-11-25T10:03:00.000Z' });
  });

  it('skips a run while another process holds the job lock, and takes over a lock its crashed holder left', async () => {
    const clock = new FakeClock('2026-11-25T10:00:30Z');
    const subject = new Scheduler({ jobs: [job({ name: 'shared', cron: '* * * * *' })], clock, store, launcher: launcher.launcher, lockStaleMs: 5_000, onRecord: (record) => records.push(record) });
    await subject.start();
    // Another process (a `schedule run shared`) holds the lock.
    const other = await tryLock(store.lockTarget('shared'), { staleMs: 5_000 });
    expect(other).toBeDefined();
    await wakeAndTick(clock, subject);
    expect(records.map((record) => record.status)).toEqual(['skipped_overlap']);
    await other!.release();

    // A holder that crashed stops refreshing the lock's mtime; once that is older than the stale
    // time, the lock is free.
    const lockDir = `${store.lockTarget('shared')}.lock`;
    await mkdir(lockDir);
    const old = new Date(Date.now() - 60_000);
    await utimes(lockDir, old, old);
    launcher.queue(0);
    await wakeAndTick(clock, subject);
    await subject.idle();
    expect(records.map((record) => record.status)).toEqual(['skipped_overlap', 'succeeded']);
  });
});

describe('Scheduler: catch-up after downtime', () => {
  async function downtime(catchUp: ScheduledJob['catchUp']): Promise<Scheduler> {
    const hourly = job({ name: 'hourly', cron: '0 * * * *', catchUp });
    const first = scheduler(new FakeClock('2026-11-25T09:30:00Z'), [hourly]);
    await first.start();
    // The scheduler stops at 09:30 and comes back at 12:45: 10:00, 11:00 and 12:00 were missed.
    const clock = new FakeClock('2026-11-25T12:45:00Z');
    const second = scheduler(clock, [hourly]);
    launcher.queue(0);
    await second.start();
    await second.idle();
    return second;
  }

  it('skip: records the missed runs as skipped and runs nothing', async () => {
    const second = await downtime('skip');
    expect(launcher.launches).toHaveLength(0);
    expect(records).toMatchObject([{
      status: 'skipped_missed', trigger: 'catch_up', scheduledAt: '2026-11-25T12:00:00.000Z',
      missed: { count: 3, first: '2026-11-25T10:00:00.000Z', last: '2026-11-25T12:00:00.000Z', capped: false },
    }]);
    expect(new Date(second.nextWakeAt()!).toISOString()).toBe('2026-11-25T13:00:00.000Z');
    expect((await store.history({ job: 'hourly' })).map((record) => record.status)).toEqual(['skipped_missed']);
  });

  it('run_once: runs the job once for all the missed times', async () => {
    await downtime('run_once');
    expect(launcher.launches).toHaveLength(1);
    expect(records).toMatchObject([{ status: 'succeeded', trigger: 'catch_up', scheduledAt: '2026-11-25T12:00:00.000Z', missed: { count: 3 } }]);
  });

  it('misses nothing for a new job, a disabled job, or a downtime without fire times', async () => {
    const first = scheduler(new FakeClock('2026-11-25T09:30:00Z'), [job({ name: 'daily', cron: '0 3 * * *', catchUp: 'run_once' }), job({ name: 'off', enabled: false, catchUp: 'run_once' })]);
    await first.start();
    const second = scheduler(new FakeClock('2026-11-25T18:00:00Z'), [
      job({ name: 'daily', cron: '0 3 * * *', catchUp: 'run_once' }), job({ name: 'off', enabled: false, catchUp: 'run_once' }), job({ name: 'new', catchUp: 'run_once' }),
    ]);
    await second.start();
    expect(records).toEqual([]);
    expect(launcher.launches).toEqual([]);
    expect([...second.nextFireTimes().keys()]).toEqual(['daily', 'new']);
    const state = await store.readState();
    expect(Object.keys(state.jobs).sort()).toEqual(['daily', 'new', 'off']);
  });
});

describe('Scheduler: failures around a run', () => {
  it('records a failed run when job locks cannot be taken, and runs the jobs again once they can', async () => {
    const clock = new FakeClock('2026-11-25T09:59:30Z');
    const subject = scheduler(clock, [job({ name: 'first' }), job({ name: 'second' })]);
    await subject.start();
    // A file where the locks folder should be: taking a lock fails (EEXIST/ENOTDIR).
    await writeFile(path.join(store.dir, 'locks'), 'a file, not a folder');
    await wakeAndTick(clock, subject);
    await subject.idle();
    expect(records.map((record) => `${record.job} ${record.status}`).sort()).toEqual(['first failed', 'second failed']);
    expect(records[0]!.message).toMatch(/could not take the job lock: .*(EEXIST|ENOTDIR)/);
    await rm(path.join(store.dir, 'locks'));
    launcher.queue(0, 0);
    await wakeAndTick(clock, subject);
    await subject.idle();
    expect(records.slice(2).map((record) => `${record.job} ${record.status}`).sort()).toEqual(['first succeeded', 'second succeeded']);
  });
});

describe('Scheduler: history', () => {
  it('keeps the newest keep_runs records of a job, with their logs', async () => {
    const clock = new FakeClock('2026-11-25T09:59:30Z');
    const subject = new Scheduler({ jobs: [job({ name: 'often', cron: '* * * * *' })], clock, store, keepRuns: 3, launcher: async (request) => {
      await mkdir(path.dirname(request.logFile), { recursive: true });
      await writeFile(request.logFile, 'output\n');
      return { exitCode: 0, signal: null, timedOut: false, cancelled: false };
    } });
    await subject.start();
    for (let minute = 0; minute < 5; minute++) {
      await wakeAndTick(clock, subject);
      await subject.idle();
    }
    const kept = await store.history({ job: 'often' });
    expect(kept.map((record) => record.scheduledAt)).toEqual(['2026-11-25T10:04:00.000Z', '2026-11-25T10:03:00.000Z', '2026-11-25T10:02:00.000Z']);
    expect((await readdir(path.dirname(store.logFile('often', 'x')))).sort()).toEqual(kept.map((record) => `${record.id}.log`).sort());
  });
});

describe('Scheduler: retries and shutdown', () => {
  it('retries a failing job with exponential backoff, capped at backoff_max', async () => {
    const clock = new FakeClock('2026-11-25T09:59:00Z');
    const flaky = job({ name: 'flaky', retries: 3, backoffMs: 30_000, backoffMaxMs: 45_000 });
    const subject = scheduler(clock, [flaky]);
    await subject.start();
    launcher.queue(1, 2, 0);
    await wakeAndTick(clock, subject);
    await clock.untilSleeping(1);
    expect(launcher.launches).toHaveLength(1);
    clock.advance(29_999);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(launcher.launches).toHaveLength(1);
    clock.advance(1); // 30 s after the first failure
    await clock.untilSleeping(1);
    expect(launcher.launches).toHaveLength(2);
    clock.advance(45_000); // 60 s doubled, capped at 45 s
    await subject.idle();
    expect(launcher.launches.map((launch) => launch.attempt)).toEqual([1, 2, 3]);
    const [record] = records;
    expect(record).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(record!.attempts.map((attempt) => [attempt.exitCode, attempt.startedAt])).toEqual([
      [1, '2026-11-25T10:00:00.000Z'], [2, '2026-11-25T10:00:30.000Z'], [0, '2026-11-25T10:01:15.000Z'],
    ]);
  });

  it('records failed after the last attempt, with every attempt', async () => {
    const clock = new FakeClock('2026-11-25T09:59:00Z');
    const subject = scheduler(clock, [job({ name: 'broken', retries: 1, backoffMs: 1_000 })]);
    await subject.start();
    launcher.queue(1, 1);
    await wakeAndTick(clock, subject);
    await clock.untilSleeping(1);
    clock.advance(1_000);
    await subject.idle();
    expect(records).toMatchObject([{ status: 'failed', exitCode: 1, attempts: [{ exitCode: 1 }, { exitCode: 1 }] }]);
  });

  it('on stop: fires nothing more, lets a running job finish within the grace period, then cancels it', async () => {
    const clock = new FakeClock('2026-11-25T09:59:00Z');
    const subject = scheduler(clock, [job({ name: 'a', cron: '0 * * * *' }), job({ name: 'b', cron: '0 * * * *' })]);
    await subject.start();
    await wakeAndTick(clock, subject);
    expect(launcher.running).toBe(2);
    const stopped = subject.stop(10_000);
    await clock.untilSleeping(1);
    launcher.finish(0); // a finishes within the grace period
    clock.advance(10_000); // b does not
    await stopped;
    expect(records.map((record) => `${record.job} ${record.status}`).sort()).toEqual(['a succeeded', 'b cancelled']);
    clock.set('2026-11-25T11:00:00Z');
    await subject.tick();
    expect(launcher.launches).toHaveLength(2);
  });

  it('stops retrying when stopped during a backoff wait', async () => {
    const clock = new FakeClock('2026-11-25T09:59:00Z');
    const subject = scheduler(clock, [job({ name: 'flaky', retries: 5, backoffMs: 60_000 })]);
    await subject.start();
    launcher.queue(1);
    await wakeAndTick(clock, subject);
    await clock.untilSleeping(1);
    await subject.stop(10_000);
    expect(launcher.launches).toHaveLength(1);
    expect(records).toMatchObject([{ status: 'failed', attempts: [{ exitCode: 1 }] }]);
  });
});
