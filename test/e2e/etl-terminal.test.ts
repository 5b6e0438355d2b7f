/**
 * On a real terminal (tmux), `etl run` draws a live tree of the steps, redrawn in place, and ends
 * with the summary.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, makeWorkspace, removeTempDirs, runCli } from '../support/cli.js';
import { writeTransactions } from '../support/sample-events.js';
import { TmuxSession } from '../support/tmux.js';

const terminal = new TmuxSession('etl-tty');

let ws: string;
beforeAll(async () => {
  ws = await makeWorkspace();
  const file = await writeTransactions(path.join(ws, 'tx.ndjson'), 100);
  expect((await runCli(['ingest', 'file', file], { cwd: ws })).exitCode).toBe(0);
  await writeFile(path.join(ws, 'pipelines.yaml'), `version: 1
pipelines:
  - name: tty
    steps:
      - { name: base, sql: "SELECT * FROM transactions" }
      - { name: per_account, sql: "SELECT account_id, count(*) AS n FROM base GROUP BY 1", load: { table: wh_per_account } }
`);
}, 60_000);
afterAll(async () => {
  await terminal.stop();
  await removeTempDirs();
});

describe('etl run on a terminal', () => {
  it('shows the steps as a live tree with a running step, then ticks and the summary', async () => {
    await terminal.start(`env -u ANALYTICS_LOG_FORMAT ANALYTICS_ETL_TEST_PAUSE=per_account:2500 node ${CLI} etl run; sleep 30`, { columns: 160, rows: 40 }, ws);
    const running = await terminal.screenUntil((text) => /per_account +running/.test(text), 'the running step', 30_000);
    expect(running).toMatch(/tty/);
    expect(running).toMatch(/✔ base +100 in +100 out/);
    const done = await terminal.screenUntil((text) => /1 pipeline, 2 steps succeeded/.test(text), 'the summary', 30_000);
    expect(done).toMatch(/✔ per_account +100 in +100 out → wh_per_account/);
    // Redrawn in place: the step appears once in the live tree and once in the summary.
    expect(done.match(/✔ per_account/g)).toHaveLength(2);
  }, 60_000);
});
