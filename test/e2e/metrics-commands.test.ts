import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTransactions } from '../support/sample-events.js';
import { makeWorkspace, removeTempDirs, runCli } from '../support/cli.js';

describe('analytics metrics and kpi', () => {
  afterAll(() => removeTempDirs());

  it('metrics query --format json prints one object per row: period, dimensions, value under the metric name', async () => {
    const workspace = await makeWorkspace();
    await writeTransactions(path.join(workspace, 'tx.ndjson'), 300);
    await runCli(['ingest', 'file', 'tx.ndjson'], { cwd: workspace });
    const result = await runCli(['metrics', 'query', 'transaction_count', '--by', 'country', '--grain', 'day', '--format', 'json'], { cwd: workspace });
    expect(result.exitCode).toBe(0);
    const rows = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(rows.length).toBe(4);
    for (const row of rows) expect(Object.keys(row).sort()).toEqual(['country', 'period', 'transaction_count']);
    expect(rows.reduce((sum, row) => sum + (row.transaction_count as number), 0)).toBe(300);
    expect(rows[0]!.period).toBe('2026-11-24T00:00:00.000Z');

    const explain = await runCli(['metrics', 'query', 'decline_rate', '--explain'], { cwd: workspace });
    expect(explain.stdout).toMatch(/FULL JOIN/);
    const list = await runCli(['metrics', 'list', '--format', 'json'], { cwd: workspace });
    const names = (JSON.parse(list.stdout) as { name: string }[]).map((metric) => metric.name);
    for (const name of ['transaction_count', 'transaction_volume', 'decline_rate', 'fraud_rate', 'security_alert_count', 'notification_delivery_rate']) expect(names).toContain(name);
  });

  it('kpi exits 1 when a KPI is red and 0 when none is', async () => {
    const workspace = await makeWorkspace();
    await writeTransactions(path.join(workspace, 'tx.ndjson'), 300);
    await runCli(['ingest', 'file', 'tx.ndjson'], { cwd: workspace });
    const green = await runCli(['kpi'], { cwd: workspace });
    expect(green.exitCode).toBe(0);
    expect(green.stdout).toMatch(/green\s+decline_rate/);
    const file = path.join(workspace, 'metrics.yaml');
    const strict = (await readFile(file, 'utf8')).replace(/kpi: \{ direction: lower_is_better, target: 0\.05, green: 0\.08, amber: 0\.12, window: 1d \}/, 'kpi: { direction: lower_is_better, target: 0.01, green: 0.01, amber: 0.02, window: 1d }');
    await writeFile(file, strict);
    const red = await runCli(['kpi', '--format', 'json'], { cwd: workspace });
    expect(red.exitCode).toBe(1);
    expect((JSON.parse(red.stdout) as { metric: string; status: string }[]).find((kpi) => kpi.metric === 'decline_rate')?.status).toBe('red');
  });
});
