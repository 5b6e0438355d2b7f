/**
 * Several files in one `ingest file` run: file n + 1 is read and validated on a second DuckDB
 * connection while file n commits. The files still commit one at a time and in order, so a file
 * that repeats the one before it stores nothing new; a file that cannot be read fails alone; and
 * progress reports one file at a time, in order, even though the next file started early.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../src/analytics/query.js';
import { ingestFiles, type IngestProgress } from '../../src/pipelines/ingest/file-ingest.js';
import { generateToOutput } from '../../src/pipelines/synthetic-data.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { tempWorkspace } from '../support/workspace.js';

describe('file ingest of several files', () => {
  let own: { dir: string; workspace: Workspace; cleanup: () => Promise<void> };

  beforeAll(async () => {
    own = await tempWorkspace('analytics-several-', { streams: true });
  });

  afterAll(async () => {
    await own.cleanup();
  });

  it('commits in order (a repeat of the previous file is all duplicates), fails an unreadable file alone, and reports progress file by file', async () => {
    // Given: a.ndjson; b.parquet, which is not Parquet; c.ndjson = a's events plus new ones; d.ndjson, new events only
    const a = path.join(own.dir, 'a.ndjson');
    const fresh = path.join(own.dir, 'fresh.ndjson');
    const d = path.join(own.dir, 'd.ndjson');
    await generateToOutput({ seed: 11, count: 3_000, start: new Date('2026-11-20T00:00:00Z'), end: new Date('2026-11-20T06:00:00Z') }, { format: 'ndjson', out: a });
    await generateToOutput({ seed: 12, count: 2_000, start: new Date('2026-11-20T06:00:00Z'), end: new Date('2026-11-20T12:00:00Z') }, { format: 'ndjson', out: fresh });
    await generateToOutput({ seed: 13, count: 1_000, start: new Date('2026-11-20T12:00:00Z'), end: new Date('2026-11-20T18:00:00Z') }, { format: 'ndjson', out: d });
    const c = path.join(own.dir, 'c.ndjson');
    await writeFile(c, (await readFile(a, 'utf8')) + (await readFile(fresh, 'utf8')));
    const b = path.join(own.dir, 'b.parquet');
    await writeFile(b, 'not a parquet file\n');
    const events: IngestProgress[] = [];

    // When the four files are ingested in one run
    const summary = await ingestFiles(own.workspace, { paths: [a, b, c, d], cwd: own.dir, maxErrors: -1, onProgress: (event) => events.push(event) });

    // Then a, c and d are stored; c's copy of a is all duplicates; b failed alone
    expect(summary.files.map((file) => path.basename(file.label))).toEqual(['a.ndjson', 'c.ndjson', 'd.ndjson']);
    expect(summary.failures.map((failure) => [path.basename(failure.label), failure.code])).toEqual([['b.parquet', 'INPUT_UNREADABLE']]);
    const [fileA, fileC, fileD] = summary.files;
    expect(fileA!.read).toBe(3_000);
    expect(fileC!.read).toBe(5_000);
    expect(fileC!.duplicates).toBe(3_000 - fileA!.rejected - fileA!.duplicates);
    expect(fileD!.duplicates).toBe(0);
    for (const file of summary.files) expect(file.stored + file.rejected + file.duplicates).toBe(file.read);
    // Snapshots in file order: each commit builds on the one before.
    expect(fileA!.snapshotVersion).toBeLessThan(fileC!.snapshotVersion);
    expect(fileC!.snapshotVersion).toBeLessThan(fileD!.snapshotVersion);
    const stored = await runQuery(own.workspace, `SELECT
      (SELECT count(*) FROM transactions) + (SELECT count(*) FROM fraud_detections) + (SELECT count(*) FROM security_alerts) + (SELECT count(*) FROM notifications) AS events,
      (SELECT count(DISTINCT id) FROM transactions) + (SELECT count(DISTINCT id) FROM fraud_detections) + (SELECT count(DISTINCT id) FROM security_alerts) + (SELECT count(DISTINCT id) FROM notifications) AS distinct_ids`);
    expect(stored.rows[0]).toEqual({ events: summary.stored, distinct_ids: summary.stored });

    // And progress comes file by file: every event of file n before any of file n + 1
    const indexOf = (event: IngestProgress) => ('index' in event ? event.index : [a, b, c, d].findIndex((file) => file === event.label || path.basename(file) === path.basename(event.label)));
    const order = events.map(indexOf);
    expect(order).toEqual([...order].sort((x, y) => x - y));
    // (b fails while its format is being read, before it starts)
    expect(events.filter((event) => event.kind === 'file-start').map((event) => event.kind === 'file-start' && event.index)).toEqual([0, 2, 3]);
    expect(events.filter((event) => event.kind === 'file-done' || event.kind === 'file-failed').map((event) => event.kind)).toEqual(['file-done', 'file-failed', 'file-done', 'file-done']);
  });
});
