/**
 * The scheduler as a user runs it: `analytics schedule start` as a real process firing a job on
 * a one-second schedule (each run a real `analytics lake info` process), then SIGTERM; and
 * `schedule run / list / history` with retries, a timeout and the job lock.
 */
import { existsSync } from 'node:fs';
import { appendFile, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/scheduler/store.js';
import { CLI, logRecords, makeWorkspace, removeTempDirs, runCli } from '../support/cli.js';

const SCHEDULE = `
schedule:
  shutdown_grace: 20s
  jobs:
    info:
      description: the lake's tables, every second
      cron: "* * * * * *"
      command: lake info --format json
    failing:
      cron: "0 3 * * *"
      command: query "SELECT * FROM no_such_table"
      retries: 2
      backoff: 200ms
    slow:
      cron: "0 3 * * *"
      # Waits for a Kafka broker that never answers, until the timeout stops it.
      command: [ingest, kafka, --brokers, "127.0.0.1:1", --metrics-port, 0]
      timeout: 8s
      enabled: false
`;

let workspace: string;

async function runRecords(job: string, root = workspace): Promise<RunRecord[]> {
  const dir = path.join(root, '.analytics', 'schedule', 'runs', job);
  if (!existsSync(dir)) return [];
  const names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  return Promise.all(names.map(async (name) => JSON.parse(await readFile(path.join(dir, name), 'utf8')) as RunRecord));
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function startScheduler(cwd = workspace) {
  return execa('node', [CLI, 'schedule', 'start', '--format', 'json'], {
    cwd, reject: false, stdin: 'ignore', env: { ANALYTICS_LOG_FORMAT: 'json', NO_COLOR: '1', ANALYTICS_WORKSPACE: '' },
  });
}

describe('analytics schedule', () => {
  beforeAll(async () => {
    workspace = await makeWorkspace();
    await appendFile(path.join(workspace, 'analytics.yaml'), SCHEDULE);
  });
  afterAll(() => removeTempDirs());

  it('start: runs a one-second job as real processes, records each run with its log, and exits 0 on SIGTERM', async () => {
    const daemon = startScheduler();
    await waitFor('two succeeded runs of info', async () => (await runRecords('info')).filter((record) => record.status === 'succeeded').length >= 2);

    // While it runs: a second scheduler is refused, and list shows the running scheduler.
    const second = await runCli(['schedule', 'start'], { cwd: workspace });
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toContain('A scheduler is already running on');
    const list = JSON.parse((await runCli(['schedule', 'list', '--format', 'json'], { cwd: workspace })).stdout);
    expect(list.schedulerRunning).toBe(true);
    expect(list.jobs.map((job: { name: string; enabled: boolean }) => `${job.name} ${job.enabled}`)).toEqual(['info true', 'failing true', 'slow false']);

    daemon.kill('SIGTERM');
    const result = await daemon;
    expect(result.exitCode).toBe(0);
    const summary = JSON.parse(String(result.stdout));
    expect(summary.runs.succeeded).toBeGreaterThanOrEqual(2);
    expect(summary.runs.failed ?? 0).toBe(0);

    const records = await runRecords('info');
    const succeeded = records.filter((record) => record.status === 'succeeded');
    expect(succeeded.length).toBe(summary.runs.succeeded);
    // A one-second job whose process takes about a second may find its previous run still
    // going: those fire times are recorded as skipped_overlap, nothing else.
    expect(records.every((record) => record.status === 'succeeded' || record.status === 'skipped_overlap')).toBe(true);
    for (const record of succeeded) {
      expect(record).toMatchObject({ job: 'info', trigger: 'schedule', exitCode: 0, command: ['lake', 'info', '--format', 'json'] });
      expect(record.scheduledAt).toMatch(/T\d\d:\d\d:\d\d\.000Z$/);
      expect(Date.parse(record.startedAt!)).toBeGreaterThanOrEqual(Date.parse(record.scheduledAt!));
      const log = await readFile(path.join(workspace, record.log!), 'utf8');
      expect(log).toContain('attempt 1 of 1: analytics lake info --format json');
      expect(log).toContain('attempt 1 of 1: exit code 0');
      const output = log.split('\n').find((line) => line.startsWith('{"version"'));
      expect(JSON.parse(output!).tables.map((table: { table: string }) => table.table)).toContain('transactions');
    }
    const messages = logRecords(String(result.stderr)).map((record) => record.message);
    expect(messages).toContain('job info succeeded');
    expect(messages).toContain('SIGTERM received: starting no more jobs');

    const state = JSON.parse(await readFile(path.join(workspace, '.analytics', 'schedule', 'state.json'), 'utf8'));
    expect(state.jobs.info.handledUntil).toBe(records.at(-1)!.scheduledAt);
    // The scheduler lock is released: a new scheduler could start.
    const after = JSON.parse((await runCli(['schedule', 'list', '--format', 'json'], { cwd: workspace })).stdout);
    expect(after.schedulerRunning).toBe(false);
    expect(after.jobs[0].lastRun.status).toMatch(/succeeded|skipped_overlap/);
  });

  it('start: skips a fire time while the job still runs, stops it after the grace period on SIGTERM, catches up once after downtime, and cleans up after a SIGKILL', async () => {
    const hanging = await makeWorkspace();
    await appendFile(path.join(hanging, 'analytics.yaml'), `
schedule:
  shutdown_grace: 1s
  jobs:
    hang:
      cron: "* * * * * *"
      command: [ingest, kafka, --brokers, "127.0.0.1:1", --metrics-port, 0]
      catch_up: run_once
`);
    const leftovers = async () => (await execa('ps', ['-eo', 'args'])).stdout.split('\n').filter((line) => line.includes('ingest kafka') && line.includes(hanging));

    const first = startScheduler(hanging);
    await waitFor('a skipped_overlap run', async () => (await runRecords('hang', hanging)).some((record) => record.status === 'skipped_overlap'));
    first.kill('SIGTERM');
    const stopped = await first;
    expect(stopped.exitCode).toBe(0);
    const records = await runRecords('hang', hanging);
    expect(records.filter((record) => record.status === 'cancelled')).toMatchObject([{ trigger: 'schedule', attempts: [{ cancelled: true }] }]);
    expect(records.every((record) => ['cancelled', 'skipped_overlap'].includes(record.status))).toBe(true);
    expect(logRecords(String(stopped.stderr)).map((record) => record.message)).toContain('stopping hang: still running after the 1 s grace period');
    expect(await leftovers()).toEqual([]);

    // Down for two seconds or more: catch_up run_once runs the job once at start-up.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const second = startScheduler(hanging);
    await waitFor('the catch-up run', async () => existsSync(path.join(hanging, '.analytics', 'schedule', 'locks', 'hang.lock')));
    second.kill('SIGTERM');
    expect((await second).exitCode).toBe(0);
    const catchUp = (await runRecords('hang', hanging)).filter((record) => record.trigger === 'catch_up');
    expect(catchUp).toHaveLength(1);
    expect(catchUp[0]!.missed!.count).toBeGreaterThanOrEqual(2);
    expect(catchUp[0]!.status).toBe('cancelled');
    expect(await leftovers()).toEqual([]);

    // A scheduler killed with SIGKILL leaves its job running (the job leads its own process
    // group) and its run recorded as running; the next scheduler stops the job and records the run
    // as interrupted.
    const crashing = startScheduler(hanging);
    let orphan: RunRecord | undefined;
    await waitFor('a running run with its pid', async () => {
      orphan = (await runRecords('hang', hanging)).find((record) => record.status === 'running' && record.pid !== undefined);
      return orphan !== undefined;
    });
    crashing.kill('SIGKILL');
    await crashing;
    expect((await leftovers()).length).toBeGreaterThan(0);
    const restarted = startScheduler(hanging);
    await waitFor('the interrupted record', async () => (await runRecords('hang', hanging)).find((record) => record.id === orphan!.id)?.status === 'interrupted');
    restarted.kill('SIGTERM');
    expect((await restarted).exitCode).toBe(0);
    const interrupted = (await runRecords('hang', hanging)).find((record) => record.id === orphan!.id)!;
    // Stopped by the recovery, or gone by itself before it ran: either way nothing is left behind.
    expect(interrupted.message).toMatch(/ended without finishing it/);
    expect(await leftovers()).toEqual([]);
  });

  it('run: retries a failing job with backoff, records every attempt and exits 1', async () => {
    const result = await runCli(['schedule', 'run', 'failing', '--format', 'json'], { cwd: workspace });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Error: Job "failing" failed after 3 attempts (exit code 1).');
    const record = JSON.parse(result.stdout) as RunRecord;
    expect(record).toMatchObject({ job: 'failing', trigger: 'manual', status: 'failed', scheduledAt: null });
    expect(record.attempts.map((attempt) => attempt.exitCode)).toEqual([1, 1, 1]);
    const gap = (index: number) => Date.parse(record.attempts[index]!.startedAt) - Date.parse(record.attempts[index - 1]!.endedAt);
    expect(gap(1)).toBeGreaterThanOrEqual(200);
    expect(gap(2)).toBeGreaterThanOrEqual(400);
    const log = await readFile(path.join(workspace, record.log!), 'utf8');
    expect(log.match(/no_such_table does not exist/g)).toHaveLength(3);
  });

  it('run: stops a job at its timeout (its whole process group) and refuses a second run of a running job', async () => {
    const first = execa('node', [CLI, 'schedule', 'run', 'slow', '--format', 'json'], { cwd: workspace, reject: false, stdin: 'ignore', env: { ANALYTICS_LOG_FORMAT: 'json', NO_COLOR: '1' } });
    await waitFor('the job lock', async () => existsSync(path.join(workspace, '.analytics', 'schedule', 'locks', 'slow.lock')));
    const second = await runCli(['schedule', 'run', 'slow'], { cwd: workspace });
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toContain('Error: Job "slow" is running already.');

    const result = await first;
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toContain('Error: Job "slow" timed out after 1 attempt.');
    const record = JSON.parse(String(result.stdout)) as RunRecord;
    expect(record).toMatchObject({ status: 'timed_out', attempts: [{ timedOut: true }] });
    expect(record.durationMs).toBeGreaterThanOrEqual(8_000);
    expect(record.durationMs).toBeLessThan(20_000);
    const { stdout: processes } = await execa('ps', ['-eo', 'args']);
    expect(processes.split('\n').filter((line) => line.includes('ingest kafka') && line.includes(workspace))).toEqual([]);
    expect(await readFile(path.join(workspace, record.log!), 'utf8')).toContain('attempt 1 of 1: timed out after 8 s');
  });

  it('history and list: newest first, filters, JSON, and clear errors', async () => {
    const all = JSON.parse((await runCli(['schedule', 'history', '--format', 'json', '--limit', '100'], { cwd: workspace })).stdout) as RunRecord[];
    expect(new Set(all.map((record) => record.job))).toEqual(new Set(['info', 'failing', 'slow']));
    expect(all[0]!.job).toBe('slow');
    const failed = JSON.parse((await runCli(['schedule', 'history', '--status', 'failed', '--status', 'timed_out', '--format', 'json'], { cwd: workspace })).stdout) as RunRecord[];
    expect(failed.map((record) => `${record.job} ${record.status}`)).toEqual(['slow timed_out', 'failing failed']);
    const two = await runCli(['schedule', 'history', 'info', '--limit', '2'], { cwd: workspace });
    expect(two.exitCode).toBe(0);
    expect(two.stdout.split('\n').filter((line) => line.includes('│ info'))).toHaveLength(2);

    const unknown = await runCli(['schedule', 'history', 'infoo'], { cwd: workspace });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('No job "infoo" in the schedule of');
    expect(unknown.stderr).toContain('Did you mean "info"?');

    const list = await runCli(['schedule', 'list'], { cwd: workspace });
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toMatch(/info +│ \* \* \* \* \* \* │ UTC/);
    expect(list.stdout).toContain('slow (disabled)');
    const json = JSON.parse((await runCli(['schedule', 'list', '--format', 'json', '--next', '2'], { cwd: workspace })).stdout);
    expect(json.jobs[1]).toMatchObject({ name: 'failing', cron: '0 3 * * *', timezone: 'UTC', command: 'query "SELECT * FROM no_such_table"', lastRun: { status: 'failed' } });
    expect(json.jobs[1].nextRuns).toHaveLength(2);
    expect(json.jobs[1].nextRuns[0]).toMatch(/T03:00:00Z$/);
  });

  it.each(['start', 'list', 'run', 'history'])('schedule %s --help has a summary, flags and examples', async (command) => {
    const result = await runCli(['schedule', command, '--help'], { cwd: workspace });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/--format/);
    expect(result.stdout.slice(result.stdout.indexOf('\nEXAMPLES\n'))).toMatch(new RegExp(`\\$ analytics schedule ${command}\\b`));
  });

  it('a bad schedule is one clear error with file:line', async () => {
    const broken = await makeWorkspace();
    await appendFile(path.join(broken, 'analytics.yaml'), '\nschedule:\n  jobs:\n    nightly:\n      cron: "0 25 * * *"\n      command: lake compactt\n');
    const result = await runCli(['schedule', 'list'], { cwd: broken });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/analytics\.yaml:\d+:\d+ {2}schedule\.jobs\.nightly\.cron: invalid cron expression "0 25 \* \* \*"/);
    expect(result.stderr).toMatch(/schedule\.jobs\.nightly\.command: "lake compactt" is not an analytics command/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
