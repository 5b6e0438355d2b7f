/**
 * The default warehouse shipped in pipelines.yaml, over generated events: warehouse checks are
 * skipped before the first run and pass after it; facts hold every lake event; rollups add up;
 * dated runs and a backfill give the same tables as a full run (no doubled rows).
 */
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../src/analytics/query.js';
import { checksToJunit } from '../../src/checks/junit.js';
import { runChecks } from '../../src/checks/run.js';
import { runEtl } from '../../src/etl/run.js';
import { ingestFiles } from '../../src/pipelines/ingest/file-ingest.js';
import { generateToOutput } from '../../src/pipelines/synthetic-data.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { tempWorkspace } from '../support/workspace.js';

let dir: string;
let workspace: Workspace;
let cleanup: () => Promise<void>;
const rows = async (sql: string) => (await runQuery(workspace, sql)).rows;

beforeAll(async () => {
  ({ dir, workspace, cleanup } = await tempWorkspace('analytics-warehouse-'));
  const file = path.join(dir, 'events.ndjson');
  await generateToOutput({ seed: 7, start: new Date('2026-11-22T00:00:00Z'), end: new Date('2026-11-25T00:00:00Z'), rate: 0.1 }, { format: 'ndjson', out: file });
  await ingestFiles(workspace, { paths: [file], cwd: dir, maxErrors: -1 });
}, 120_000);
afterAll(() => cleanup());

describe('the default warehouse', () => {
  it('checks on warehouse tables are skipped until etl run builds them (JUnit <skipped/>)', async () => {
    const run = await runChecks(workspace);
    expect(run.failedBuild).toBe(false);
    const skipped = run.results.filter((result) => result.status === 'skipped').map((result) => result.name);
    expect(skipped).toEqual(expect.arrayContaining(['fact_transactions_relationships_merchant_id', 'dim_customer_one_current_version', 'warehouse_transactions_complete']));
    const junit = new XMLParser({ ignoreAttributes: false }).parse(checksToJunit(run)) as { testsuites: { '@_skipped': string; testsuite: { testcase: { '@_name': string; skipped?: unknown }[] } } };
    expect(Number(junit.testsuites['@_skipped'])).toBe(skipped.length);
    expect(junit.testsuites.testsuite.testcase.filter((testcase) => testcase.skipped !== undefined)).toHaveLength(skipped.length);
  });

  it('a full run builds the star schema; the checks pass', async () => {
    const result = await runEtl(workspace);
    expect(result.status).toBe('succeeded');
    expect(result.runs.map((run) => run.pipeline)).toEqual(['warehouse_dimensions', 'warehouse_facts']);
    const [counts] = await rows(`SELECT (SELECT count(*) FROM transactions) AS lake, (SELECT count(*) FROM fact_transactions) AS fact,
      (SELECT sum(transactions) FROM agg_transactions_daily) AS daily, (SELECT sum(transactions) FROM agg_transactions_hourly) AS hourly,
      (SELECT count(*) FROM notifications) AS lake_n, (SELECT sum(notifications) FROM agg_notifications_hourly) AS hourly_n,
      (SELECT count(*) FROM dim_date) AS days, (SELECT count(DISTINCT customer_id) FROM transactions) AS customers,
      (SELECT count(*) FROM dim_customer WHERE is_current) AS current_customers`);
    expect(counts).toMatchObject({ fact: counts!.lake, daily: counts!.lake, hourly: counts!.lake, hourly_n: counts!.lake_n, days: 3, current_customers: counts!.customers });
    const checks = await runChecks(workspace);
    expect(checks.results.filter((check) => check.status !== 'pass' && check.severity === 'error')).toEqual([]);
    expect(checks.skipped).toBe(0);
  }, 120_000);

  it('dated runs and a backfill replace their days only: the tables stay the same, no doubled rows', async () => {
    const before = await rows('SELECT event_date::VARCHAR AS d, count(*) AS n, sum(amount) AS amount FROM fact_transactions GROUP BY ALL ORDER BY d');
    await runEtl(workspace, { date: '2026-11-23' });
    await runEtl(workspace, { from: '2026-11-22', to: '2026-11-24' });
    expect(await rows('SELECT event_date::VARCHAR AS d, count(*) AS n, sum(amount) AS amount FROM fact_transactions GROUP BY ALL ORDER BY d')).toEqual(before);
    expect(await rows('SELECT count(*) AS n FROM dim_customer WHERE is_current GROUP BY customer_id HAVING count(*) > 1')).toEqual([]);
  }, 120_000);
});
