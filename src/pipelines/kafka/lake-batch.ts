/**
 * One buffer of Kafka messages into the lake, through the same steps as a file: staged as
 * (raw, origin) rows, validated by the compiled contract on the fast path (`writeValidDirect`,
 * topic by topic: each topic's valid records of its table straight to their file) with the
 * general path (`stageValidatedBatch`) for the rest, de-duplicated, enriched and committed by
 * `commitBatch`, whose snapshot also moves the consumer offsets.
 *
 * Only what SQL cannot take is decided here: a message without a value, a value that is not
 * UTF-8 or is larger than a record may be (2 MiB) is a dead letter of stage `parse`.
 */
import { isUtf8 } from 'node:buffer';
import { promises as fs } from 'node:fs';
import type { EventTypeRegistry } from '../../contract/registry.js';
import type { Engine } from '../../duckdb/engine.js';
import { ident, literalList } from '../../duckdb/sql.js';
import { LakeLayout } from '../../lake/layout.js';
import { batchStagingDir, commitBatch, newBatchId, type BatchResult, type PrewrittenTable } from '../ingest/batch-writer.js';
import { mainTableOf, recordsWritten, writeValidDirect, type DirectWrite, type TableHint } from '../ingest/direct-write.js';
import { firstRecordsPlan, stageValidatedBatch, writeStagedTables, type StagedBatch } from '../ingest/staged-batch.js';
import type { StreamRunner } from '../../streams/runner.js';
import { mergeOffsets, OffsetConflictError, partitionKey, readLakeOffsets, type PartitionKey } from './offsets.js';

export type { TableHint };

/** Largest message value taken as a record; file ingest's line limit is the same. */
export const MAX_VALUE_BYTES = 2 * 1024 * 1024;
/** How much of an oversized value the dead letter keeps. */
const OVERSIZED_PREFIX_BYTES = 64 * 1024;

export interface KafkaMessage {
  topic: string;
  partition: number;
  offset: number;
  value: Buffer | null;
}

export interface LakeBatchContext {
  engine: Engine;
  registry: EventTypeRegistry;
  lakeRoot: string;
  reportingCurrency: string;
  group: string;
  /** Stream jobs run in the batch's commit (src/streams/). */
  streams?: StreamRunner;
  /** false: validate every message through the general (staged) path; tests compare both paths. Default true. */
  fastPath?: boolean;
  /**
   * Per topic, the table of its last batch when that batch's records of the topic were all valid
   * records of it: the topic's records in the next batch take the fast path without validating a
   * sample first (the sample's query took 50 ms of a 550 ms batch). Only a guess: records that are
   * not clean after all are still stored exactly (the general path takes the rest), and the
   * topic's guess is dropped. With the table, the string fields its sample had read as text.
   */
  tableHints?: Map<string, TableHint>;
}

export interface DeadLetterNote {
  origin: string;
  stage: string;
  reasons: string[];
}

export interface LakeBatchResult {
  /** Messages written in this batch (after dropping those the lake already held). */
  consumed: number;
  stored: number;
  rejected: number;
  duplicates: number;
  /** Messages dropped because the lake already held their offsets (after a rebalance or seek race). */
  skipped: number;
  /** 0 when nothing was committed. */
  snapshotVersion: number;
  /** Next offset per partition now committed in the lake for this batch. */
  offsets: Map<PartitionKey, number>;
  /** Seconds: validation (staging and checking) and commit. */
  timings: { validate: number; commit: number; lakeParts?: BatchResult['timings'] };
}

export interface LakeBatchHooks {
  /** Called with the batch's dead letters after validation, before the commit (dead-letter topic). */
  beforeCommit?: (deadLetters: DeadLetterNote[]) => Promise<void>;
}

/** `topic/partition@offset`: where a record came from, in dead letters. */
export function messageOrigin(message: Pick<KafkaMessage, 'topic' | 'partition' | 'offset'>): string {
  return `${message.topic}/${message.partition}@${message.offset}`;
}

const lenientUtf8 = new TextDecoder('utf-8');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A message whose value goes to SQL as a record: its UTF-8 bytes, without a byte order mark. */
export interface RecordMessage {
  message: KafkaMessage;
  bytes: Buffer;
}

/**
 * Splits messages into records for SQL validation and dead letters decided here. A record stays
 * bytes: decoding every value to a JavaScript string, only for the appender to encode it again,
 * was a third of the staging time and most of the daemon's garbage.
 */
export function decodeMessages(messages: readonly KafkaMessage[]): { records: RecordMessage[]; rejects: { raw: string; origin: string; reason: string }[] } {
  const records: RecordMessage[] = [];
  const rejects: { raw: string; origin: string; reason: string }[] = [];
  for (const message of messages) {
    const value = message.value;
    if (value === null || value.length === 0) {
      rejects.push({ raw: '', origin: messageOrigin(message), reason: value === null ? 'empty message: the value is null (a tombstone)' : 'empty message: the value has 0 bytes' });
      continue;
    }
    if (value.length > MAX_VALUE_BYTES) {
      rejects.push({
        raw: lenientUtf8.decode(value.subarray(0, OVERSIZED_PREFIX_BYTES)),
        origin: messageOrigin(message),
        reason: `message too large: the value has ${value.length} bytes, over the ${MAX_VALUE_BYTES}-byte record limit (raw keeps the first ${OVERSIZED_PREFIX_BYTES} bytes)`,
      });
      continue;
    }
    if (!isUtf8(value)) {
      rejects.push({ raw: lenientUtf8.decode(value), origin: messageOrigin(message), reason: `not UTF-8: the value is not valid UTF-8 at byte ${firstInvalidUtf8(value)} (raw shows invalid bytes as U+FFFD)` });
      continue;
    }
    // As TextDecoder did: a leading byte order mark is not part of the text.
    records.push({ message, bytes: value.subarray(0, 3).equals(BOM) ? value.subarray(3) : value });
  }
  return { records, rejects };
}

/** A batch's records in a DuckDB table, and SELECTs of them as (raw, origin, ordinal). */
interface StagedMessages {
  table: string;
  /** Every record. */
  sql: string;
  /** Topics of the batch, with their records' count. */
  topics: Map<string, number>;
  /** The records of some topics only. */
  sqlOf(topics: readonly string[]): string;
}

/**
 * Stages records as (raw, origin, ordinal) for the validation: the bytes go to DuckDB as a BLOB
 * and become text there (`decode`, valid UTF-8 by isUtf8 above); the origin is built in SQL from
 * the message's partition (an index into this batch's partitions) and offset.
 */
async function stageMessages(engine: Engine, records: readonly RecordMessage[]): Promise<StagedMessages> {
  const table = `_kafka_staged_${process.pid}_${tableCounter++}`;
  await engine.run(`CREATE TEMP TABLE ${ident(table)} (bytes BLOB, source INTEGER, topic INTEGER, "offset" DOUBLE, ordinal INTEGER)`);
  const sources = new Map<string, number>();
  const topics = new Map<string, { index: number; count: number }>();
  const appender = await engine.connection.createAppender(table, 'main', 'temp');
  records.forEach(({ message, bytes }, index) => {
    const source = `${message.topic}/${message.partition}`;
    let sourceIndex = sources.get(source);
    if (sourceIndex === undefined) sources.set(source, (sourceIndex = sources.size + 1));
    let topic = topics.get(message.topic);
    if (topic === undefined) topics.set(message.topic, (topic = { index: topics.size + 1, count: 0 }));
    topic.count++;
    appender.appendBlob(bytes);
    appender.appendInteger(sourceIndex);
    appender.appendInteger(topic.index);
    appender.appendDouble(message.offset);
    appender.appendInteger(index + 1);
    appender.endRow();
  });
  appender.closeSync();
  const origin = `${literalList([...sources.keys()])}[source] || '@' || CAST("offset" AS BIGINT)`;
  const sql = `SELECT decode(bytes) AS raw, ${origin} AS origin, ordinal FROM ${ident(table)}`;
  return {
    table,
    sql,
    topics: new Map([...topics].map(([name, topic]) => [name, topic.count])),
    sqlOf: (names) => `${sql} WHERE topic IN (${names.map((name) => topics.get(name)!.index).join(', ')})`,
  };
}

/** Over the validation's output: the record came from one of `topics` (an origin is `topic/partition@offset`; a topic name has no '/'). */
function fromTopics(topics: readonly string[]): string {
  return `list_contains(${literalList(topics)}, split_part(origin, '/', 1))`;
}

/** Index of the first byte where `bytes` stops being valid UTF-8. */
function firstInvalidUtf8(bytes: Buffer): number {
  let low = 0;
  let high = bytes.length;
  // Largest prefix that decodes; a prefix may end inside a character, so allow 3 bytes of slack.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  return low;
}

/**
 * Writes messages to the lake with their offsets, exactly once: messages whose offsets the lake
 * already holds are dropped first, and the commit refuses (and is retried) if another consumer
 * committed part of the batch in the meantime.
 */
export async function writeLakeBatch(context: LakeBatchContext, messages: readonly KafkaMessage[], hooks: LakeBatchHooks = {}): Promise<LakeBatchResult> {
  const pending = await prepareLakeBatch(context, messages);
  return pending.commit(hooks);
}

/** A batch validated and written to staging, not yet in the lake. */
export interface PendingLakeBatch {
  /**
   * Commits it under the lake lock. If another consumer committed part of it meanwhile (a
   * rebalance), the part the lake does not hold yet is prepared again and committed.
   */
  commit(hooks?: LakeBatchHooks): Promise<LakeBatchResult>;
  /** Drops it without committing (its messages are read from Kafka again). */
  discard(): Promise<void>;
}

/**
 * The first half of writeLakeBatch: drops the messages the lake already holds, then validates the
 * rest and writes the fast path's files into staging, on `context.engine`'s connection; the lake
 * does not change. The daemon prepares the next batch on a second connection while this one
 * commits (batches still commit one at a time, in order: their offsets follow each other).
 */
export async function prepareLakeBatch(context: LakeBatchContext, messages: readonly KafkaMessage[], attempt = 1): Promise<PendingLakeBatch> {
  const committed = await readLakeOffsets(context.lakeRoot, context.group);
  const live = messages.filter((message) => message.offset >= (committed.get(partitionKey(message.topic, message.partition)) ?? -1));
  const skipped = messages.length - live.length;
  if (live.length === 0) {
    const nothing: LakeBatchResult = { consumed: 0, stored: 0, rejected: 0, duplicates: 0, skipped, snapshotVersion: 0, offsets: new Map(), timings: { validate: 0, commit: 0 } };
    return { commit: async () => nothing, discard: async () => undefined };
  }
  const prepared = await prepareOnce(context, live);
  return {
    commit: async (hooks = {}) => {
      try {
        return { ...(await prepared.commit(hooks)), skipped };
      } catch (error) {
        if (!(error instanceof OffsetConflictError) || attempt >= MAX_CONFLICT_ATTEMPTS) throw error;
      } finally {
        await prepared.dispose();
      }
      const again = await (await prepareLakeBatch(context, live, attempt + 1)).commit(hooks);
      return { ...again, skipped: skipped + again.skipped };
    },
    discard: () => prepared.dispose(),
  };
}

/** Commits of one batch refused by an offset conflict before the error is given up to the caller. */
const MAX_CONFLICT_ATTEMPTS = 5;

let tableCounter = 0;

interface PreparedOnce {
  commit(hooks: LakeBatchHooks): Promise<Omit<LakeBatchResult, 'skipped'>>;
  dispose(): Promise<void>;
}

async function prepareOnce(context: LakeBatchContext, messages: readonly KafkaMessage[]): Promise<PreparedOnce> {
  const { engine } = context;
  const started = performance.now();
  const { records, rejects } = decodeMessages(messages);
  const first = new Map<PartitionKey, number>();
  const next = new Map<PartitionKey, number>();
  for (const message of messages) {
    const key = partitionKey(message.topic, message.partition);
    first.set(key, Math.min(first.get(key) ?? Infinity, message.offset));
    next.set(key, Math.max(next.get(key) ?? -1, message.offset + 1));
  }

  const staged = await stageMessages(engine, records);
  const rejectTable = `_kafka_rejects_${process.pid}_${tableCounter++}`;
  const lakeContext = { engine, registry: context.registry, lakeRoot: context.lakeRoot, reportingCurrency: context.reportingCurrency };
  const batchId = newBatchId();
  const ingestedAt = new Date().toISOString();
  let batch: StagedBatch | undefined;
  const direct: { write: DirectWrite; topics: string[] }[] = [];
  let generalTables: PrewrittenTable[] = [];
  const dispose = async () => {
    await batch?.drop();
    await engine.run(`DROP TABLE IF EXISTS ${ident(staged.table)}; DROP TABLE IF EXISTS ${ident(rejectTable)};`);
    // commitBatch removes the batch's staging folder; this covers a failure before it ran.
    await fs.rm(batchStagingDir(context.lakeRoot, batchId), { recursive: true, force: true });
  };
  try {
    await engine.run(`CREATE TEMP TABLE ${ident(rejectTable)} (raw VARCHAR, origin VARCHAR, reason VARCHAR)`);
    if (rejects.length > 0) {
      const appender = await engine.connection.createAppender(rejectTable, 'main', 'temp');
      for (const reject of rejects) {
        appender.appendVarchar(reject.raw);
        appender.appendVarchar(reject.origin);
        appender.appendVarchar(reject.reason);
        appender.endRow();
      }
      appender.closeSync();
    }
    // Fast path (direct-write.ts), topic by topic: each topic's valid records of its table
    // straight to the table's files (topics of one table together); the general path stages only
    // the rest (other types, rejects), and only when there is any. A batch holds messages of
    // every topic the daemon reads, one type each by default, so splitting by topic keeps mixed
    // traffic on the fast path without reading anything twice.
    const topicsOf = new Map<string, { topics: string[]; textRead: Set<string> }>();
    // Each topic's own hint, kept for its next batch when this one is clean.
    const hints = new Map<string, TableHint>();
    if (context.fastPath !== false) {
      for (const topic of staged.topics.keys()) {
        const hint = context.tableHints?.get(topic) ?? await mainTableOf(engine, context.registry, staged.sqlOf([topic]));
        if (hint === undefined || !context.registry.table(hint.table)) continue;
        hints.set(topic, hint);
        const entry = topicsOf.get(hint.table) ?? { topics: [], textRead: new Set(hint.textRead) };
        entry.topics.push(topic);
        // Topics of one table read as text only what every topic's sample allowed.
        for (const field of entry.textRead) if (!hint.textRead.includes(field)) entry.textRead.delete(field);
        topicsOf.set(hint.table, entry);
      }
    }
    for (const [tableName, { topics, textRead }] of topicsOf) {
      const write = await writeValidDirect(engine, lakeContext, staged.sqlOf(topics), context.registry.table(tableName)!, batchStagingDir(context.lakeRoot, batchId), batchId, ingestedAt, { textRead: [...textRead] });
      direct.push({ write, topics });
      const clean = write.written === topics.reduce((sum, topic) => sum + staged.topics.get(topic)!, 0);
      for (const topic of topics) {
        if (clean) context.tableHints?.set(topic, hints.get(topic)!);
        else context.tableHints?.delete(topic);
      }
    }
    const written = recordsWritten(direct.map(({ write }) => write));
    if (written < records.length) {
      const excludeWritten = direct.map(({ write, topics }) => ({ table: write.table, where: fromTopics(topics) }));
      batch = await stageValidatedBatch(engine, context.registry, staged.sql, new LakeLayout(context.lakeRoot).stagingDir, { excludeWritten, ...await firstRecordsPlan(engine, context.registry, staged.sql) });
      if (batch.total + written !== records.length) {
        throw new Error(`Kafka batch: fast and general path do not split ${records.length} records (${written} written directly, ${batch.total} staged)`);
      }
      generalTables = await writeStagedTables(lakeContext, batch, batchStagingDir(context.lakeRoot, batchId), batchId, ingestedAt);
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  const validated = performance.now();
  const checked = batch;
  const prewritten: PrewrittenTable[] = [...direct.map(({ write }) => ({ table: write.table, files: write.files })), ...generalTables];
  const commit = async (hooks: LakeBatchHooks): Promise<Omit<LakeBatchResult, 'skipped'>> => {
    const committing = performance.now();
    const validationRejects = checked ? `SELECT raw, origin, reasons, 'validate' AS stage, id AS event_id, "type" AS event_type FROM ${ident(checked.view)} WHERE _out = '_rejected'
      UNION ALL ` : '';
    const deadLetterSql = `${validationRejects}SELECT raw, origin, [reason] AS reasons, 'parse' AS stage, NULL::VARCHAR AS event_id, NULL::VARCHAR AS event_type FROM ${ident(rejectTable)}`;
    const batchRejected = checked?.rejected ?? 0;
    if (hooks.beforeCommit && batchRejected + rejects.length > 0) {
      const notes = await engine.rows<{ origin: string; stage: string; reasons: string[] }>(`SELECT origin, stage, reasons FROM (${deadLetterSql})`);
      await hooks.beforeCommit(notes.map((note) => ({ origin: note.origin, stage: note.stage, reasons: [...note.reasons] })));
    }
    const result = await commitBatch(
      lakeContext,
      {
        prewritten,
        batchId,
        ingestedAt,
        deadLetterSql,
        details: { source: 'kafka', group: context.group, partitions: Object.fromEntries([...first].map(([key, offset]) => [key, [offset, next.get(key)]])) },
        sources: (committedSources) => mergeOffsets(committedSources, context.group, next, first),
        ...(context.streams ? { extend: context.streams.extend } : {}),
      },
    );
    const rejected = batchRejected + rejects.length;
    if (result.stored + result.duplicates + rejected !== messages.length || result.deadLettered !== rejected) {
      throw new Error(`Kafka batch counts do not reconcile: consumed ${messages.length}, stored ${result.stored}, duplicates ${result.duplicates}, rejected ${rejected}, dead-lettered ${result.deadLettered}`);
    }
    return {
      consumed: messages.length,
      stored: result.stored,
      rejected,
      duplicates: result.duplicates,
      snapshotVersion: result.snapshotVersion,
      offsets: next,
      timings: { validate: (validated - started) / 1000, commit: (performance.now() - committing) / 1000, lakeParts: result.timings },
    };
  };
  return { commit, dispose };
}
