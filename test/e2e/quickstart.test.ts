/** The README's first command, as a process, in an empty folder: no server, one command. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('analytics quickstart', () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('creates a workspace, generates and ingests a day, runs the checks and prints the figures', async () => {
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
    expect(output.kpis.map((kpi: { metric: string }) => kpi.metric)).toContain('fraud_rate');

    const again = await runCli(['quickstart', 'demo', '--day', '2026-11-24', '--rate', '1'], { cwd: dir });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/Ingest: 86,400 read, 0 stored, \d+ rejected \(dead_letters\), [\d,]+ duplicates/);
  });
});
