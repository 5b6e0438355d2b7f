/**
 * `analytics etl` as a process: list, validate (plan, and file:line problems with exit 1), run
 * (summary, JSON, plain log lines off a terminal, exit codes), history; a run killed with SIGKILL
 * mid-way leaves every table unchanged and a re-run completes; a killed backfill resumes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, logRecords, makeWorkspace, queryRows, removeTempDirs, runCli } from '../support/cli.js';
import { writeTransactions } from '../support/sample-events.js';

const PIPELINES = `version: 1
pipelines:
  - name: daily
    description: Daily totals per account
    steps:
      - name: day_tx
        sql: SELECT * FROM transactions WHERE event_date >= {{ from }} AND event_date < {{ to }}
      - name: wh_account_day
        sql: SELECT event_date, account_id, count(*) AS n, sum(amount) AS amount FROM day_tx GROUP BY ALL
        load: { table: wh_account_day, mode: replace, partition_by: event_date }
        checks:
          - { type: not_null, columns: [account_id] }
      - name: wh_day
        sql: SELECT event_date, sum(n) AS n FROM wh_account_day GROUP BY ALL
        load: { table: wh_day, mode: replace, partition_by: event_date }
checks:
  - { table: wh_day, type: row_count, min: 1 }
`;

let ws: string;
const runsOf = () => {
  const dir = path.join(ws, '.analytics', 'etl', 'runs');
  // Only records: a record being replaced has a .tmp sibling for a moment.
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.json')).map((name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as { status: string; partitions: { date: string; status: string; steps: { name: string; status: string }[] }[] }) : [];
};
const lakeVersion = async () => (JSON.parse((await runCli(['lake', 'info', '--format', 'json'], { cwd: ws })).stdout) as { version: number }).version;

/** Starts `etl run`, waits until `ready` holds for the running run's record, then SIGKILLs it. */
async function killWhen(args: string[], pauseStep: string, ready: (record: ReturnType<typeof runsOf>[number]) => boolean, during?: () => Promise<void>): Promise<void> {
  const before = new Set(runsOf().map((run) => JSON.stringify(run)));
  const child = execa('node', [CLI, 'etl', 'run', ...args], { cwd: ws, reject: false, env: { ANALYTICS_ETL_TEST_PAUSE: `${pauseStep}:60000`, ANALYTICS_LOG_FORMAT: 'json' } });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const running = runsOf().find((run) => run.status === 'running' && !before.has(JSON.stringify(run)) && ready(run));
    if (running) break;
    if (Date.now() > deadline) throw new Error('the run never reached the point to kill it');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await during?.();
  child.kill('SIGKILL');
  const result = await child;
  expect(result.signal).toBe('SIGKILL');
}

beforeAll(async () => {
  ws = await makeWorkspace();
  for (const [index, day] of ['2026-11-23', '2026-11-24', '2026-11-25'].entries()) {
    const file = await writeTransactions(path.join(ws, `tx-${day}.ndjson`), 100 + index * 50, { day, idPrefix: day });
    expect((await runCli(['ingest', 'file', file], { cwd: ws })).exitCode).toBe(0);
  }
  await writeFile(path.join(ws, 'pipelines.yaml'), PIPELINES);
}, 120_000);
afterAll(() => removeTempDirs());

describe('analytics etl', () => {
  it('validate prints the plan; list shows the pipelines', async () => {
    const validate = await runCli(['etl', 'validate'], { cwd: ws });
    expect(validate.exitCode).toBe(0);
    expect(validate.stdout).toContain('1 pipelines, 3 steps, 1 checks; every SQL parses');
    expect(validate.stdout).toMatch(/wh_account_day ← day_tx → wh_account_day \(replace, by event_date\), 1 checks/);
    const list = await runCli(['etl', 'list', '--format', 'json'], { cwd: ws });
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ pipeline: 'daily', steps: 3, tables: 'wh_account_day, wh_day' })]);
  });

  it('validate exits 1 with file:line, pipeline and step for a broken file, and changes nothing', async () => {
    const dir = await makeWorkspace();
    await writeFile(path.join(dir, 'pipelines.yaml'), 'version: 1\npipelines:\n  - name: p\n    steps:\n      - { name: s, sql: "SELECT * FROM missing_table" }\n');
    const result = await runCli(['etl', 'validate'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/pipelines\.yaml:5:\d+ +pipelines\[0\]\.steps\[0\]\.sql: pipeline p, step s: reads "missing_table"/);
    expect(result.stderr).not.toMatch(/at .*\.js/);
    const run = await runCli(['etl', 'run'], { cwd: dir });
    expect(run.exitCode).toBe(1);
  });

  it('run: a summary on stdout, one plain log line per step on stderr, exit 0; JSON with --format json', async () => {
    const result = await runCli(['etl', 'run', 'daily', '--date', '2026-11-24'], { cwd: ws });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/daily succeeded/);
    expect(result.stdout).toMatch(/1 pipeline, 3 steps succeeded, 0 failed, 0 skipped/);
    const steps = logRecords(result.stderr).filter((record) => record.step);
    expect(steps.map((record) => [record.step, record.status])).toEqual(expect.arrayContaining([['day_tx', 'succeeded'], ['wh_account_day', 'succeeded'], ['wh_day', 'succeeded']]));
    const json = await runCli(['etl', 'run', '--date', '2026-11-24', '--format', 'json'], { cwd: ws });
    const parsed = JSON.parse(json.stdout) as { status: string; runs: { partitions: { steps: { name: string; rowsOut: number }[] }[] }[] };
    expect(parsed.status).toBe('succeeded');
    expect(parsed.runs[0]!.partitions[0]!.steps.find((step) => step.name === 'wh_day')!.rowsOut).toBe(1);
    expect(await queryRows(ws, 'SELECT event_date::VARCHAR AS d, n FROM wh_day')).toEqual([{ d: '2026-11-24', n: 150 }]);
    // The warehouse table is checked by `analytics check` like any lake table.
    expect((await runCli(['check'], { cwd: ws })).exitCode).toBe(0);
  });

  it('history lists the runs with who, status and rows', async () => {
    const result = await runCli(['etl', 'history', '--format', 'json'], { cwd: ws });
    const runs = JSON.parse(result.stdout) as { pipeline: string; status: string; user: string; partitions: { inputVersion: number }[] }[];
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs[0]).toMatchObject({ pipeline: 'daily', status: 'succeeded' });
    expect(runs[0]!.user).not.toBe('');
    const table = await runCli(['etl', 'history'], { cwd: ws });
    expect(table.stdout).toContain('daily');
  });

  it('a run killed mid-way (SIGKILL) leaves every table unchanged; history says killed; a re-run completes', async () => {
    const version = await lakeVersion();
    const before = await queryRows(ws, 'SELECT event_date::VARCHAR AS d, n FROM wh_day ORDER BY d');
    // Killed after wh_account_day is staged, while wh_day waits: nothing may show.
    await killWhen(['daily'], 'wh_account_day', (run) => run.partitions[0]?.steps.some((step) => step.name === 'wh_account_day' && step.status !== 'pending') ?? false, async () => {
      // Readers keep working during the run and see the committed tables only.
      expect(await queryRows(ws, 'SELECT event_date::VARCHAR AS d, n FROM wh_day ORDER BY d')).toEqual(before);
    });
    expect(await lakeVersion()).toBe(version);
    expect(await queryRows(ws, 'SELECT event_date::VARCHAR AS d, n FROM wh_day ORDER BY d')).toEqual(before);
    const history = JSON.parse((await runCli(['etl', 'history', '--format', 'json'], { cwd: ws })).stdout) as { status: string }[];
    expect(history[0]!.status).toBe('killed');
    const rerun = await runCli(['etl', 'run', 'daily'], { cwd: ws });
    expect(rerun.exitCode).toBe(0);
    expect(await queryRows(ws, 'SELECT event_date::VARCHAR AS d, n FROM wh_day ORDER BY d')).toEqual([{ d: '2026-11-23', n: 100 }, { d: '2026-11-24', n: 150 }, { d: '2026-11-25', n: 200 }]);
  }, 120_000);

  it('a killed backfill resumes: the dates committed are skipped, the rest run', async () => {
    await killWhen(['daily', '--from', '2026-11-23', '--to', '2026-11-25'], 'wh_day@2026-11-24', (run) => run.partitions.length === 2 && run.partitions[0]!.status === 'succeeded');
    const resumed = await runCli(['etl', 'run', 'daily', '--from', '2026-11-23', '--to', '2026-11-25', '--format', 'json'], { cwd: ws });
    expect(resumed.exitCode).toBe(0);
    const result = JSON.parse(resumed.stdout) as { runs: { resumedFrom?: string; partitions: { date: string; status: string }[] }[] };
    expect(result.runs[0]!.resumedFrom).toBeDefined();
    expect(result.runs[0]!.partitions.map((partition) => [partition.date, partition.status])).toEqual([['2026-11-23', 'skipped'], ['2026-11-24', 'succeeded'], ['2026-11-25', 'succeeded']]);
    expect(await queryRows(ws, 'SELECT event_date::VARCHAR AS d, n FROM wh_day ORDER BY d')).toEqual([{ d: '2026-11-23', n: 100 }, { d: '2026-11-24', n: 150 }, { d: '2026-11-25', n: 200 }]);
  }, 120_000);

  it('a failed run exits 1 naming pipeline and step', async () => {
    await writeFile(path.join(ws, 'pipelines.yaml'), PIPELINES.replace('checks:\n          - { type: not_null, columns: [account_id] }', 'checks:\n          - { type: row_count, max: 0 }'));
    const result = await runCli(['etl', 'run', '--date', '2026-11-24'], { cwd: ws });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Error: pipeline daily, step wh_account_day: check wh_account_day_row_count \(1 failing row\) failed/);
    expect(result.stdout).toMatch(/wh_day +skipped/);
    await writeFile(path.join(ws, 'pipelines.yaml'), PIPELINES);
  });
});
