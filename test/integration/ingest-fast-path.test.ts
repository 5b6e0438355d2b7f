/**
 * The fast path (direct-write.ts) against the general path: the same input ingested both ways
 * must leave the same lake content — every table row (except the batch id and ingest time), every
 * dead letter with its origin and reasons, the same counts — for clean files, files with bad
 * records, re-sends and several types, unsorted and multi-day input, re-ingests, and Kafka batches.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../src/analytics/query.js';
import { Engine } from '../../src/duckdb/engine.js';
import { LakeLayout } from '../../src/lake/layout.js';
import { readLatestSnapshot } from '../../src/lake/snapshot.js';
import { ingestFiles, type IngestSummary } from '../../src/pipelines/ingest/file-ingest.js';
import { loadReferenceTables, referenceLookup } from '../../src/pipelines/ingest/reference-tables.js';
import { writeLakeBatch, type KafkaMessage, type LakeBatchResult, type TableHint } from '../../src/pipelines/kafka/lake-batch.js';
import { generateToOutput } from '../../src/pipelines/synthetic-data.js';
import type { GenerateOptions } from '../../src/pipelines/generate/index.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { tempWorkspace } from '../support/workspace.js';

const TABLES = ['transactions', 'fraud_detections', 'security_alerts', 'notifications'];

/** Everything a lake holds, in a stable order, without the per-run columns. */
async function lakeContent(workspace: Workspace): Promise<Record<string, unknown[]>> {
  const content: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    content[table] = (await runQuery(workspace, `SELECT * EXCLUDE (batch_id, ingested_at) FROM ${table} ORDER BY id, occurred_at`)).rows;
  }
  content.dead_letters = (await runQuery(workspace, `SELECT raw, origin, reasons, stage, event_id, event_type FROM dead_letters ORDER BY origin, raw`)).rows;
  return content;
}

/** Rows out of time order within any one data file of a table. */
async function rowsOutOfOrder(workspace: Workspace, table: string): Promise<number> {
  const snapshot = await readLatestSnapshot(new LakeLayout(workspace.lakeRoot));
  const files = snapshot.files.filter((file) => file.table === table).map((file) => `'${workspace.lakeRoot}/${file.path}'`);
  const engine = await Engine.open({ threads: 1 });
  try {
    const [row] = await engine.rows<{ n: number }>(`SELECT count(*) AS n FROM (
      SELECT occurred_at < lag(occurred_at) OVER (PARTITION BY filename ORDER BY file_row_number) AS back
      FROM read_parquet([${files.join(', ')}], filename = true, file_row_number = true)) WHERE back`);
    return Number(row?.n ?? 0);
  } finally {
    engine.close();
  }
}

async function generate(dir: string, name: string, options: GenerateOptions): Promise<string> {
  const file = path.join(dir, name);
  await generateToOutput(options, { format: 'ndjson', out: file });
  return file;
}

const counts = (summary: IngestSummary) => ({ read: summary.read, stored: summary.stored, rejected: summary.rejected, duplicates: summary.duplicates });

describe('file ingest: the fast path stores exactly what the general path stores', () => {
  let fast: { dir: string; workspace: Workspace; cleanup: () => Promise<void> };
  let general: { dir: string; workspace: Workspace; cleanup: () => Promise<void> };

  beforeAll(async () => {
    fast = await tempWorkspace('fast-path-');
    general = await tempWorkspace('general-path-');
  });
  afterAll(async () => {
    await fast?.cleanup();
    await general?.cleanup();
  });

  async function ingestBoth(file: string, options: { routedFastPathBytes?: number } = {}): Promise<{ fast: IngestSummary; general: IngestSummary }> {
    const fastSummary = await ingestFiles(fast.workspace, { paths: [file], maxErrors: -1, ...options });
    const generalSummary = await ingestFiles(general.workspace, { paths: [file], maxErrors: -1, fastPath: false });
    expect(fastSummary.failures).toEqual([]);
    expect(generalSummary.failures).toEqual([]);
    expect(generalSummary.files[0]?.fastPath).toBeUndefined();
    expect(counts(fastSummary)).toEqual(counts(generalSummary));
    expect(await lakeContent(fast.workspace)).toEqual(await lakeContent(general.workspace));
    return { fast: fastSummary, general: generalSummary };
  }

  it('a clean file of one type: written in one pass, kept in input (time) order', async () => {
    const file = await generate(fast.dir, 'clean.ndjson', { seed: 3, count: 4_000, types: ['transaction'], start: new Date('2026-11-24T00:00:00Z'), end: new Date('2026-11-25T00:00:00Z') });
    const { fast: summary } = await ingestBoth(file);
    expect(summary.files[0]?.fastPath).toEqual([{ table: 'transactions', rows: 4_000, rewritten: false }]);
    expect(summary.stored).toBe(4_000);
    expect(await rowsOutOfOrder(fast.workspace, 'transactions')).toBe(0);
    // Few-valued texts are written from ENUMs (batch-writer.ts): the files hold plain UTF8 text.
    const files = (await readLatestSnapshot(new LakeLayout(fast.workspace.lakeRoot))).files.filter((entry) => entry.table === 'transactions');
    const engine = await Engine.open({ threads: 1 });
    try {
      const described = await engine.rows<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet([${files.map((entry) => `'${fast.workspace.lakeRoot}/${entry.path}'`).join(', ')}])`);
      const types = Object.fromEntries(described.map((column) => [column.column_name, column.column_type]));
      for (const column of ['type', 'country_name', 'region', 'merchant_category_name', 'merchant_category_group', 'geo_source']) expect(types[column]).toBe('VARCHAR');
      const [values] = await engine.rows(`SELECT count(DISTINCT region) AS regions, count(*) FILTER (WHERE country = 'DE' AND country_name <> 'Germany') AS wrong FROM read_parquet([${files.map((entry) => `'${fast.workspace.lakeRoot}/${entry.path}'`).join(', ')}])`);
      expect(Number(values!.regions)).toBeGreaterThan(1);
      expect(Number(values!.wrong)).toBe(0);
    } finally {
      engine.close();
    }
  });

  it('a clean file with blank lines and numeric ids: more lines than records, every record stored once', async () => {
    const source = await generate(fast.dir, 'blank-lines-source.ndjson', { seed: 32, count: 1_500, types: ['transaction'], start: new Date('2026-11-24T00:00:00Z'), end: new Date('2026-11-25T00:00:00Z') });
    const lines = (await readFile(source, 'utf8')).trimEnd().split('\n').map((line, index) => line.replace(/"account_id":"[^"]*"/, `"account_id":"${100_000 + index}"`));
    const file = path.join(fast.dir, 'blank-lines.ndjson');
    // Blank lines between records, and a last record without a newline.
    await writeFile(file, lines.map((line, index) => (index % 100 === 0 ? `\n${line}` : line)).join('\n'));
    const { fast: summary } = await ingestBoth(file);
    expect(summary.files[0]?.fastPath).toEqual([{ table: 'transactions', rows: 1_500, rewritten: false }]);
    expect(counts(summary)).toEqual({ read: 1_500, stored: 1_500, rejected: 0, duplicates: 0 });
  });

  it('a clean file of one type written with spaces (no compact type name to find): still the fast path', async () => {
    const source = await generate(fast.dir, 'spaced-source.ndjson', { seed: 31, count: 1_200, types: ['fraud_detection'], start: new Date('2026-11-24T00:00:00Z'), end: new Date('2026-11-25T00:00:00Z') });
    const spaced = (await readFile(source, 'utf8')).trimEnd().split('\n').map((line) => JSON.stringify(JSON.parse(line), null, 1).replace(/\n\s*/g, ' '));
    expect(spaced[0]).toContain('"type": "fraud_detection"');
    const file = path.join(fast.dir, 'spaced.ndjson');
    await writeFile(file, `${spaced.join('\n')}\n`);
    const { fast: summary } = await ingestBoth(file);
    expect(summary.files[0]?.fastPath).toEqual([{ table: 'fraud_detections', rows: 1_200, rewritten: false }]);
  });

  it('clean records of one type first, then bad records, re-sends and all four types: the general path takes the rest', async () => {
    const head = await generate(fast.dir, 'head.ndjson', { seed: 4, count: 1_500, types: ['transaction'], start: new Date('2026-11-24T00:00:00Z'), end: new Date('2026-11-24T06:00:00Z') });
    const tail = await generate(fast.dir, 'tail.ndjson', { seed: 5, count: 6_000, start: new Date('2026-11-24T00:00:00Z'), end: new Date('2026-11-25T00:00:00Z'), badRatio: 0.05, duplicateRatio: 0.03 });
    const file = path.join(fast.dir, 'clean-then-mixed.ndjson');
    await writeFile(file, (await readFile(head, 'utf8')) + (await readFile(tail, 'utf8')));
    const { fast: summary } = await ingestBoth(file);
    expect(summary.files[0]?.fastPath?.[0]?.rows).toBeGreaterThan(1_500);
    expect(summary.rejected).toBeGreaterThan(0);
    expect(summary.duplicates).toBeGreaterThan(0);
    for (const table of TABLES) expect((await runQuery(fast.workspace, `SELECT count(*) AS n FROM ${table}`)).rows[0]?.n).toBeGreaterThan(0);
  });

  it('a file that starts mixed (four types, bad records) takes the general path alone', async () => {
    const file = await generate(fast.dir, 'mixed.ndjson', { seed: 6, count: 3_000, start: new Date('2026-11-25T00:00:00Z'), end: new Date('2026-11-26T00:00:00Z'), badRatio: 0.05 });
    const { fast: summary } = await ingestBoth(file);
    expect(summary.files[0]?.fastPath).toBeUndefined();
    expect(summary.rejected).toBeGreaterThan(0);
  });

  it('a large clean file of four types: one fast pass per table, each over the records its text routes there', async () => {
    const file = await generate(fast.dir, 'mixed-clean.ndjson', { seed: 12, count: 6_000, start: new Date('2026-11-23T00:00:00Z'), end: new Date('2026-11-24T00:00:00Z') });
    const { fast: summary } = await ingestBoth(file, { routedFastPathBytes: 0 });
    const passes = summary.files[0]?.fastPath ?? [];
    expect(passes.map((pass) => pass.table)).toEqual([...TABLES].sort());
    expect(passes.reduce((sum, pass) => sum + pass.rows, 0)).toBe(6_000);
    expect(passes.every((pass) => !pass.rewritten)).toBe(true);
    expect(summary.stored).toBe(6_000);
    for (const table of TABLES) expect(await rowsOutOfOrder(fast.workspace, table)).toBe(0);
  });

  it('a large file of four types, clean at first, then bad records, re-sends, spaced JSON and a type name in a nested field', async () => {
    const head = await generate(fast.dir, 'routed-head.ndjson', { seed: 13, count: 1_500, start: new Date('2026-11-22T00:00:00Z'), end: new Date('2026-11-22T06:00:00Z') });
    const tail = await generate(fast.dir, 'routed-tail.ndjson', { seed: 14, count: 4_000, start: new Date('2026-11-22T00:00:00Z'), end: new Date('2026-11-23T00:00:00Z'), badRatio: 0.05, duplicateRatio: 0.03 });
    const tailLines = (await readFile(tail, 'utf8')).trimEnd().split('\n');
    const parsed = tailLines.flatMap((line) => {
      try {
        const value: unknown = JSON.parse(line);
        return typeof value === 'object' && value !== null ? [value as { type?: unknown; data?: Record<string, unknown> }] : [];
      } catch {
        return [];
      }
    });
    // No compact `"type":"<name>"` to route by: left to the general path.
    const spaced = parsed.filter((event) => event.type === 'fraud_detection').slice(0, 20).map((event) => JSON.stringify({ ...event, id: `${String((event as { id?: unknown }).id)}-spaced` }, null, 1).replace(/\n\s*/g, ' '));
    // A notification whose data names another type: routed to transactions, whose pass does not
    // write it; the general path must still take it (stored or rejected as the rules say).
    const notification = parsed.find((event) => event.type === 'notification' && typeof event.data === 'object')!;
    const nested = JSON.stringify({ ...notification, id: 'evt_nested_type_name', data: { ...notification.data, type: 'transaction' } });
    expect(nested).toContain('"type":"transaction"');
    const file = path.join(fast.dir, 'routed-mixed.ndjson');
    // And a line that is not UTF-8: read once, by the first pass only, and dead-lettered once.
    const notUtf8 = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const text = (lines: string[]) => Buffer.from(`${lines.join('\n')}\n`);
    await writeFile(file, Buffer.concat([text([(await readFile(head, 'utf8')).trimEnd(), ...tailLines.slice(0, 100)]), notUtf8, text(['', ...tailLines.slice(100), ...spaced, nested])]));
    const { fast: summary } = await ingestBoth(file, { routedFastPathBytes: 0 });
    expect(summary.files[0]?.fastPath?.map((pass) => pass.table)).toEqual([...TABLES].sort());
    expect(summary.rejected).toBeGreaterThan(0);
    expect(summary.duplicates).toBeGreaterThan(0);
    const spacedStored = (await runQuery(fast.workspace, `SELECT count(*) AS n FROM fraud_detections WHERE id LIKE '%-spaced'`)).rows[0]?.n;
    expect(Number(spacedStored)).toBeGreaterThan(0);
    const unreadable = (await runQuery(fast.workspace, `SELECT count(*) AS n FROM dead_letters WHERE stage = 'parse' AND origin LIKE '%routed-mixed.ndjson:1601'`)).rows[0]?.n;
    expect(Number(unreadable)).toBe(1);
    const nestedFound = (await runQuery(fast.workspace, `SELECT (SELECT count(*) FROM notifications WHERE id = 'evt_nested_type_name') + (SELECT count(*) FROM dead_letters WHERE event_id = 'evt_nested_type_name') AS n`)).rows[0]?.n;
    expect(Number(nestedFound)).toBe(1);
  });

  it('a large Parquet file of four types: routed by the text each row becomes, the same lake as the general path', async () => {
    const file = path.join(fast.dir, 'mixed.parquet');
    await generateToOutput({ seed: 16, count: 3_000, start: new Date('2026-11-19T00:00:00Z'), end: new Date('2026-11-20T00:00:00Z') }, { format: 'parquet', out: file });
    const { fast: summary } = await ingestBoth(file, { routedFastPathBytes: 0 });
    expect(summary.files[0]?.fastPath?.map((pass) => pass.table)).toEqual([...TABLES].sort());
    expect(summary.stored).toBe(3_000);
  });

  it('a large file of one type after another (files concatenated): the types after the first get passes of their own', async () => {
    const parts = await Promise.all((['transaction', 'fraud_detection', 'notification', 'security_alert'] as const).map((type, index) =>
      generate(fast.dir, `sorted-${type}.ndjson`, { seed: 40 + index, count: 1_500 - index * 300, types: [type], start: new Date('2026-11-18T00:00:00Z'), end: new Date('2026-11-19T00:00:00Z') })));
    const file = path.join(fast.dir, 'by-type.ndjson');
    await writeFile(file, (await Promise.all(parts.map((part) => readFile(part, 'utf8')))).join(''));
    const { fast: summary } = await ingestBoth(file, { routedFastPathBytes: 0 });
    expect(summary.files[0]?.fastPath?.map((pass) => pass.table)).toEqual(['transactions', 'fraud_detections', 'notifications', 'security_alerts']);
    expect(summary.stored).toBe(1_500 + 1_200 + 900 + 600);
  });

  it('one type first, then bad records, re-sends and all four types: passes for every type, the general path for the rejects', async () => {
    const head = await generate(fast.dir, 'routed-one-type-head.ndjson', { seed: 50, count: 1_500, types: ['transaction'], start: new Date('2026-11-17T00:00:00Z'), end: new Date('2026-11-17T06:00:00Z') });
    const tail = await generate(fast.dir, 'routed-one-type-tail.ndjson', { seed: 51, count: 4_000, start: new Date('2026-11-17T00:00:00Z'), end: new Date('2026-11-18T00:00:00Z'), badRatio: 0.05, duplicateRatio: 0.03 });
    const file = path.join(fast.dir, 'routed-one-type-then-mixed.ndjson');
    await writeFile(file, (await readFile(head, 'utf8')) + (await readFile(tail, 'utf8')));
    const { fast: summary } = await ingestBoth(file, { routedFastPathBytes: 0 });
    expect(summary.stored).toBeGreaterThan(4_000);
    expect(summary.files[0]?.fastPath?.map((pass) => pass.table)).toEqual(['transactions', 'fraud_detections', 'notifications', 'security_alerts']);
    expect(summary.rejected).toBeGreaterThan(0);
    expect(summary.duplicates).toBeGreaterThan(0);
  });

  it('a small file of four types takes the general path alone (one pass beats four there)', async () => {
    const file = await generate(fast.dir, 'mixed-small.ndjson', { seed: 15, count: 2_000, start: new Date('2026-11-21T00:00:00Z'), end: new Date('2026-11-22T00:00:00Z') });
    const { fast: summary } = await ingestBoth(file);
    expect(summary.files[0]?.fastPath).toBeUndefined();
    expect(summary.stored).toBe(2_000);
  });

  it('unsorted input over several days: rewritten sorted, one file per day', async () => {
    const source = await generate(fast.dir, 'days.ndjson', { seed: 9, count: 5_000, types: ['notification'], start: new Date('2026-11-20T00:00:00Z'), end: new Date('2026-11-23T00:00:00Z') });
    const lines = (await readFile(source, 'utf8')).trimEnd().split('\n');
    // A fixed shuffle: reverse, then interleave halves.
    const reversed = lines.reverse();
    const half = Math.ceil(reversed.length / 2);
    const shuffled = reversed.slice(0, half).flatMap((line, index) => [line, reversed[half + index]].filter((item): item is string => item !== undefined));
    const file = path.join(fast.dir, 'shuffled.ndjson');
    await writeFile(file, `${shuffled.join('\n')}\n`);
    const { fast: summary } = await ingestBoth(file);
    expect(summary.files[0]?.fastPath).toMatchObject([{ table: 'notifications', rewritten: true }]);
    expect(await rowsOutOfOrder(fast.workspace, 'notifications')).toBe(0);
    const snapshot = await readLatestSnapshot(new LakeLayout(fast.workspace.lakeRoot));
    const days = new Set(snapshot.files.filter((entry) => entry.table === 'notifications').map((entry) => entry.partition.event_date));
    expect(days.size).toBeGreaterThanOrEqual(3);
  });

  it('input in time order over several days: split into one file per day without a sort', async () => {
    // More rows than one row group (122,880), so that the row groups' time ranges show the order.
    // A workspace of its own: the other tests compare whole lakes of both paths.
    const own = await tempWorkspace('fast-path-days-');
    try {
      const file = await generate(own.dir, 'ordered-days.ndjson', { seed: 11, count: 130_000, types: ['security_alert'], start: new Date('2026-11-20T00:00:00Z'), end: new Date('2026-11-23T00:00:00Z') });
      const summary = await ingestFiles(own.workspace, { paths: [file], maxErrors: -1 });
      expect(summary.files[0]?.fastPath).toEqual([{ table: 'security_alerts', rows: 130_000, rewritten: false }]);
      expect(await rowsOutOfOrder(own.workspace, 'security_alerts')).toBe(0);
      const snapshot = await readLatestSnapshot(new LakeLayout(own.workspace.lakeRoot));
      const files = snapshot.files.filter((entry) => entry.table === 'security_alerts' && entry.addedIn === snapshot.version);
      expect(files.map((entry) => entry.partition.event_date)).toEqual(['2026-11-20', '2026-11-21', '2026-11-22']);
      expect(files.reduce((sum, entry) => sum + entry.rows, 0)).toBe(130_000);
      // Each file holds its own day's rows only, every event once.
      const engine = await Engine.open({ threads: 1 });
      try {
        const list = files.map((entry) => `'${own.workspace.lakeRoot}/${entry.path}'`).join(', ');
        const [check] = await engine.rows<{ n: number; ids: number; strays: number }>(`SELECT count(*) AS n, count(DISTINCT id) AS ids,
          count(*) FILTER (WHERE filename NOT LIKE '%event_date=' || event_date::VARCHAR || '/%') AS strays FROM read_parquet([${list}], filename = true)`);
        expect(check).toEqual({ n: 130_000, ids: 130_000, strays: 0 });
      } finally {
        engine.close();
      }
    } finally {
      await own.cleanup();
    }
  });

  it('a file ingested again, and one that overlaps the lake: duplicates against the lake are dropped', async () => {
    const again = path.join(fast.dir, 'clean.ndjson');
    const { fast: summary } = await ingestBoth(again);
    expect(summary).toMatchObject({ stored: 0, duplicates: 4_000 });
    const more = await generate(fast.dir, 'more.ndjson', { seed: 3, count: 6_000, types: ['transaction'], start: new Date('2026-11-24T00:00:00Z'), end: new Date('2026-11-25T00:00:00Z') });
    // The same seed with more events shares its first records with clean.ndjson only if the
    // generator is prefix-stable; either way both paths must agree, and nothing is stored twice.
    const overlap = path.join(fast.dir, 'overlap.ndjson');
    const firstHalf = (await readFile(again, 'utf8')).trimEnd().split('\n').slice(0, 2_000);
    const fresh = (await readFile(more, 'utf8')).trimEnd().split('\n');
    await writeFile(overlap, `${[...firstHalf, ...fresh].join('\n')}\n`);
    const { fast: mixed } = await ingestBoth(overlap);
    expect(mixed.duplicates).toBeGreaterThanOrEqual(2_000);
    // Nothing is stored twice. (The generator is not prefix-stable: more.ndjson reuses ids of
    // clean.ndjson at other times, and a record of another time is another event.)
    const events = (await runQuery(fast.workspace, `SELECT count(*) AS n, count(DISTINCT (id, occurred_at)) AS events FROM transactions`)).rows[0]!;
    expect(events.n).toBe(events.events);
  });
});

describe('Kafka batches: the fast path stores exactly what the general path stores', () => {
  it('mixed types, bad values and re-sends give the same lake and counts', async () => {
    const fast = await tempWorkspace('kafka-fast-');
    const general = await tempWorkspace('kafka-general-');
    try {
      const file = await generate(fast.dir, 'kafka.ndjson', { seed: 21, count: 3_000, start: new Date('2026-11-24T00:00:00Z'), end: new Date('2026-11-25T00:00:00Z'), badRatio: 0.04, duplicateRatio: 0.03 });
      const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
      const messages: KafkaMessage[] = lines.map((line, index) => ({ topic: 'events', partition: index % 3, offset: Math.floor(index / 3), value: Buffer.from(line) }));
      messages.push({ topic: 'events', partition: 0, offset: 1_000, value: null });
      const results: LakeBatchResult[] = [];
      for (const [workspace, fastPath] of [[fast.workspace, true], [general.workspace, false]] as const) {
        const engine = await Engine.open({ threads: 2 });
        try {
          await loadReferenceTables(engine, workspace.resolve(workspace.config.reference.rates));
          const context = { engine, registry: workspace.registry, lakeRoot: workspace.lakeRoot, reportingCurrency: 'USD', group: 'g', fastPath };
          results.push(await writeLakeBatch(context, messages.slice(0, 2_000)));
          results.push(await writeLakeBatch(context, messages.slice(2_000)));
        } finally {
          engine.close();
        }
      }
      const strip = ({ consumed, stored, rejected, duplicates, skipped, offsets }: LakeBatchResult) => ({ consumed, stored, rejected, duplicates, skipped, offsets });
      expect(strip(results[0]!)).toEqual(strip(results[2]!));
      expect(strip(results[1]!)).toEqual(strip(results[3]!));
      expect(results[0]!.rejected + results[1]!.rejected).toBeGreaterThan(0);
      expect(results[0]!.duplicates + results[1]!.duplicates).toBeGreaterThan(0);
      expect(await lakeContent(fast.workspace)).toEqual(await lakeContent(general.workspace));
    } finally {
      await fast.cleanup();
      await general.cleanup();
    }
  });
});

describe('Kafka batches of several topics: each topic\'s table by the fast path, the rest by the general path', () => {
  it('gives the same lake and counts as the general path alone, and remembers the clean topics\' tables', async () => {
    const fast = await tempWorkspace('kafka-topics-fast-');
    const general = await tempWorkspace('kafka-topics-general-');
    try {
      const clean = await generate(fast.dir, 'clean.ndjson', { seed: 23, count: 4_000, start: new Date('2026-11-24T00:00:00Z'), end: new Date('2026-11-25T00:00:00Z') });
      const dirty = await generate(fast.dir, 'dirty.ndjson', { seed: 24, count: 600, start: new Date('2026-11-24T00:00:00Z'), end: new Date('2026-11-25T00:00:00Z'), badRatio: 0.2, duplicateRatio: 0.05 });
      const topicOf: Record<string, string> = { transaction: 'transactions', fraud_detection: 'fraud_detections', security_alert: 'security_alerts', notification: 'notifications' };
      const offsets = new Map<string, number>();
      const message = (topic: string, line: string): KafkaMessage => {
        const offset = offsets.get(topic) ?? 0;
        offsets.set(topic, offset + 1);
        return { topic, partition: 0, offset, value: Buffer.from(line) };
      };
      // Each type on its own topic, as the daemon reads them by default; the notifications topic
      // also carries records of every type, bad records and re-sends (a dirty, mixed topic).
      const cleanLines = (await readFile(clean, 'utf8')).trimEnd().split('\n');
      const dirtyLines = (await readFile(dirty, 'utf8')).trimEnd().split('\n');
      const messages: KafkaMessage[] = [];
      cleanLines.forEach((line, index) => {
        messages.push(message(topicOf[/"type":"([a-z_]+)"/.exec(line)?.[1] ?? ''] ?? 'notifications', line));
        if (index % 7 === 0 && dirtyLines.length > 0) messages.push(message('notifications', dirtyLines.shift()!));
      });
      for (const line of dirtyLines) messages.push(message('notifications', line));
      const results: LakeBatchResult[] = [];
      const hints = new Map<string, TableHint>();
      for (const [workspace, fastPath] of [[fast.workspace, true], [general.workspace, false]] as const) {
        const engine = await Engine.open({ threads: 2 });
        try {
          await loadReferenceTables(engine, workspace.resolve(workspace.config.reference.rates));
          const context = { engine, registry: workspace.registry, lakeRoot: workspace.lakeRoot, reportingCurrency: 'USD', group: 'g', fastPath, tableHints: fastPath ? hints : new Map<string, TableHint>() };
          for (let start = 0; start < messages.length; start += 1_600) results.push(await writeLakeBatch(context, messages.slice(start, start + 1_600)));
        } finally {
          engine.close();
        }
      }
      const strip = ({ consumed, stored, rejected, duplicates, skipped, offsets: next }: LakeBatchResult) => ({ consumed, stored, rejected, duplicates, skipped, next });
      const half = results.length / 2;
      expect(results.slice(0, half).map(strip)).toEqual(results.slice(half).map(strip));
      expect(results.slice(0, half).reduce((sum, result) => sum + result.rejected, 0)).toBeGreaterThan(0);
      expect(results.slice(0, half).reduce((sum, result) => sum + result.duplicates, 0)).toBeGreaterThan(0);
      expect(await lakeContent(fast.workspace)).toEqual(await lakeContent(general.workspace));
      // The clean topics went by the fast path (their last batch was all valid records of their
      // table); the dirty one did not.
      expect(Object.fromEntries([...hints].map(([topic, hint]) => [topic, hint.table]))).toEqual({ transactions: 'transactions', fraud_detections: 'fraud_detections', security_alerts: 'security_alerts' });
      // Their ids are not JSON texts themselves: read as text.
      expect(hints.get('transactions')?.textRead).toEqual(expect.arrayContaining(['id', 'data.transaction_id']));
    } finally {
      await fast.cleanup();
      await general.cleanup();
    }
  });
});

describe('enrichment lookups', () => {
  it('give what a join on the reference tables gives, for every code and for unknown codes', async () => {
    const { workspace, cleanup } = await tempWorkspace('lookups-');
    const engine = await Engine.open({ threads: 1 });
    try {
      await loadReferenceTables(engine, workspace.resolve(workspace.config.reference.rates));
      const cases = [
        { reference: 'country' as const, table: '_ref_countries', key: 'code', columns: ['name', 'region', 'lat', 'lon'] },
        { reference: 'merchantCategory' as const, table: '_ref_merchant_categories', key: 'code', columns: ['name', 'category_group'] },
        { reference: 'rate' as const, table: '_ref_rates', key: 'currency', columns: ['usd_per_unit'] },
      ];
      for (const { reference, table, key, columns } of cases) {
        const [row] = await engine.rows<{ keys: number; mismatches: number }>(`
          WITH k AS (SELECT ${key} AS k FROM ${table} UNION ALL SELECT 'ZZZ' UNION ALL SELECT NULL)
          SELECT count(*) AS keys, count(*) FILTER (WHERE ${columns.map((column) => `${referenceLookup(reference, 'k.k', column)} IS DISTINCT FROM r.${column}`).join(' OR ')}) AS mismatches
          FROM k LEFT JOIN ${table} r ON r.${key} = k.k`);
        expect(Number(row?.keys)).toBeGreaterThan(3);
        expect(Number(row?.mismatches)).toBe(0);
      }
    } finally {
      engine.close();
      await cleanup();
    }
  });
});
