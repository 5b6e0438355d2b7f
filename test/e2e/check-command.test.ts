import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTransactions } from '../support/sample-events.js';
import { makeWorkspace, removeTempDirs, runCli } from '../support/cli.js';

describe('analytics check', () => {
  afterAll(() => removeTempDirs());

  it('passes with the scaffolded checks, fails (exit 1) with a failing error check, and writes JUnit', async () => {
    const workspace = await makeWorkspace();
    await writeTransactions(path.join(workspace, 'tx.ndjson'), 100);
    await runCli(['ingest', 'file', 'tx.ndjson'], { cwd: workspace });
    const ok = await runCli(['check', '--format', 'json'], { cwd: workspace });
    expect(ok.exitCode).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ failedBuild: false, failed: 0 });

    const file = path.join(workspace, 'pipelines.yaml');
    await writeFile(file, `${await readFile(file, 'utf8')}  - { name: too_few, table: transactions, type: row_count, min: 1000 }\n`);
    const bad = await runCli(['check', '--junit', 'checks.xml'], { cwd: workspace });
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain('too_few');
    expect(await readFile(path.join(workspace, 'checks.xml'), 'utf8')).toContain('<failure type="row_count"');
  });

  it('reports a broken pipelines.yaml with file:line:column', async () => {
    const workspace = await makeWorkspace();
    await writeFile(path.join(workspace, 'pipelines.yaml'), 'version: 1\nchecks:\n  - table: transactions\n    type: not_nul\n    columns: [id]\n');
    const result = await runCli(['check'], { cwd: workspace });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/pipelines\.yaml:4:\d+/);
  });
});
