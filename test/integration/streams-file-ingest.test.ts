/**
 * The default stream jobs through real file ingest (one batch per file): every job's lake table
 * equals a replay from the lake with the same operators; refused events are dead letters of
 * stage late or future; the checkpoint is named by the snapshot that holds the results.
 */
import { derivedEventId } from '../../src/streams/pattern-operator.js';
import { existsSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../src/analytics/query.js';
import { LakeLayout } from '../../src/lake/layout.js';
import { readLatestSnapshot } from '../../src/lake/snapshot.js';
import { ingestFiles, type IngestSummary } from '../../src/pipelines/ingest/file-ingest.js';
import { compactWorkspaceLake, workspaceLakeInfo } from '../../src/lake/upkeep/service.js';
import { loadStreams } from '../../src/streams/config.js';
import { replayJob } from '../../src/streams/replay.js';
import { streamsSourceOf } from '../../src/streams/streams-source.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { canonicalRows, writeStreamTraffic } from '../support/stream-traffic.js';
import { tempWorkspace } from '../support/workspace.js';

const JOBS = ['tx_per_minute', 'merchant_decline_rate', 'fraud_joined', 'failed_logins_then_large_tx', 'notification_latency'];


describe('stream jobs in file ingest', () => {
  let dir: string;
  let workspace: Workspace;
  let cleanup: () => Promise<void>;
  let summary: IngestSummary;

  beforeAll(async () => {
    ({ dir, workspace, cleanup } = await tempWorkspace('analytics-test-', { streams: true }));
    // One more job: notifications joined to the event that caused them, by its envelope id.
    await appendFile(path.join(dir, 'streams.yaml'), `
  - name: notification_cause
    kind: join
    left: { type: notification, key: related_event_id, fields: [channel, template] }
    right: { type: transaction, key: id, fields: [amount_reporting] }
    within: 10m
`);
    const traffic = await writeStreamTraffic(dir, { seed: 5, count: 12_000, start: '2026-11-24T10:00:00Z', end: '2026-11-24T13:00:00Z', parts: 5 });
    // Live, each batch (about 2,400 events) is advanced in slices of event time (event-slices.ts);
    // replay below takes each batch at once, so "replay equals live" also checks the slicing.
    process.env.ANALYTICS_STREAM_SLICE_EVENTS = '300';
    try {
      summary = await ingestFiles(workspace, { paths: traffic.files, cwd: dir, maxErrors: -1 });
    } finally {
      delete process.env.ANALYTICS_STREAM_SLICE_EVENTS;
    }
  });
  afterAll(() => cleanup());

  it('ingests every file as its own batch', () => {
    expect(summary.failures).toEqual([]);
    expect(summary.files).toHaveLength(5);
  });

  it('writes one queryable lake table per job, with results', async () => {
    for (const job of JOBS) {
      const result = await runQuery(workspace, `SELECT count(*) AS n FROM ${job}`);
      expect(Number(result.rows[0]!.n), job).toBeGreaterThan(0);
    }
    const windows = await runQuery(workspace, `SELECT window_start, window_end, country, channel, tx_count, volume FROM tx_per_minute ORDER BY window_start LIMIT 1`);
    const row = windows.rows[0]!;
    expect(Date.parse(String(row.window_end)) - Date.parse(String(row.window_start))).toBe(60_000);
    const pattern = await runQuery(workspace, `SELECT id, match_key, type, version, source, occurred_at, started_at, event_ids FROM failed_logins_then_large_tx WHERE match_key = 'acc-takeover-1'`);
    expect(pattern.rows).toHaveLength(1);
    // A derived event: its own type, version 1, source stream:<job>, an id from job, key and start.
    expect(pattern.rows[0]).toMatchObject({ type: 'account_takeover_suspected', version: 1, source: 'stream:failed_logins_then_large_tx' });
    expect(pattern.rows[0]!.id).toBe(derivedEventId('failed_logins_then_large_tx', 'acc-takeover-1', { id: 'seq-5-alert-0', t: Date.parse(String(pattern.rows[0]!.started_at)) }));
    expect(pattern.rows[0]!.event_ids).toEqual(['seq-5-alert-0', 'seq-5-alert-1', 'seq-5-alert-2', 'seq-5-tx']);
    // The derived events are also queried under their type's name, like any event type.
    const derived = await runQuery(workspace, `SELECT id, type, version, source, occurred_at, match_key, started_at, event_ids FROM account_takeover_suspected ORDER BY id`);
    const all = await runQuery(workspace, `SELECT id, type, version, source, occurred_at, match_key, started_at, event_ids FROM failed_logins_then_large_tx ORDER BY id`);
    expect(derived.rows).toEqual(all.rows);
    expect(derived.rows.length).toBeGreaterThan(0);
  });

  it('dead-letters late events (stage late) and the future one (stage future), keeping them stored', async () => {
    const stages = await runQuery(workspace, `SELECT stage, count(*) AS n FROM dead_letters WHERE origin LIKE 'stream:%' GROUP BY stage`);
    const byStage = Object.fromEntries(stages.rows.map((row) => [row.stage, Number(row.n)]));
    expect(byStage.late).toBeGreaterThan(0);
    expect(byStage.future).toBeGreaterThan(0);
    const future = await runQuery(workspace, `SELECT count(*) AS n FROM transactions WHERE id = 'future-5'`);
    expect(Number(future.rows[0]!.n)).toBe(1);
  });

  it('names the checkpoint and the watermarks in the snapshot that holds the results', async () => {
    const snapshot = await readLatestSnapshot(new LakeLayout(workspace.lakeRoot));
    const source = streamsSourceOf(snapshot)!;
    expect(existsSync(path.join(workspace.lakeRoot, source.state))).toBe(true);
    for (const job of JOBS) expect(source.watermarks[job]).toMatch(/^2026-11-24T/);
    for (const job of JOBS) expect(snapshot.tables?.[job]?.kind).toBe('stream');
  });

  it('joins on an envelope field (notification.related_event_id = transaction.id)', async () => {
    const result = await runQuery(workspace, `SELECT count(*) AS n FROM notification_cause c JOIN transactions t ON t.id = c.right_id WHERE c.matched AND c.join_key = t.id`);
    expect(Number(result.rows[0]!.n)).toBeGreaterThan(0);
  });

  it('replay from the lake equals the live results of every job, revisions and batches included', async () => {
    const { compiled } = await loadStreams(workspace.root, workspace.registry, workspace.config.kafka);
    for (const job of [...JOBS, 'notification_cause']) {
      const live = await runQuery(workspace, `SELECT * FROM ${job}`);
      const replay = await replayJob(workspace.lakeRoot, workspace.registry, compiled, job);
      expect(replay.rows.length, job).toBe(live.rows.length);
      expect(canonicalRows(replay.rows), job).toEqual(canonicalRows(live.rows));
    }
  });

  it('replay of a time range equals the live rows of that range', async () => {
    const { compiled } = await loadStreams(workspace.root, workspace.registry, workspace.config.kafka);
    const from = new Date('2026-11-24T11:00:00Z');
    const to = new Date('2026-11-24T11:30:00Z');
    const live = await runQuery(workspace, `SELECT * FROM merchant_decline_rate WHERE window_start >= '2026-11-24T11:00:00Z' AND window_start < '2026-11-24T11:30:00Z'`);
    const replay = await replayJob(workspace.lakeRoot, workspace.registry, compiled, 'merchant_decline_rate', { from, to });
    expect(live.rows.length).toBeGreaterThan(0);
    expect(canonicalRows(replay.rows)).toEqual(canonicalRows(live.rows));
  });

  it('lake info spans the stream tables by their own time columns, and compaction keeps their rows', async () => {
    const info = await workspaceLakeInfo(workspace);
    const windows = info.tables.find((table) => table.table === 'tx_per_minute')!;
    expect(windows.files).toBe(5);
    expect(windows.oldest).toMatch(/^2026-11-24T10:/);
    const before = await Promise.all(JOBS.map(async (job) => canonicalRows((await runQuery(workspace, `SELECT * FROM ${job}`)).rows)));
    await compactWorkspaceLake(workspace);
    const after = await Promise.all(JOBS.map(async (job) => canonicalRows((await runQuery(workspace, `SELECT * FROM ${job}`)).rows)));
    expect(after).toEqual(before);
    expect((await workspaceLakeInfo(workspace)).tables.find((table) => table.table === 'tx_per_minute')!.files).toBe(1);
  });
});
