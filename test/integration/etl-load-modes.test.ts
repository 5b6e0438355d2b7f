/**
 * Every load mode against expected tables, through the library: replace (whole table and by
 * date partition), append, merge (upsert, duplicate key refused), incremental (watermark
 * committed with the data) and scd2 (history over several dates, idempotent re-run).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../src/analytics/query.js';
import { runEtl } from '../../src/etl/run.js';
import { LakeLayout } from '../../src/lake/layout.js';
import { readLatestSnapshot } from '../../src/lake/snapshot.js';
import { ingestFiles } from '../../src/pipelines/ingest/file-ingest.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { writeTransactions } from '../support/sample-events.js';
import { tempWorkspace } from '../support/workspace.js';

let dir: string;
let workspace: Workspace;
let cleanup: () => Promise<void>;

const rows = async (sql: string) => (await runQuery(workspace, sql)).rows;
const csv = async (name: string, lines: string[]) => {
  await mkdir(path.join(dir, 'data'), { recursive: true });
  await writeFile(path.join(dir, 'data', name), `${lines.join('\n')}\n`);
};
const pipelines = (yaml: string) => writeFile(path.join(dir, 'pipelines.yaml'), `version: 1\npipelines:\n${yaml}\nchecks: []\n`);

beforeAll(async () => {
  ({ dir, workspace, cleanup } = await tempWorkspace('analytics-etl-'));
  await writeTransactions(path.join(dir, 'day1.ndjson'), 300, { day: '2026-11-24', idPrefix: 'a' });
  await writeTransactions(path.join(dir, 'day2.ndjson'), 200, { day: '2026-11-25', idPrefix: 'b' });
  await ingestFiles(workspace, { paths: [path.join(dir, 'day1.ndjson'), path.join(dir, 'day2.ndjson')], cwd: dir });
});
afterAll(() => cleanup());

describe('load modes', () => {
  it('replace: the table becomes the step result, again on every run', async () => {
    await csv('items.csv', ['id,name', '1,a', '2,b']);
    await pipelines(`  - name: p_replace\n    steps:\n      - { name: items, files: data/items.csv, load: { table: wh_items, mode: replace } }`);
    expect((await runEtl(workspace, { pipelines: ['p_replace'] })).status).toBe('succeeded');
    await csv('items.csv', ['id,name', '3,c']);
    await runEtl(workspace, { pipelines: ['p_replace'] });
    expect(await rows('SELECT id, name FROM wh_items ORDER BY id')).toEqual([{ id: 3, name: 'c' }]);
  });

  it('append: rows are added on every run', async () => {
    await csv('events.csv', ['id,name', '1,a', '2,b']);
    await pipelines(`  - name: p_append\n    steps:\n      - { name: events, files: data/events.csv, load: { table: wh_events, mode: append } }`);
    await runEtl(workspace, {});
    await runEtl(workspace, {});
    expect(await rows('SELECT id, count(*) AS n FROM wh_events GROUP BY id ORDER BY id')).toEqual([{ id: 1, n: 2 }, { id: 2, n: 2 }]);
  });

  it('merge: upsert on the key; a duplicate key in the source is refused and changes nothing', async () => {
    await pipelines(`  - name: p_merge\n    steps:\n      - { name: accounts, files: data/accounts.csv, load: { table: wh_accounts, mode: merge, key: [id] } }`);
    await csv('accounts.csv', ['id,name', '1,a', '2,b']);
    await runEtl(workspace, {});
    await csv('accounts.csv', ['id,name', '2,B', '3,c']);
    await runEtl(workspace, {});
    expect(await rows('SELECT id, name FROM wh_accounts ORDER BY id')).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'B' }, { id: 3, name: 'c' }]);
    const before = await readLatestSnapshot(new LakeLayout(workspace.lakeRoot));
    await csv('accounts.csv', ['id,name', '4,d', '4,e']);
    const failed = await runEtl(workspace, {});
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toMatch(/pipeline p_merge, step accounts: 1 key value of \(id\) occur more than once in the merge source, e\.g\. id=4/);
    expect(failed.runs[0]!.status).toBe('failed');
    expect((await readLatestSnapshot(new LakeLayout(workspace.lakeRoot))).version).toBe(before.version);
    expect(await rows('SELECT id, name FROM wh_accounts ORDER BY id')).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'B' }, { id: 3, name: 'c' }]);
  });

  it('incremental: only rows above the committed watermark are added; the watermark moves with the data', async () => {
    await pipelines(`  - name: p_inc\n    steps:\n      - { name: readings, files: data/readings.csv, load: { table: wh_readings, mode: incremental, watermark: ts } }`);
    await csv('readings.csv', ['ts,value', '1,10', '2,20', '3,30']);
    await runEtl(workspace, {});
    await runEtl(workspace, {}); // nothing new: no doubled rows
    expect(await rows('SELECT count(*) AS n FROM wh_readings')).toEqual([{ n: 3 }]);
    await csv('readings.csv', ['ts,value', '1,10', '2,20', '3,30', '4,40', '5,50']);
    const result = await runEtl(workspace, {});
    expect(result.runs[0]!.partitions[0]!.steps[0]).toMatchObject({ rowsOut: 2, tableRows: 5 });
    expect(await rows('SELECT ts, value FROM wh_readings ORDER BY ts')).toHaveLength(5);
    const snapshot = await readLatestSnapshot(new LakeLayout(workspace.lakeRoot));
    expect((snapshot.sources.etl as Record<string, { watermark: string }>)['p_inc.readings']!.watermark).toBe('5');
  });

  it('incremental with a key upserts the new rows', async () => {
    await pipelines(`  - name: p_inc_key\n    steps:\n      - { name: balances, files: data/balances.csv, load: { table: wh_balances, mode: incremental, watermark: ts, key: [id] } }`);
    await csv('balances.csv', ['id,ts,balance', '1,1,100', '2,2,200']);
    await runEtl(workspace, {});
    await csv('balances.csv', ['id,ts,balance', '1,1,100', '2,2,200', '1,3,150']);
    await runEtl(workspace, {});
    expect(await rows('SELECT id, ts, balance FROM wh_balances ORDER BY id')).toEqual([{ id: 1, ts: 3, balance: 150 }, { id: 2, ts: 2, balance: 200 }]);
  });

  it('scd2: a changed row closes the current version and opens a new one; unchanged rows and re-runs change nothing', async () => {
    await pipelines(`  - name: p_scd2\n    steps:\n      - { name: customers, files: data/customers.csv, load: { table: wh_customers, mode: scd2, key: [id], track: [city] } }`);
    await csv('customers.csv', ['id,name,city', '1,Ann,Berlin', '2,Bob,Paris']);
    await runEtl(workspace, { date: '2026-11-01' });
    await csv('customers.csv', ['id,name,city', '1,Ann,Munich', '2,Bob,Paris', '3,Cid,Rome']);
    await runEtl(workspace, { date: '2026-11-02' });
    await runEtl(workspace, { date: '2026-11-02' }); // idempotent
    await csv('customers.csv', ['id,name,city', '1,Ann,Hamburg', '2,Bob,Paris', '3,Cid,Rome']);
    await runEtl(workspace, { date: '2026-11-05' });
    expect(await rows(`SELECT id, city, valid_from::DATE::VARCHAR AS valid_from, valid_to::DATE::VARCHAR AS valid_to, is_current FROM wh_customers ORDER BY id, valid_from`)).toEqual([
      { id: 1, city: 'Berlin', valid_from: '2026-11-01', valid_to: '2026-11-02', is_current: false },
      { id: 1, city: 'Munich', valid_from: '2026-11-02', valid_to: '2026-11-05', is_current: false },
      { id: 1, city: 'Hamburg', valid_from: '2026-11-05', valid_to: null, is_current: true },
      { id: 2, city: 'Paris', valid_from: '2026-11-01', valid_to: null, is_current: true },
      { id: 3, city: 'Rome', valid_from: '2026-11-02', valid_to: null, is_current: true },
    ]);
  });

  it('replace by date partition: a dated run replaces its own date only; re-running a date does not double rows; a backfill covers each date', async () => {
    await pipelines(`  - name: p_daily
    steps:
      - name: daily_tx
        sql: |
          SELECT event_date, account_id, count(*) AS transactions, sum(amount) AS amount
          FROM transactions WHERE event_date >= {{ from }} AND event_date < {{ to }} GROUP BY ALL
        load: { table: wh_daily, mode: replace, partition_by: event_date, sort_by: [account_id] }`);
    await runEtl(workspace, { date: '2026-11-24' });
    await runEtl(workspace, { date: '2026-11-24' });
    expect(await rows('SELECT event_date::VARCHAR AS d, sum(transactions)::BIGINT AS n FROM wh_daily GROUP BY ALL ORDER BY d')).toEqual([{ d: '2026-11-24', n: 300 }]);
    const backfill = await runEtl(workspace, { from: '2026-11-24', to: '2026-11-25' });
    expect(backfill.runs[0]!.partitions.map((partition) => [partition.date, partition.status])).toEqual([['2026-11-24', 'succeeded'], ['2026-11-25', 'succeeded']]);
    expect(await rows('SELECT event_date::VARCHAR AS d, sum(transactions)::BIGINT AS n FROM wh_daily GROUP BY ALL ORDER BY d')).toEqual([{ d: '2026-11-24', n: 300 }, { d: '2026-11-25', n: 200 }]);
    const snapshot = await readLatestSnapshot(new LakeLayout(workspace.lakeRoot));
    expect(snapshot.files.filter((file) => file.table === 'wh_daily').map((file) => file.partition.event_date).sort()).toEqual(['2026-11-24', '2026-11-25']);
    expect(snapshot.tables?.wh_daily).toMatchObject({ kind: 'warehouse', owner: 'p_daily.daily_tx', partitionColumn: 'event_date' });
  });
});

describe('concurrent runs', () => {
  it('two runs of one pipeline at once: one commits, the other is refused (LAKE_BUSY) instead of doubling rows', async () => {
    await pipelines(`  - name: p_race\n    steps:\n      - { name: race, sql: "SELECT account_id, count(*) AS n FROM transactions GROUP BY 1", load: { table: wh_race, mode: append } }\n      - { name: race_total, sql: "SELECT count(*) AS n FROM transactions", load: { table: wh_race_total, mode: replace } }`);
    // Both runs wait a second after their first step, so each has read the lake before either commits.
    process.env.ANALYTICS_ETL_TEST_PAUSE = 'race:1000';
    let runs: Awaited<ReturnType<typeof runEtl>>[];
    try {
      runs = await Promise.all([runEtl(workspace, {}), runEtl(workspace, {})]);
    } finally {
      delete process.env.ANALYTICS_ETL_TEST_PAUSE;
    }
    const [first, second] = runs as [Awaited<ReturnType<typeof runEtl>>, Awaited<ReturnType<typeof runEtl>>];
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual(['failed', 'succeeded']);
    const failed = first.status === 'failed' ? first : second;
    expect(failed.error).toMatchObject({ code: 'LAKE_BUSY' });
    expect(failed.error?.message).toMatch(/pipeline p_race: another run changed wh_race_total while this one ran; nothing was committed/);
    expect(await rows('SELECT count(*) AS n FROM wh_race_total')).toEqual([{ n: 1 }]);
    expect(await rows('SELECT count(*) AS n FROM wh_race')).toEqual([{ n: 300 }]); // 300 accounts, appended once
  });
});

describe('--select', () => {
  it('runs only the selected step; an unselected upstream load step is read as last committed', async () => {
    await pipelines(`  - name: p_select
    steps:
      - { name: source_rows, files: data/select.csv, load: { table: wh_select_source } }
      - { name: doubled, sql: "SELECT id, value * 2 AS value FROM source_rows", load: { table: wh_select_doubled } }`);
    await csv('select.csv', ['id,value', '1,10']);
    await runEtl(workspace, {});
    await csv('select.csv', ['id,value', '1,10', '2,20']);
    const result = await runEtl(workspace, { select: ['doubled'] });
    expect(result.runs[0]!.partitions[0]!.steps.map((step) => step.name)).toEqual(['doubled']);
    expect(await rows('SELECT count(*) AS n FROM wh_select_source')).toEqual([{ n: 1 }]);
    expect(await rows('SELECT id, value FROM wh_select_doubled')).toEqual([{ id: 1, value: 20 }]);
    await runEtl(workspace, { select: ['source_rows+'] });
    expect(await rows('SELECT id, value FROM wh_select_doubled ORDER BY id')).toEqual([{ id: 1, value: 20 }, { id: 2, value: 40 }]);
  });
});
