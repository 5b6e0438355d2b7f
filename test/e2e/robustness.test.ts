/** Damage and odd arguments: each fails alone, with one clear line and exit 1. */
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTransactions } from '../support/sample-events.js';
import { makeWorkspace, queryRows, removeTempDirs, runCli } from '../support/cli.js';
import { readLatestSnapshot } from '../../src/lake/snapshot.js';
import { LakeLayout } from '../../src/lake/layout.js';

describe('robustness', () => {
  afterAll(() => removeTempDirs());

  it('a glob that matches nothing fails alone; the other files are stored', async () => {
    const workspace = await makeWorkspace();
    await writeTransactions(path.join(workspace, 'good.ndjson'), 10);
    const result = await runCli(['ingest', 'file', 'good.ndjson', 'none/*.ndjson', '--format', 'json'], { cwd: workspace });
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ stored: 10, failures: [{ label: 'none/*.ndjson', code: 'INPUT_NOT_FOUND' }] });
    expect(result.stderr).toContain('none/*.ndjson: no file matches this pattern');
  });

  it('names files as the user gave them, also with an absolute path', async () => {
    const workspace = await makeWorkspace();
    const file = path.join(workspace, 'abs.ndjson');
    await writeFile(file, 'not json\n');
    await runCli(['ingest', 'file', file, '--max-errors', '-1'], { cwd: workspace });
    expect(await queryRows(workspace, 'SELECT origin FROM dead_letters')).toEqual([{ origin: `${file}:1` }]);
  });

  it('a missing data file breaks only its own table, as LAKE_CORRUPT with exit 1', async () => {
    const workspace = await makeWorkspace();
    await writeTransactions(path.join(workspace, 'tx.ndjson'), 10);
    await writeFile(path.join(workspace, 'bad.ndjson'), 'not json\n');
    await runCli(['ingest', 'file', 'tx.ndjson', 'bad.ndjson', '--max-errors', '-1'], { cwd: workspace });
    const layout = new LakeLayout(path.join(workspace, 'lake'));
    const file = (await readLatestSnapshot(layout)).files.find((entry) => entry.table === 'transactions')!;
    await rename(layout.resolve(file.path), `${layout.resolve(file.path)}.moved`);
    const broken = await runCli(['query', 'SELECT count(*) FROM transactions'], { cwd: workspace });
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr).toMatch(/Error: A lake data file cannot be read for table transactions/);
    expect(broken.stderr).not.toMatch(/\n\s+at /);
    expect(await queryRows(workspace, 'SELECT count(*) AS n FROM dead_letters')).toEqual([{ n: 1 }]);
  });

  it('refuses several statements in one query', async () => {
    const workspace = await makeWorkspace();
    const result = await runCli(['query', 'SELECT 1 AS a; SELECT 2 AS b'], { cwd: workspace });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('2 statements');
  });

  it('an unknown command exits 1 with a suggestion', async () => {
    const workspace = await makeWorkspace();
    const result = await runCli(['querry', 'SELECT 1'], { cwd: workspace });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Did you mean "analytics query"');
  });
});
