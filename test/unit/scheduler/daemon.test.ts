import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/cli/logger.js';
import { runSchedulerDaemon } from '../../../src/scheduler/daemon.js';
import { openWorkspace } from '../../../src/workspace/workspace.js';
import { FakeClock } from '../../support/fake-clock.js';
import { tempWorkspace } from '../../support/workspace.js';
import { TestLauncher } from './test-launcher.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const lines: string[] = [];

/** Waits (real time) until the daemon has logged `count` lines containing `text`. */
async function logged(text: string, count = 1): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (lines.filter((line) => line.includes(text)).length < count) {
    if (Date.now() > deadline) throw new Error(`not logged: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
const logger = createLogger({ component: 'scheduler', stream: new Writable({ write: (chunk, _encoding, done) => { lines.push(String(chunk)); done(); } }) });

describe('runSchedulerDaemon', () => {
  it('sleeps until the next fire time, fires, and returns a summary when the signal aborts; one scheduler per workspace', async () => {
    const { dir, cleanup } = await tempWorkspace();
    cleanups.push(cleanup);
    await appendFile(path.join(dir, 'analytics.yaml'), '\nschedule:\n  jobs:\n    tenminutes:\n      cron: "*/10 * * * *"\n      command: lake info\n');
    const workspace = await openWorkspace({ workspace: dir });
    const clock = new FakeClock('2026-11-25T10:05:00Z');
    const launcher = new TestLauncher();
    launcher.queue(0, 0, 0);
    const controller = new AbortController();
    const daemon = runSchedulerDaemon(workspace, { signal: controller.signal, logger, clock, launcher: launcher.launcher });

    await clock.untilSleeping(1);
    clock.set('2026-11-25T10:09:59.999Z');
    await clock.untilSleeping(1);
    expect(launcher.launches).toHaveLength(0);
    clock.set('2026-11-25T10:10:00Z');
    await logged('job tenminutes succeeded');
    await clock.untilSleeping(1);
    expect(launcher.launches).toHaveLength(1);

    await expect(runSchedulerDaemon(workspace, { signal: controller.signal, logger, clock, launcher: launcher.launcher })).rejects.toMatchObject({ code: 'SCHEDULER_RUNNING' });

    clock.set('2026-11-25T10:20:00Z');
    await logged('job tenminutes succeeded', 2);
    await clock.untilSleeping(1);
    controller.abort();
    const summary = await daemon;
    expect(summary).toMatchObject({ jobs: 1, enabledJobs: 1, runs: { succeeded: 2 } });
    expect(launcher.launches.map((launch) => launch.job.argv)).toEqual([['lake', 'info'], ['lake', 'info']]);
    expect(lines.join('')).toContain('next at 2026-11-25T10:10:00Z');
  });
});
