/**
 * The generator's ground truth against ingest, both real: every malformed record the generator
 * made is rejected (with its line), every re-send is counted as a duplicate, every good record
 * is stored once. Two independent pieces of code agreeing on every record.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../src/analytics/query.js';
import { ingestFiles, type IngestSummary } from '../../src/pipelines/ingest/file-ingest.js';
import { generateToOutput } from '../../src/pipelines/synthetic-data.js';
import type { GroundTruth } from '../../src/pipelines/generate/index.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { tempWorkspace } from '../support/workspace.js';
import { readFile } from 'node:fs/promises';

describe('generated events through file ingest', () => {
  let dir: string;
  let workspace: Workspace;
  let cleanup: () => Promise<void>;
  let truth: GroundTruth;
  let summary: IngestSummary;

  beforeAll(async () => {
    ({ dir, workspace, cleanup } = await tempWorkspace());
    const file = path.join(dir, 'events.ndjson');
    await generateToOutput(
      { seed: 7, count: 30_000, start: new Date('2026-11-24T00:00:00Z'), end: new Date('2026-11-25T00:00:00Z'), badRatio: 0.05, duplicateRatio: 0.01 },
      { format: 'ndjson', out: file, truthFile: path.join(dir, 'truth.json') },
    );
    truth = JSON.parse(await readFile(path.join(dir, 'truth.json'), 'utf8')) as GroundTruth;
    summary = await ingestFiles(workspace, { paths: [file], cwd: dir, maxErrors: -1 });
  });
  afterAll(() => cleanup());

  it('stores the good records, rejects the bad ones and drops the re-sends', () => {
    expect(summary.failures).toEqual([]);
    expect(summary.read).toBe(truth.counts.total);
    expect(summary.rejected).toBe(truth.counts.bad);
    expect(summary.duplicates).toBe(truth.counts.duplicates);
    expect(summary.stored).toBe(truth.counts.good);
  });

  it('dead-letters exactly the malformed lines, each with a reason', async () => {
    const result = await runQuery(workspace, `SELECT origin, reasons FROM dead_letters`);
    const lines = result.rows.map((row) => Number(String(row.origin).split(':').at(-1))).sort((a, b) => a - b);
    const expected = truth.badRecords.map((bad) => bad.index + 1).sort((a, b) => a - b);
    expect(lines).toEqual(expected);
    for (const row of result.rows) expect((row.reasons as string[]).length).toBeGreaterThan(0);
  });

  it('stores each type in its table, once per id', async () => {
    const result = await runQuery(workspace, `
      SELECT 'transaction' AS type, count(*) AS n, count(DISTINCT id) AS ids FROM transactions
      UNION ALL SELECT 'fraud_detection', count(*), count(DISTINCT id) FROM fraud_detections
      UNION ALL SELECT 'security_alert', count(*), count(DISTINCT id) FROM security_alerts
      UNION ALL SELECT 'notification', count(*), count(DISTINCT id) FROM notifications`);
    for (const row of result.rows) {
      const type = row.type as keyof GroundTruth['counts']['byType'];
      expect(row.n).toBe(truth.counts.byType[type]);
      expect(row.ids).toBe(row.n);
    }
  });

  it('enriches transactions: reporting amount, country name and region, category name, UTC date', async () => {
    const result = await runQuery(workspace, `
      SELECT count(*) FILTER (WHERE amount_reporting IS NULL) AS no_amount,
             count(*) FILTER (WHERE country_name IS NULL OR region IS NULL) AS no_country,
             count(*) FILTER (WHERE merchant_category IS NOT NULL AND merchant_category_name IS NULL) AS unknown_mcc,
             count(*) FILTER (WHERE lat IS NULL OR lon IS NULL) AS no_coordinates,
             count(*) FILTER (WHERE event_date <> CAST(occurred_at AS DATE)) AS wrong_date
      FROM transactions`);
    expect(result.rows[0]).toEqual({ no_amount: 0, no_country: 0, unknown_mcc: 0, no_coordinates: 0, wrong_date: 0 });
  });
});
