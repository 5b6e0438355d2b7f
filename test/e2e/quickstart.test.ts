/** The README's first command, as a process, in an empty folder: no server, one command. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('analytics quickstart', () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('creates a workspace, generates and ingests a day, builds the warehouse, runs the checks and prints the figures', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'analytics-quickstart-'));
    const result = await runCli(['quickstart', 'demo', '--day', '2026-11-24', '--rate', '1', '--format', 'json'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.createdWorkspace).toBe(true);
    expect(output.ingest.read).toBe(86_400);
    expect(output.ingest.read).toBe(output.ingest.stored + output.ingest.rejected + output.ingest.duplicates);
    expect(output.ingest.rejected).toBeGreaterThan(0); // a few malformed records on purpose
    expect(output.headline.transactions).toBeGreaterThan(40_000);
    expect(output.headline.declineRate).toBeGreaterThan(0.02);
    expect(output.headline.topCountries).toHaveLength(5);
    expect(output.checks.failedBuild).toBe(false);
    // The default warehouse was built, and its checks ran (none skipped).
    expect(output.etl.status).toBe('succeeded');
    expect(output.etl.runs.map((run: { pipeline: string }) => run.pipeline)).toEqual(['warehouse_dimensions', 'warehouse_facts']);
    expect(output.checks.skipped).toBe(0);
    expect(output.kpis.map((kpi: { metric: string }) => kpi.metric)).toContain('fraud_rate');

    const again = await runCli(['quickstart', 'demo', '--day', '2026-11-24', '--rate', '1'], { cwd: dir });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/Ingest: 86,400 read, 0 stored, \d+ rejected \(dead_letters\), [\d,]+ duplicates/);
    // Re-running the pipelines gives the same warehouse (no doubled rows).
    const factRows = output.etl.runs[1].partitions[0].steps.find((step: { name: string }) => step.name === 'fact_transactions').tableRows as number;
    expect(factRows).toBeGreaterThan(40_000);
    expect(again.stdout).toContain(`fact_transactions ${factRows.toLocaleString('en-US')} `);
    expect(again.stdout).toMatch(/Warehouse: 17 tables built by 2 pipelines/);
  });
});
