/**
 * De-duplication against the lake: a duplicate is a record with the `id` and `occurred_at` of one
 * already stored, and a batch reads only the stored files whose event-time range (recorded in the
 * snapshot) overlaps its own, not every file of the day.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runQuery } from '../../src/analytics/query.js';
import { LakeLayout } from '../../src/lake/layout.js';
import { readLatestSnapshot } from '../../src/lake/snapshot.js';
import { ingestFiles } from '../../src/pipelines/ingest/file-ingest.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { toNdjson, transactionEvent, type TestEvent } from '../support/events.js';
import { tempWorkspace } from '../support/workspace.js';

/** A transaction at a given UTC time of 2026-11-25. */
function transactionAt(id: string, time: string): TestEvent {
  return { ...transactionEvent(id), occurred_at: `2026-11-25T${time}Z` };
}

describe('de-duplication against the lake', () => {
  let dir: string;
  let workspace: Workspace;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, workspace, cleanup } = await tempWorkspace('dedup-'));
  });
  afterEach(async () => {
    await cleanup();
  });

  async function ingest(name: string, events: TestEvent[]) {
    const file = path.join(dir, name);
    await writeFile(file, toNdjson(events));
    const summary = await ingestFiles(workspace, { paths: [file], maxErrors: -1 });
    expect(summary.failures).toEqual([]);
    return summary;
  }

  it('drops a record with a stored id and time; keeps one with a stored id at another time', async () => {
    await ingest('first.ndjson', [transactionAt('a', '08:00:00.000'), transactionAt('b', '08:00:01.000')]);
    // Both paths: the second file is clean (fast path), the third mixed with a bad record (general path).
    const again = await ingest('again.ndjson', [transactionAt('a', '08:00:00.000'), transactionAt('b', '09:30:00.000'), transactionAt('c', '08:00:02.000')]);
    expect(again).toMatchObject({ read: 3, stored: 2, duplicates: 1 });
    const mixed = await ingest('mixed.ndjson', [transactionAt('b', '08:00:01.000'), transactionAt('a', '10:00:00.000'), { ...transactionAt('x', '08:00:03.000'), version: 0 }]);
    expect(mixed).toMatchObject({ read: 3, stored: 1, duplicates: 1, rejected: 1 });
    // Within one batch too: the same id and time once, the same id at another time kept.
    const inBatch = await ingest('in-batch.ndjson', [transactionAt('d', '11:00:00.000'), transactionAt('d', '11:00:00.000'), transactionAt('d', '11:00:05.000')]);
    expect(inBatch).toMatchObject({ read: 3, stored: 2, duplicates: 1 });
    const rows = (await runQuery(workspace, `SELECT id, strftime(occurred_at, '%H:%M:%S') AS at FROM transactions ORDER BY id, occurred_at`)).rows;
    expect(rows).toEqual([
      { id: 'a', at: '08:00:00' }, { id: 'a', at: '10:00:00' },
      { id: 'b', at: '08:00:01' }, { id: 'b', at: '09:30:00' },
      { id: 'c', at: '08:00:02' },
      { id: 'd', at: '11:00:00' }, { id: 'd', at: '11:00:05' },
    ]);
  });

  it('records each event file\'s time range, and reads only the stored files that overlap the batch\'s', async () => {
    await ingest('morning.ndjson', [transactionAt('m1', '06:00:00.000'), transactionAt('m2', '06:30:00.000')]);
    await ingest('noon.ndjson', [transactionAt('n1', '12:00:00.000'), transactionAt('n2', '12:10:00.000')]);
    const snapshot = await readLatestSnapshot(new LakeLayout(workspace.lakeRoot));
    const files = snapshot.files.filter((file) => file.table === 'transactions');
    expect(files.map((file) => [file.minTime, file.maxTime])).toEqual([
      ['2026-11-25T06:00:00.000000Z', '2026-11-25T06:30:00.000000Z'],
      ['2026-11-25T12:00:00.000000Z', '2026-11-25T12:10:00.000000Z'],
    ]);
    // The morning's file made unreadable: a batch of the evening does not touch it…
    const morning = path.join(workspace.lakeRoot, files[0]!.path);
    await writeFile(morning, 'not parquet');
    const evening = await ingest('evening.ndjson', [transactionAt('e1', '18:00:00.000'), transactionAt('n1', '12:00:00.000'), transactionAt('e2', '18:05:00.000')]);
    expect(evening).toMatchObject({ stored: 2, duplicates: 1 });
    // …and one whose time range reaches into the morning reads it (and fails on it).
    const file = path.join(dir, 'early.ndjson');
    await writeFile(file, toNdjson([transactionAt('e3', '06:10:00.000')]));
    await expect(ingestFiles(workspace, { paths: [file], maxErrors: -1 })).rejects.toThrow();
  });
});
