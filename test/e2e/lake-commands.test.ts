import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTransactions } from '../support/sample-events.js';
import { makeWorkspace, queryRows, removeTempDirs, runCli } from '../support/cli.js';

describe('analytics lake', () => {
  afterAll(() => removeTempDirs());

  it('info, compact, vacuum and retention run as commands with JSON output', async () => {
    const workspace = await makeWorkspace();
    for (const batch of [0, 1, 2]) {
      await writeTransactions(path.join(workspace, `b${batch}.ndjson`), 100, { idPrefix: `b${batch}` });
      expect((await runCli(['ingest', 'file', `b${batch}.ndjson`], { cwd: workspace })).exitCode).toBe(0);
    }
    const info = JSON.parse((await runCli(['lake', 'info', '--format', 'json'], { cwd: workspace })).stdout);
    expect(info.tables.find((table: { table: string }) => table.table === 'transactions')).toMatchObject({ files: 3, rows: 300 });

    const compact = await runCli(['lake', 'compact', '--format', 'json'], { cwd: workspace });
    expect(compact.exitCode).toBe(0);
    expect(JSON.parse(compact.stdout).partitions).toHaveLength(1);
    expect(await queryRows(workspace, 'SELECT count(DISTINCT id) AS n FROM transactions')).toEqual([{ n: 300 }]);

    const vacuum = await runCli(['lake', 'vacuum', '--dry-run', '--format', 'json'], { cwd: workspace });
    expect(JSON.parse(vacuum.stdout)).toMatchObject({ dryRun: true, deleted: [] });

    const retention = await runCli(['lake', 'retention', '--dry-run'], { cwd: workspace });
    expect(retention.exitCode).toBe(0);
    expect(retention.stdout).toContain('Nothing is older than its retention');
  });
});
