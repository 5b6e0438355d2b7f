/**
 * Memory of the lake writes: a table's rows are written sorted by time, one partition at a time.
 * DuckDB's partitioned COPY of a sorted SELECT held the whole sorted result in memory; this file
 * (200,000 transactions out of time order, so the fast path rewrites them sorted) failed with
 * "Out of Memory Error" under a 96MB limit, and a mixed file of a million events under the
 * scaffold's 512MB.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../src/analytics/query.js';
import { ingestFiles, type IngestSummary } from '../../src/pipelines/ingest/file-ingest.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { writeTransactions } from '../support/sample-events.js';
import { tempWorkspace } from '../support/workspace.js';

const EVENTS = 200_000;

describe('lake writes under a small memory limit', () => {
  let workspace: Workspace;
  let cleanup: () => Promise<void>;
  let summary: IngestSummary;

  beforeAll(async () => {
    let dir: string;
    ({ dir, workspace, cleanup } = await tempWorkspace());
    workspace.config.engine.memory_limit = '96MB';
    // Event times wrap around the day every 86,400 events: the file is not in time order.
    const file = await writeTransactions(path.join(dir, 'tx.ndjson'), EVENTS, { day: '2026-11-24' });
    summary = await ingestFiles(workspace, { paths: [file], cwd: dir });
  }, 120_000);
  afterAll(() => cleanup());

  it('stores every event, rewritten in time order', async () => {
    expect(summary.failures).toEqual([]);
    expect(summary.files[0]!.fastPath).toMatchObject([{ table: 'transactions', rewritten: true }]);
    const stored = await runQuery(workspace, 'SELECT count(*) AS n, count(DISTINCT id) AS ids FROM transactions');
    expect(stored.rows[0]).toEqual({ n: EVENTS, ids: EVENTS });
    const files = await runQuery(workspace, `SELECT count(*) AS n FROM (
      SELECT occurred_at < lag(occurred_at) OVER (PARTITION BY filename ORDER BY file_row_number) AS backwards
      FROM read_parquet('${workspace.lakeRoot}/transactions/*/*.parquet', filename = true, file_row_number = true)) WHERE backwards`);
    expect(files.rows[0]).toEqual({ n: 0 });
  });
});
