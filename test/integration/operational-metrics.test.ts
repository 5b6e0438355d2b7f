/**
 * The operational metrics of metrics.yaml over real runs: pipeline runs, failures and duration
 * from the ETL run records (the etl_runs view), and the rejected rate from ingest. A failed run
 * commits nothing to the lake, so the metrics cache must still see it.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEtl } from '../../src/etl/run.js';
import { queryMetric } from '../../src/metrics/service.js';
import { ingestFiles } from '../../src/pipelines/ingest/file-ingest.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { writeTransactions } from '../support/sample-events.js';
import { tempWorkspace } from '../support/workspace.js';

let dir: string;
let workspace: Workspace;
let cleanup: () => Promise<void>;
const csv = (name: string, lines: string[]) => writeFile(path.join(dir, 'data', name), `${lines.join('\n')}\n`);
const today = () => new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()));
const window = () => ({ grain: 'day' as const, from: today(), to: new Date(today().getTime() + 86_400_000) });

beforeAll(async () => {
  ({ dir, workspace, cleanup } = await tempWorkspace('analytics-ops-metrics-'));
  await copyFile('metrics.yaml', path.join(dir, 'metrics.yaml'));
  await mkdir(path.join(dir, 'data'), { recursive: true });
  await writeFile(path.join(dir, 'pipelines.yaml'), 'version: 1\npipelines:\n  - name: accounts\n    steps:\n      - { name: accounts, files: data/accounts.csv, load: { table: wh_accounts, mode: merge, key: [id] } }\n');
});
afterAll(() => cleanup());

describe('operational metrics', () => {
  it('counts pipeline runs and failures, and times them, from the run records', async () => {
    // Given one successful run and one that fails on a duplicate merge key
    await csv('accounts.csv', ['id,name', '1,a', '2,b']);
    expect((await runEtl(workspace, {})).status).toBe('succeeded');
    const runsBefore = await queryMetric(workspace, { metric: 'pipeline_runs', by: ['status'], ...window() });
    expect(runsBefore.rows).toEqual([expect.objectContaining({ status: 'succeeded', pipeline_runs: 1 })]);

    await csv('accounts.csv', ['id,name', '3,c', '3,d']);
    expect((await runEtl(workspace, {})).status).toBe('failed');

    // Then the failure shows although the lake version did not change (no stale cache answer)
    const runs = await queryMetric(workspace, { metric: 'pipeline_runs', by: ['status'], ...window() });
    expect(runs.cached).toBe(false);
    expect(runs.rows.map((row) => [row.status, row.pipeline_runs])).toEqual([['failed', 1], ['succeeded', 1]]);
    const failures = await queryMetric(workspace, { metric: 'pipeline_failures', by: ['pipeline', 'error_step'], ...window() });
    expect(failures.rows).toEqual([expect.objectContaining({ pipeline: 'accounts', error_step: 'accounts', pipeline_failures: 1 })]);
    const duration = await queryMetric(workspace, { metric: 'pipeline_duration_p95_seconds', ...window() });
    expect(Number(duration.rows[0]!.pipeline_duration_p95_seconds)).toBeGreaterThan(0);
  });

  it('gives the rejected rate as dead letters over records settled', async () => {
    await writeTransactions(path.join(dir, 'tx.ndjson'), 99, { day: '2026-11-24' });
    await writeFile(path.join(dir, 'tx.ndjson'), '{"not": "an event"}\n', { flag: 'a' });
    await ingestFiles(workspace, { paths: [path.join(dir, 'tx.ndjson')], cwd: dir });
    const rate = await queryMetric(workspace, { metric: 'rejected_rate', ...window() });
    expect(rate.rows.map((row) => row.rejected_rate)).toEqual([0.01]);
  });

  it('gives data freshness from the clock, never from the cache', async () => {
    const query = { metric: 'data_freshness_seconds', grain: 'day' as const, from: new Date('2026-11-24T00:00:00Z'), to: new Date('2026-11-25T00:00:00Z') };
    const first = await queryMetric(workspace, query);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await queryMetric(workspace, query);
    expect(second.cached).toBe(false);
    const newest = Date.parse('2026-11-24T00:00:00Z');
    expect(Number(first.rows[0]!.data_freshness_seconds)).toBeGreaterThan((Date.now() - newest) / 1000 - 86_400 - 5);
    expect(Number(second.rows[0]!.data_freshness_seconds)).toBeGreaterThan(Number(first.rows[0]!.data_freshness_seconds));
  });
});
