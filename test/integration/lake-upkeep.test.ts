/**
 * Lake upkeep through the library: compaction changes no result and never breaks a reader of an
 * older snapshot; vacuum deletes only what no kept snapshot lists, after the grace period;
 * retention drops whole old partitions; a dry run changes nothing.
 */
import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLakeReader, runQuery } from '../../src/analytics/query.js';
import { LakeLayout } from '../../src/lake/layout.js';
import { readLatestSnapshot } from '../../src/lake/snapshot.js';
import { compactWorkspaceLake, retainWorkspaceLake, vacuumWorkspaceLake, workspaceLakeInfo } from '../../src/lake/upkeep/service.js';
import { ingestFiles } from '../../src/pipelines/ingest/file-ingest.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { writeTransactions } from '../support/sample-events.js';
import { tempWorkspace } from '../support/workspace.js';

const FINGERPRINT = `SELECT count(*) AS n, sum(amount) AS amount, sum(hash(id)) AS ids, min(occurred_at) AS first, max(occurred_at) AS last FROM transactions`;

describe('lake upkeep', () => {
  let dir: string;
  let workspace: Workspace;
  let cleanup: () => Promise<void>;
  let layout: LakeLayout;

  beforeAll(async () => {
    ({ dir, workspace, cleanup } = await tempWorkspace());
    layout = new LakeLayout(workspace.lakeRoot);
    // Five small batches on one day and one on an old day: six files.
    for (let batch = 0; batch < 5; batch++) {
      const file = await writeTransactions(path.join(dir, `b${batch}.ndjson`), 200, { idPrefix: `b${batch}`, day: '2026-11-24', offset: batch * 200 });
      await ingestFiles(workspace, { paths: [file], cwd: dir });
    }
    const old = await writeTransactions(path.join(dir, 'old.ndjson'), 50, { idPrefix: 'old', day: '2020-01-01' });
    await ingestFiles(workspace, { paths: [old], cwd: dir });
  });
  afterAll(() => cleanup());

  it('lake info counts files, rows and the event-time span per table', async () => {
    const info = await workspaceLakeInfo(workspace);
    const transactions = info.tables.find((table) => table.table === 'transactions')!;
    expect(transactions).toMatchObject({ partitions: 2, files: 6, rows: 1050, oldest: '2020-01-01T00:00:00.000Z' });
    expect(info.tables.map((table) => table.table)).toContain('dead_letters');
  });

  it('compaction merges a partition into one sorted file with identical results, and old readers keep working', async () => {
    const before = (await runQuery(workspace, FINGERPRINT)).rows;
    const oldReader = await openLakeReader(workspace);
    const dry = await compactWorkspaceLake(workspace, { dryRun: true });
    expect(dry.partitions).toEqual([expect.objectContaining({ table: 'transactions', filesBefore: 5, rows: 1000 })]);
    expect((await readLatestSnapshot(layout)).files.filter((file) => file.table === 'transactions')).toHaveLength(6);

    const result = await compactWorkspaceLake(workspace);
    expect(result.snapshotVersion).not.toBeNull();
    const files = (await readLatestSnapshot(layout)).files.filter((file) => file.table === 'transactions');
    expect(files).toHaveLength(2);
    expect((await runQuery(workspace, FINGERPRINT)).rows).toEqual(before);
    const sorted = await runQuery(workspace, `SELECT count(*) AS unsorted FROM (SELECT occurred_at < lag(occurred_at) OVER () AS back FROM read_parquet('${layout.resolve(files.find((file) => file.partition.event_date === '2026-11-24')!.path)}')) WHERE back`);
    expect(sorted.rows).toEqual([{ unsorted: 0 }]);
    // A reader that opened the lake before the compaction still reads its snapshot.
    try {
      expect(await oldReader.engine.rows(FINGERPRINT)).toEqual(before);
    } finally {
      oldReader.engine.close();
    }
  });

  it('vacuum keeps files any kept snapshot lists and deletes the rest only after the grace period', async () => {
    // Older snapshots still list the pre-compaction files, so nothing referenced goes.
    const orphan = path.join(layout.tableDir('transactions'), 'event_date=2026-11-24', 'part-crashed-0.parquet');
    await writeFile(orphan, 'partial');
    const staging = path.join(layout.stagingDir, 'crashed-batch');
    await mkdir(staging, { recursive: true });
    await writeFile(path.join(staging, 'x.parquet'), 'partial');
    expect((await vacuumWorkspaceLake(workspace)).deleted).toEqual([]); // younger than 60 minutes
    const hourAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(orphan, hourAgo, hourAgo);
    await utimes(path.join(staging, 'x.parquet'), hourAgo, hourAgo);
    await utimes(staging, hourAgo, hourAgo);
    const dry = await vacuumWorkspaceLake(workspace, { dryRun: true });
    expect(dry.deleted.map((item) => item.why).sort()).toEqual(['staging', 'unreferenced']);
    expect(existsSync(orphan)).toBe(true);
    await vacuumWorkspaceLake(workspace);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(staging)).toBe(false);
    const snapshot = await readLatestSnapshot(layout);
    for (const file of snapshot.files) expect(existsSync(layout.resolve(file.path))).toBe(true);
    expect((await runQuery(workspace, 'SELECT count(*) AS n FROM transactions')).rows).toEqual([{ n: 1050 }]);
  });

  it('retention drops whole partitions older than the policy; a dry run changes nothing', async () => {
    workspace.config.lake.retention = { transactions: 365 };
    const now = new Date('2026-11-25T00:00:00Z');
    const dry = await retainWorkspaceLake(workspace, { dryRun: true, now });
    expect(dry.dropped).toEqual([{ table: 'transactions', partition: 'event_date=2020-01-01', files: 1, rows: 50 }]);
    expect((await runQuery(workspace, 'SELECT count(*) AS n FROM transactions')).rows).toEqual([{ n: 1050 }]);
    await retainWorkspaceLake(workspace, { now });
    expect((await runQuery(workspace, 'SELECT count(*) AS n, min(event_date) AS first FROM transactions')).rows).toEqual([{ n: 1000, first: '2026-11-24' }]);
  });
});
