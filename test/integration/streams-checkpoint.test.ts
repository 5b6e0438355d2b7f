/**
 * Checkpoints every `checkpoint_interval`, not every batch: batches in between record only their
 * ids, and a process without the state in memory rebuilds it from the last checkpoint and those
 * batches' events in the lake. Each `ingestFiles` call below opens its own runner, as a restarted
 * process would, so every batch after the first goes through that rebuild. The results must equal
 * those of a workspace that writes the whole state with every batch (`0s`), and which advances
 * each batch at once where the other advances it in slices.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../src/analytics/query.js';
import { LakeLayout } from '../../src/lake/layout.js';
import { readLatestSnapshot } from '../../src/lake/snapshot.js';
import { compactWorkspaceLake, retainWorkspaceLake } from '../../src/lake/upkeep/service.js';
import { ingestFiles } from '../../src/pipelines/ingest/file-ingest.js';
import { STATE_DIR } from '../../src/streams/runner.js';
import { streamsSourceOf } from '../../src/streams/streams-source.js';
import { openWorkspace, type Workspace } from '../../src/workspace/workspace.js';
import { canonicalRows, writeStreamTraffic } from '../support/stream-traffic.js';
import { tempWorkspace } from '../support/workspace.js';

const JOBS = ['tx_per_minute', 'merchant_decline_rate', 'fraud_joined', 'failed_logins_then_large_tx', 'notification_latency'];

type Temp = Awaited<ReturnType<typeof tempWorkspace>>;

async function withInterval(temp: Temp, interval: string): Promise<Workspace> {
  const file = path.join(temp.dir, 'streams.yaml');
  const text = await fs.readFile(file, 'utf8');
  expect(text).toMatch(/^checkpoint_interval: 10s$/m);
  await fs.writeFile(file, text.replace(/^checkpoint_interval: 10s$/m, `checkpoint_interval: ${interval}`));
  return openWorkspace({ workspace: temp.dir });
}

async function jobRows(workspace: Workspace, job: string): Promise<string[]> {
  return canonicalRows((await runQuery(workspace, `SELECT * FROM ${job}`)).rows, ['batch_id']);
}

describe('stream state checkpoints between batches', () => {
  let everyBatch: Temp;
  let interval: Temp;
  let files: string[];

  beforeAll(async () => {
    everyBatch = await tempWorkspace('analytics-test-', { streams: true });
    interval = await tempWorkspace('analytics-test-', { streams: true });
    ({ files } = await writeStreamTraffic(everyBatch.dir, { seed: 21, count: 9_000, start: '2026-11-24T08:00:00Z', end: '2026-11-24T11:00:00Z', parts: 6, lateShare: 0.02 }));
  });
  afterAll(async () => {
    await everyBatch.cleanup();
    await interval.cleanup();
  });

  /** The first `lines` events of `file` with new ids (`<prefix>-…`), as `<prefix>.ndjson` in the second workspace. */
  async function freshCopy(file: string, prefix: string, lines: number): Promise<string> {
    const copy = path.join(interval.dir, `${prefix}.ndjson`);
    const head = (await fs.readFile(file, 'utf8')).split('\n').slice(0, lines).join('\n');
    await fs.writeFile(copy, head.replaceAll('"id":"', `"id":"${prefix}-`));
    return copy;
  }

  it('rebuilds the state from the last checkpoint and the batches since, with the same results', { timeout: 120_000 }, async () => {
    const full = await withInterval(everyBatch, '0s');
    const sparse = await withInterval(interval, '1h');
    for (const file of files) {
      await ingestFiles(full, { paths: [file], maxErrors: -1 });
      // The sparse side also advances in small slices of event time (event-slices.ts), live and
      // when rebuilding; the full side takes each batch (about 1,500 events) at once.
      process.env.ANALYTICS_STREAM_SLICE_EVENTS = '200';
      try {
        await ingestFiles(sparse, { paths: [file], maxErrors: -1 });
      } finally {
        delete process.env.ANALYTICS_STREAM_SLICE_EVENTS;
      }
    }
    const fullSource = streamsSourceOf(await readLatestSnapshot(new LakeLayout(full.lakeRoot)))!;
    const sparseSource = streamsSourceOf(await readLatestSnapshot(new LakeLayout(sparse.lakeRoot)))!;
    expect(fullSource.since).toEqual([]);
    // The first batch wrote the only checkpoint; the other five were taken in by rebuilding.
    expect(sparseSource.since?.map((entry) => entry.batch_id)).toHaveLength(files.length - 1);
    expect(sparseSource.since?.every((entry) => Object.values(entry.types).reduce((sum, count) => sum + count, 0) > 0)).toBe(true);
    expect(await fs.readdir(path.join(sparse.lakeRoot, STATE_DIR))).toEqual([path.basename(sparseSource.state)]);
    for (const job of JOBS) {
      const expected = await jobRows(full, job);
      expect(expected.length, job).toBeGreaterThan(0);
      expect(await jobRows(sparse, job), job).toEqual(expected);
    }
  });

  it('lake retention keeps the files the state is rebuilt from', { timeout: 60_000 }, async () => {
    const sparse = await openWorkspace({ workspace: interval.dir });
    const layout = new LakeLayout(sparse.lakeRoot);
    const before = await readLatestSnapshot(layout);
    const source = streamsSourceOf(before)!;
    const needed = before.files.filter((file) => file.addedIn > source.state_version!);
    expect(needed.length).toBeGreaterThan(0);
    sparse.config.lake.retention = Object.fromEntries(['transactions', 'fraud_detections', 'security_alerts', 'notifications'].map((table) => [table, 1]));
    const result = await retainWorkspaceLake(sparse, { now: new Date('2030-01-01T00:00:00Z') });
    // Only the checkpoint's own batch is old enough to go; the batches since stay.
    expect(result.dropped.length).toBeGreaterThan(0);
    const after = await readLatestSnapshot(layout);
    for (const file of needed) expect(after.files.map((kept) => kept.path)).toContain(file.path);
    // A restart rebuilds the state from them and goes on.
    const more = await freshCopy(files[1]!, 'more', 40);
    const summary = await ingestFiles(sparse, { paths: [more], maxErrors: -1 });
    expect(summary.failures).toEqual([]);
    expect(summary.stored).toBeGreaterThan(0);
  });

  it('a job removed from streams.yaml between a checkpoint and a restart: the others are rebuilt and go on', { timeout: 60_000 }, async () => {
    const file = path.join(interval.dir, 'streams.yaml');
    const text = await fs.readFile(file, 'utf8');
    // notification_latency is the last job and the only one that reads notifications.
    await fs.writeFile(file, text.slice(0, text.indexOf('  - name: notification_latency')));
    const fewer = await openWorkspace({ workspace: interval.dir });
    const source = streamsSourceOf(await readLatestSnapshot(new LakeLayout(fewer.lakeRoot)))!;
    expect(source.since?.some((entry) => (entry.types.notification ?? 0) > 0)).toBe(true);
    const next = await freshCopy(files[2]!, 'next', 40);
    const summary = await ingestFiles(fewer, { paths: [next], maxErrors: -1 });
    expect(summary.failures).toEqual([]);
    expect(summary.stored).toBeGreaterThan(0);
  });

  it('refuses to go on when the lake no longer holds the events of a batch since the checkpoint', { timeout: 60_000 }, async () => {
    const sparse = await openWorkspace({ workspace: interval.dir });
    const layout = new LakeLayout(sparse.lakeRoot);
    const snapshot = await readLatestSnapshot(layout);
    const source = streamsSourceOf(snapshot)!;
    // The batch's transactions file is gone from the lake (as a careless retention would do).
    const victim = snapshot.files.find((file) => file.table === 'transactions' && file.addedIn > source.state_version!)!;
    await fs.rm(layout.resolve(victim.path));
    const snapshotFile = layout.snapshotFile(snapshot.version);
    const text = await fs.readFile(snapshotFile, 'utf8');
    await fs.writeFile(snapshotFile, JSON.stringify({ ...JSON.parse(text), files: snapshot.files.filter((file) => file !== victim) }));
    const again = await freshCopy(files[0]!, 'again', 50);
    const summary = await ingestFiles(sparse, { paths: [again], maxErrors: -1 });
    expect(summary.stored).toBe(0);
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0]).toMatchObject({ code: 'LAKE_CORRUPT' });
    expect(summary.failures[0]!.message).toMatch(/stream state cannot be rebuilt: batch \S+ gave the stream jobs \d+ transaction events, and the lake now holds \d+ of them/);
    expect((await readLatestSnapshot(layout)).version).toBe(snapshot.version);
  });
});

describe('rebuilding the stream state after a compaction', () => {
  let full: Temp;
  let sparse: Temp;
  beforeAll(async () => {
    full = await tempWorkspace('analytics-test-', { streams: true });
    sparse = await tempWorkspace('analytics-test-', { streams: true });
  });
  afterAll(async () => {
    await full.cleanup();
    await sparse.cleanup();
  });

  it('reads the batches since the checkpoint from the compacted files, with the same results', { timeout: 120_000 }, async () => {
    const { files } = await writeStreamTraffic(full.dir, { seed: 22, count: 6_000, start: '2026-11-24T08:00:00Z', end: '2026-11-24T10:00:00Z', parts: 4, lateShare: 0.02 });
    const everyBatch = await withInterval(full, '0s');
    const rebuilt = await withInterval(sparse, '1h');
    for (const file of files.slice(0, 3)) {
      await ingestFiles(everyBatch, { paths: [file], maxErrors: -1 });
      await ingestFiles(rebuilt, { paths: [file], maxErrors: -1 });
    }
    // The batches since the checkpoint now live in compacted files, not in files named after them.
    const layout = new LakeLayout(rebuilt.lakeRoot);
    const source = streamsSourceOf(await readLatestSnapshot(layout))!;
    expect(source.since).toHaveLength(2);
    await compactWorkspaceLake(rebuilt);
    const compacted = (await readLatestSnapshot(layout)).files.filter((file) => file.table === 'transactions' && file.addedIn > source.state_version!);
    expect(compacted.length).toBeGreaterThan(0);
    expect(compacted.some((file) => path.basename(file.path).startsWith('part-compact-'))).toBe(true);

    await ingestFiles(everyBatch, { paths: [files[3]!], maxErrors: -1 });
    const summary = await ingestFiles(rebuilt, { paths: [files[3]!], maxErrors: -1 });
    expect(summary.failures).toEqual([]);
    for (const job of JOBS) {
      const expected = await jobRows(everyBatch, job);
      expect(expected.length, job).toBeGreaterThan(0);
      expect(await jobRows(rebuilt, job), job).toEqual(expected);
    }
  });
});
