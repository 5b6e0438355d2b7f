import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/scheduler/clock.js';
import { recoverInterruptedRuns } from '../../../src/scheduler/recovery.js';
import { ScheduleStore, type RunRecord } from '../../../src/scheduler/store.js';

let dir: string;
const children: Array<ReturnType<typeof execa>> = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'analytics-recovery-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = execa('node', ['-e', '']);
  const pid = child.pid!;
  await child;
  return pid;
}

function runningRecord(id: string, ownerPid: number, pid?: number): RunRecord {
  return {
    id, job: 'nightly', trigger: 'schedule', status: 'running', scheduledAt: '2026-11-25T10:00:00.000Z', startedAt: '2026-11-25T10:00:00.010Z',
    endedAt: null, durationMs: null, exitCode: null, attempts: [], command: ['lake', 'compact'], log: `.analytics/schedule/logs/nightly/${id}.log`,
    ownerPid, ...(pid === undefined ? {} : { pid }),
  };
}

describe('recoverInterruptedRuns', () => {
  it('stops the leftover process group of a run whose owner died, marks it interrupted, and leaves runs of live owners alone', async () => {
    const store = new ScheduleStore(dir);
    const deadOwner = { pid: await deadPid() };
    // A job process that outlived its owner: its own process group, started for this workspace.
    const leftover = execa('node', ['-e', 'setInterval(() => {}, 1000)', '--', '--workspace', dir], { detached: true, reject: false });
    const liveOwner = execa('node', ['-e', 'setInterval(() => {}, 1000)'], { reject: false });
    children.push(leftover, liveOwner);
    await store.writeRun(runningRecord('20261125T100000.000Z-aaaaaa', deadOwner.pid!, leftover.pid!));
    await store.writeRun(runningRecord('20261125T110000.000Z-bbbbbb', liveOwner.pid!));

    const recovered = await recoverInterruptedRuns({ store, clock: systemClock, jobs: ['nightly'] });

    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ id: '20261125T100000.000Z-aaaaaa', status: 'interrupted' });
    expect(recovered[0]!.message).toContain(`its leftover job process group ${leftover.pid} was stopped`);
    expect(recovered[0]).not.toHaveProperty('pid');
    const ended = await leftover;
    expect(ended.signal).toBe('SIGTERM');
    expect((await store.readRun('nightly', '20261125T100000.000Z-aaaaaa'))!.status).toBe('interrupted');
    expect((await store.readRun('nightly', '20261125T110000.000Z-bbbbbb'))!.status).toBe('running');
  });

  it('does not signal a live process that is not a job of this workspace (a reused pid)', async () => {
    const store = new ScheduleStore(dir);
    const deadOwner = { pid: await deadPid() };
    const stranger = execa('node', ['-e', 'setInterval(() => {}, 1000)', '--', '--workspace', '/somewhere/else'], { detached: true, reject: false });
    children.push(stranger);
    await store.writeRun(runningRecord('20261125T100000.000Z-cccccc', deadOwner.pid!, stranger.pid!));
    const [record] = await recoverInterruptedRuns({ store, clock: systemClock, jobs: ['nightly'] });
    expect(record).toMatchObject({ status: 'interrupted' });
    expect(record!.message).not.toContain('was stopped');
    expect(() => process.kill(stranger.pid!, 0)).not.toThrow();
  });
});
