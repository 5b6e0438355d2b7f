/**
 * The Kafka daemon's lake side without a broker: message decoding, offsets in snapshot
 * `sources` (merge, fencing, anchors) and a batch of messages written with its offsets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/duckdb/engine.js';
import { LakeLayout } from '../../../src/lake/layout.js';
import { readLatestSnapshot } from '../../../src/lake/snapshot.js';
import { loadReferenceTables } from '../../../src/pipelines/ingest/reference-tables.js';
import { decodeMessages, MAX_VALUE_BYTES, messageOrigin, prepareLakeBatch, writeLakeBatch, type KafkaMessage, type LakeBatchContext, type TableHint } from '../../../src/pipelines/kafka/lake-batch.js';
import { RateMeter } from '../../../src/pipelines/kafka/metrics.js';
import { anchorOffsets, committedOffsets, mergeOffsets, OffsetConflictError, readLakeOffsets } from '../../../src/pipelines/kafka/offsets.js';
import { notificationEvent, transactionEvent } from '../../support/events.js';
import { tempWorkspace } from '../../support/workspace.js';
import type { Workspace } from '../../../src/workspace/workspace.js';

const message = (offset: number, value: Buffer | string | null, partition = 0, topic = 'transactions'): KafkaMessage => ({
  topic, partition, offset, value: typeof value === 'string' ? Buffer.from(value) : value,
});

describe('decodeMessages', () => {
  it('passes UTF-8 values on to SQL and rejects what SQL cannot take, with the reason', () => {
    const { records, rejects } = decodeMessages([
      message(0, '{"id":"a"}'),
      message(1, null),
      message(2, Buffer.alloc(0)),
      message(3, Buffer.alloc(MAX_VALUE_BYTES + 1, 'x')),
      message(4, Buffer.from([0x7b, 0x22, 0x61, 0xc3, 0x28, 0x22, 0x7d])),
      message(5, 'not json but text'),
      message(6, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"id":"bom"}')])),
    ]);
    // Records stay bytes (decoded by DuckDB); a byte order mark is dropped, as TextDecoder does.
    expect(records.map((record) => [messageOrigin(record.message), record.bytes.toString('utf8')])).toEqual([
      ['transactions/0@0', '{"id":"a"}'],
      ['transactions/0@5', 'not json but text'],
      ['transactions/0@6', '{"id":"bom"}'],
    ]);
    expect(rejects.map((r) => [r.origin, r.reason.split(':')[0]])).toEqual([
      ['transactions/0@1', 'empty message'],
      ['transactions/0@2', 'empty message'],
      ['transactions/0@3', 'message too large'],
      ['transactions/0@4', 'not UTF-8'],
    ]);
    expect(rejects[2]!.raw).toHaveLength(64 * 1024);
    expect(rejects[3]!.reason).toMatch(/at byte [34]\b/);
    expect(rejects[3]!.raw).toContain('\uFFFD');
  });
});

describe('offsets in snapshot sources', () => {
  const sources = { kafka: { g: { t: { '0': 10, '1': 5 } }, other: { t: { '0': 99 } } } };

  it('merges the larger offset per partition and leaves other groups alone', () => {
    const merged = mergeOffsets(sources, 'g', new Map([['t/0', 8], ['t/1', 7], ['u/2', 3]]));
    expect(merged.kafka).toEqual({ g: { t: { '0': 10, '1': 7 }, u: { '2': 3 } }, other: { t: { '0': 99 } } });
    expect(committedOffsets(merged, 'g')).toEqual(new Map([['t/0', 10], ['t/1', 7], ['u/2', 3]]));
    expect(sources.kafka.g.t['1']).toBe(5);
  });

  it('refuses a batch that starts below an offset the lake already holds', () => {
    expect(() => mergeOffsets(sources, 'g', new Map([['t/1', 9]]), new Map([['t/1', 5]]))).not.toThrow();
    expect(() => mergeOffsets(sources, 'g', new Map([['t/0', 12]]), new Map([['t/0', 9]]))).toThrow(OffsetConflictError);
  });
});

describe('a batch of messages into the lake', () => {
  let workspace: Workspace;
  let cleanup: () => Promise<void>;
  let engine: Engine;
  let context: LakeBatchContext;

  beforeAll(async () => {
    ({ workspace, cleanup } = await tempWorkspace('kafka-batch-'));
    engine = await Engine.open({ threads: 2 });
    await loadReferenceTables(engine, workspace.resolve(workspace.config.reference.rates));
    context = { engine, registry: workspace.registry, lakeRoot: workspace.lakeRoot, reportingCurrency: 'USD', group: 'g' };
  });
  afterAll(async () => {
    engine?.close();
    await cleanup?.();
  });

  it('anchors unseen partitions once, in a snapshot without data', async () => {
    expect(await anchorOffsets(workspace.lakeRoot, 'g', new Map([['transactions/0', 0], ['notifications/0', 0]]))).toEqual(new Map([['transactions/0', 0], ['notifications/0', 0]]));
    const anchored = await readLatestSnapshot(new LakeLayout(workspace.lakeRoot));
    expect(anchored).toMatchObject({ operation: 'kafka-offsets', files: [] });
    expect((await anchorOffsets(workspace.lakeRoot, 'g', new Map([['transactions/0', 7]]))).get('transactions/0')).toBe(0);
    expect((await readLatestSnapshot(new LakeLayout(workspace.lakeRoot))).version).toBe(anchored.version);
  });

  it('commits data and offsets together, and never the same offsets twice', async () => {
    // Given messages: valid events, a re-sent id, a schema violation, an empty value
    const batch = [
      message(0, JSON.stringify(transactionEvent('k-1', 1))),
      message(1, JSON.stringify(transactionEvent('k-2', 2))),
      message(2, JSON.stringify(transactionEvent('k-1', 1))),
      message(3, JSON.stringify({ ...transactionEvent('k-3', 3), version: 42 })),
      message(0, JSON.stringify(notificationEvent('k-4', 4)), 0, 'notifications'),
      message(1, Buffer.alloc(0), 0, 'notifications'),
    ];

    // When it is written
    const result = await writeLakeBatch(context, batch);

    // Then the counts reconcile and the offsets moved in the same snapshot
    expect(result).toMatchObject({ consumed: 6, stored: 3, duplicates: 1, rejected: 2, skipped: 0 });
    const snapshot = await readLatestSnapshot(new LakeLayout(workspace.lakeRoot));
    expect(snapshot.version).toBe(result.snapshotVersion);
    expect(committedOffsets(snapshot.sources, 'g')).toEqual(new Map([['transactions/0', 4], ['notifications/0', 2]]));
    expect(snapshot.files.map((file) => file.table).sort()).toEqual(['dead_letters', 'notifications', 'transactions']);

    // And the same messages again (a restart that read them twice) are skipped, not stored
    const again = await writeLakeBatch(context, [...batch, message(4, JSON.stringify(transactionEvent('k-5', 5)))]);
    expect(again).toMatchObject({ consumed: 1, stored: 1, skipped: 6, duplicates: 0 });
    expect(await readLakeOffsets(workspace.lakeRoot, 'g')).toEqual(new Map([['transactions/0', 5], ['notifications/0', 2]]));
  });

  it('guesses the table of a topic from its last clean batch, and a wrong guess still stores exactly', async () => {
    const hints = new Map<string, TableHint>();
    const hinted = { ...context, tableHints: hints };
    const topic = 'hinted';
    const at = (offset: number, event: unknown) => message(offset, JSON.stringify(event), 0, topic);
    // A clean batch of transactions sets the guess
    const first = await writeLakeBatch(hinted, [at(0, transactionEvent('h-1', 1)), at(1, transactionEvent('h-2', 2))]);
    expect(first).toMatchObject({ stored: 2, rejected: 0 });
    expect(hints.get(topic)?.table).toBe('transactions');
    // A batch of the same topic that is not all transactions is stored exactly, and drops it
    const mixed = await writeLakeBatch(hinted, [at(2, transactionEvent('h-3', 3)), at(3, notificationEvent('h-4', 4)), at(4, { ...transactionEvent('h-5', 5), version: 42 })]);
    expect(mixed).toMatchObject({ consumed: 3, stored: 2, rejected: 1, duplicates: 0 });
    expect(hints.has(topic)).toBe(false);
    const stored = await engine.rows<{ id: string; t: string }>(`SELECT id, 'transactions' AS t FROM read_parquet('${workspace.lakeRoot}/transactions/*/*.parquet') WHERE id LIKE 'h-%'
      UNION ALL SELECT id, 'notifications' FROM read_parquet('${workspace.lakeRoot}/notifications/*/*.parquet') WHERE id LIKE 'h-%' ORDER BY id`);
    expect(stored).toEqual([{ id: 'h-1', t: 'transactions' }, { id: 'h-2', t: 'transactions' }, { id: 'h-3', t: 'transactions' }, { id: 'h-4', t: 'notifications' }]);
    // A batch of the notifications alone sets the guess to their table
    await writeLakeBatch(hinted, [at(5, notificationEvent('h-6', 6))]);
    expect(hints.get(topic)?.table).toBe('notifications');
  });

  it('prepares the next batch on a second connection while the one before it commits', async () => {
    const session = await engine.session();
    try {
      await loadReferenceTables(session, workspace.resolve(workspace.config.reference.rates));
      const first = Array.from({ length: 40 }, (_, index) => message(10 + index, JSON.stringify(transactionEvent(`p-${index}`, index)), 1));
      const second = Array.from({ length: 40 }, (_, index) => message(50 + index, JSON.stringify(transactionEvent(`q-${index}`, index)), 1));
      // Both are validated before either commits, each on its own connection.
      const [one, two] = await Promise.all([prepareLakeBatch(context, first), prepareLakeBatch({ ...context, engine: session }, second)]);
      expect((await readLakeOffsets(workspace.lakeRoot, 'g')).has('transactions/1')).toBe(false);
      expect(await one.commit()).toMatchObject({ consumed: 40, stored: 40, skipped: 0 });
      expect(await two.commit()).toMatchObject({ consumed: 40, stored: 40, skipped: 0 });
      expect((await readLakeOffsets(workspace.lakeRoot, 'g')).get('transactions/1')).toBe(90);
    } finally {
      session.close();
    }
  });

  it('a prepared batch part of which another consumer committed meanwhile: only the rest is stored', async () => {
    const batch = Array.from({ length: 30 }, (_, index) => message(index, JSON.stringify(transactionEvent(`r-${index}`, index)), 2));
    const pending = await prepareLakeBatch(context, batch);
    // Another daemon (after a rebalance) commits the first 10 of the same messages first.
    expect(await writeLakeBatch(context, batch.slice(0, 10))).toMatchObject({ stored: 10 });
    expect(await pending.commit()).toMatchObject({ consumed: 20, stored: 20, skipped: 10, duplicates: 0 });
    expect((await readLakeOffsets(workspace.lakeRoot, 'g')).get('transactions/2')).toBe(30);
  });

  it('a prepared batch discarded leaves the lake as it was', async () => {
    const before = await readLatestSnapshot(new LakeLayout(workspace.lakeRoot));
    const pending = await prepareLakeBatch(context, [message(30, JSON.stringify(transactionEvent('s-1', 1)), 2)]);
    await pending.discard();
    expect((await readLatestSnapshot(new LakeLayout(workspace.lakeRoot))).version).toBe(before.version);
  });
});

describe('RateMeter', () => {
  it('averages whole seconds over its window', () => {
    const meter = new RateMeter(10);
    const t0 = 1_000_000_000_000;
    for (let s = 0; s < 10; s++) meter.add(100, t0 + s * 1000);
    expect(meter.perSecond(t0 + 10_000)).toBe(100);
    expect(meter.perSecond(t0 + 15_000)).toBe(50);
    expect(meter.perSecond(t0 + 30_000)).toBe(0);
  });
});
