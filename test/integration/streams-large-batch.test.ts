/**
 * A file ingested as one batch can hold hundreds of thousands of events; the stream jobs must
 * take them in one go (they once spread the batch into a function call and overflowed the stack).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../src/analytics/query.js';
import { ingestFiles, type IngestSummary } from '../../src/pipelines/ingest/file-ingest.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { writeTransactions } from '../support/sample-events.js';
import { tempWorkspace } from '../support/workspace.js';

const EVENTS = 200_000;

describe('stream jobs on one large batch', () => {
  let workspace: Workspace;
  let cleanup: () => Promise<void>;
  let summary: IngestSummary;

  beforeAll(async () => {
    let dir: string;
    ({ dir, workspace, cleanup } = await tempWorkspace('analytics-test-', { streams: true }));
    const file = await writeTransactions(path.join(dir, 'tx.ndjson'), EVENTS, { day: '2026-11-24' });
    summary = await ingestFiles(workspace, { paths: [file], cwd: dir });
  }, 180_000);
  afterAll(() => cleanup());

  it('stores every event and counts each one in tx_per_minute', async () => {
    expect(summary.failures).toEqual([]);
    const stored = await runQuery(workspace, 'SELECT count(*) AS n FROM transactions');
    expect(Number(stored.rows[0]!.n)).toBe(EVENTS);
    // Windows past the watermark are emitted; with one batch, all but the last minute(s) of the day.
    const counted = await runQuery(workspace, 'SELECT sum(tx_count) AS n, count(*) AS windows FROM tx_per_minute');
    expect(Number(counted.rows[0]!.windows)).toBeGreaterThan(0);
    const late = await runQuery(workspace, "SELECT count(*) AS n FROM dead_letters WHERE stage IN ('late', 'future')");
    const emittedOrOpen = EVENTS - Number(late.rows[0]!.n);
    expect(Number(counted.rows[0]!.n)).toBeLessThanOrEqual(emittedOrOpen);
    // The events cover the whole day; only the last minutes' windows wait for a later watermark.
    expect(Number(counted.rows[0]!.n)).toBeGreaterThan(0.95 * EVENTS);
  });
});
