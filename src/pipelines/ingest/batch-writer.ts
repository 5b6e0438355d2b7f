/**
 * Commits one validated batch to the lake: the single write path of file and Kafka ingest.
 *
 * Input: each table's files, already validated, enriched, sorted by event time and split by event
 * date in this batch's staging folder (by the fast path, direct-write.ts, or from the general
 * path's checked records, staged-batch.ts), and a relation of dead letters. Under the lake lock it
 * de-duplicates those files against the lake (only the stored files whose dates and time range the
 * batch touches; a file is rewritten only when it holds an event the lake has), writes the dead letters, makes everything
 * durable, moves it into place and commits a snapshot that lists it together with any source
 * positions (Kafka offsets). Until that commit nobody sees them. The table files are written
 * before the lock, so a batch holds the lock only for the checks, and the next batch's writes
 * run while this one's stream jobs do.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { EventTypeRegistry, TableSpec } from '../../contract/registry.js';
import type { Engine } from '../../duckdb/engine.js';
import { ident, literal } from '../../duckdb/sql.js';
import { fsyncDir, fsyncFile } from '../../lake/durable-fs.js';
import { LakeLayout } from '../../lake/layout.js';
import { withLakeLock } from '../../lake/lock.js';
import { commitSnapshot, readLatestSnapshot, type DataFile, type DerivedTable, type Snapshot } from '../../lake/snapshot.js';
import { referenceLookup, referenceRow } from './reference-tables.js';
import { DEAD_LETTER_COLUMNS, DEAD_LETTER_TABLE, enrichmentColumns, eventTableColumns } from '../../lake/tables.js';
import { LAKE_PARQUET } from '../../lake/parquet-format.js';
import { eventTimeRanges, mayOverlap, timeRangeText, type TimeRange } from '../../lake/time-range.js';

export interface BatchContext {
  engine: Engine;
  registry: EventTypeRegistry;
  lakeRoot: string;
  reportingCurrency: string;
}

export interface BatchInput {
  /**
   * Table files written before the commit, validated and enriched (direct-write.ts,
   * staged-batch.ts), inside `batchStagingDir(lakeRoot, batchId)`; a table may come in several
   * parts. They are de-duplicated here under the lock (rewritten only when they hold a repeated or
   * already stored event: the same `id` and `occurred_at`) and published with the rest.
   */
  prewritten: PrewrittenTable[];
  /** The batch id the prewritten files were written under (`newBatchId()`); generated when absent. */
  batchId?: string;
  /** The `ingested_at` the prewritten files carry, so every row of the batch has the same; now when absent. */
  ingestedAt?: string;
  /** SELECT raw, origin, reasons, stage, event_id, event_type — the batch's dead letters. */
  deadLetterSql: string;
  /** Describes the batch in the snapshot (input files, consumer group…). */
  details: Record<string, unknown>;
  /**
   * Merges this batch's source positions into the snapshot's; called under the lock with the
   * latest committed positions, so concurrent daemons never overwrite each other's offsets.
   */
  sources?: (committed: Snapshot['sources']) => Snapshot['sources'];
  /** Derives more files from the rows this batch stores (stream jobs, src/streams/), committed in the same snapshot. */
  extend?: (batch: StoredBatch) => Promise<BatchExtension | undefined>;
}

/** What `extend` sees, under the lock: the batch's newly stored rows, still in staging. */
export interface StoredBatch {
  engine: Engine;
  parent: Snapshot;
  batchId: string;
  ingestedAt: string;
  /** The batch's staging folder; extension files go to `<staging>/<table>/…`. */
  staging: string;
  /** Staged Parquet files of each event table (de-duplicated rows only), and their rows. */
  stored: { table: string; files: string[]; rows: number }[];
}

/** Files, source positions and table definitions an extension adds to the batch's snapshot. */
export interface BatchExtension {
  staged: { table: string; files: StagedFile[] }[];
  sources: (committed: Snapshot['sources']) => Snapshot['sources'];
  define: DerivedTable[];
  /** Called once the snapshot is committed. */
  committed?: (version: number) => void;
}

export interface PrewrittenTable {
  table: string;
  files: StagedFile[];
  /** Valid records of the table in the batch, when the files already left out repeats within it; else their rows. */
  valid?: number;
}

export interface TableCount {
  table: string;
  valid: number;
  stored: number;
  duplicates: number;
}

export interface BatchResult {
  batchId: string;
  /** Seconds spent waiting for the lock, writing tables (and checking prewritten ones), dead letters, and publishing. */
  timings: { lock: number; tables: number; deadLetters: number; publish: number };
  snapshotVersion: number;
  tables: TableCount[];
  stored: number;
  duplicates: number;
  deadLettered: number;
  files: DataFile[];
}

/** A new batch id: sortable by time, unique across processes. */
export function newBatchId(): string {
  return `${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}`;
}

/** The staging folder of a batch: files written there are invisible until the commit publishes them. */
export function batchStagingDir(lakeRoot: string, batchId: string): string {
  return path.join(new LakeLayout(lakeRoot).stagingDir, batchId);
}

/** Commits a checked batch. Returns what was stored; throws before the commit on any failure. */
export async function commitBatch(context: BatchContext, input: BatchInput): Promise<BatchResult> {
  const { engine } = context;
  const layout = new LakeLayout(context.lakeRoot);
  const batchId = input.batchId ?? newBatchId();
  const staging = batchStagingDir(context.lakeRoot, batchId);
  // A table may come in parts (a Kafka batch's clean topics by the fast path, its other records
  // by the general path): its parts are checked together, so an event in two parts is kept once.
  const prewritten = new Map<string, { files: StagedFile[]; valid: number }>();
  for (const pre of input.prewritten) {
    const entry = prewritten.get(pre.table) ?? { files: [], valid: 0 };
    entry.files.push(...pre.files);
    entry.valid += pre.valid ?? pre.files.reduce((sum, file) => sum + file.rows, 0);
    prewritten.set(pre.table, entry);
  }
  await fs.mkdir(staging, { recursive: true });
  const timings = { lock: 0, tables: 0, deadLetters: 0, publish: 0 };
  let mark = performance.now();
  const lap = () => {
    const now = performance.now();
    const seconds = (now - mark) / 1000;
    mark = now;
    return seconds;
  };
  try {
    return await withLakeLock(layout, async () => {
      timings.lock = lap();
      const parent = await readLatestSnapshot(layout);
      const ingestedAt = input.ingestedAt ?? new Date().toISOString();
      const staged: { table: string; files: StagedFile[] }[] = [];
      const tables: TableCount[] = [];
      for (const [name, pre] of prewritten) {
        const table = context.registry.table(name);
        if (!table) throw new Error(`batch ${batchId}: prewritten files for unknown table ${name}`);
        const files = await dedupPrewritten(engine, layout, parent, table, pre.files, staging, batchId);
        const stored = files.reduce((sum, file) => sum + file.rows, 0);
        tables.push({ table: table.name, valid: pre.valid, stored, duplicates: pre.valid - stored });
        staged.push({ table: table.name, files });
      }
      timings.tables = lap();
      const deadLetterFiles = await copyToStaging(engine, path.join(staging, DEAD_LETTER_TABLE), deadLetterSelect(input.deadLetterSql, ingestedAt, batchId), 'ingest_date', batchId);
      staged.push({ table: DEAD_LETTER_TABLE, files: deadLetterFiles });

      timings.deadLetters = lap();
      const extension = input.extend
        ? await input.extend({ engine, parent, batchId, ingestedAt, staging, stored: staged.filter((entry) => entry.table !== DEAD_LETTER_TABLE).map((entry) => ({ table: entry.table, files: entry.files.map((file) => file.file), rows: entry.files.reduce((sum, file) => sum + file.rows, 0) })) })
        : undefined;
      if (extension) staged.push(...extension.staged);
      const ranges = await eventTimeRanges(engine, staged.filter((entry) => context.registry.table(entry.table)).flatMap((entry) => entry.files.map((file) => file.file)));
      const added = await publishStaged(layout, staging, staged, parent.version + 1, ranges);
      const ownSources = input.sources ? input.sources(parent.sources) : parent.sources;
      const sources = extension ? extension.sources(ownSources) : ownSources;
      // A batch that adds nothing (all duplicates) and moves no source position commits nothing.
      const snapshot = added.length === 0 && JSON.stringify(sources) === JSON.stringify(parent.sources) ? parent : await commitSnapshot(layout, parent, {
        operation: 'ingest',
        details: { batch_id: batchId, ...input.details },
        files: [...parent.files, ...added],
        sources,
        ...(extension ? { tables: { ...parent.tables, ...Object.fromEntries(extension.define.map((table) => [table.name, table])) } } : {}),
      });
      if (extension && snapshot !== parent) extension.committed?.(snapshot.version);
      timings.publish = lap();
      return {
        batchId,
        timings,
        snapshotVersion: snapshot.version,
        tables,
        stored: tables.reduce((sum, t) => sum + t.stored, 0),
        duplicates: tables.reduce((sum, t) => sum + t.duplicates, 0),
        deadLettered: deadLetterFiles.reduce((sum, file) => sum + file.rows, 0),
        files: added,
      };
    });
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/**
 * De-duplicates a table's prewritten files: within the batch (the first read) and against the
 * lake. A duplicate is a record with the `id` and `occurred_at` of one stored before (a re-send
 * carries both). One pass over the files tells whether anything repeats; only then are they
 * rewritten without the repeats.
 */
async function dedupPrewritten(engine: Engine, layout: LakeLayout, snapshot: Snapshot, table: TableSpec, files: StagedFile[], staging: string, batchId: string): Promise<StagedFile[]> {
  if (files.length === 0) return files;
  const written = `read_parquet([${files.map((file) => literal(file.file)).join(', ')}], hive_partitioning = false, file_row_number = true, filename = true)`;
  const dates = new Set(files.map((file) => file.partition.event_date ?? ''));
  // An aggregate without GROUP BY: always one row.
  const [shape] = await engine.rows<{ repeated: number; minTime: string; maxTime: string }>(
    `SELECT count(*) - count(DISTINCT (id, occurred_at)) AS repeated, ${timeRangeText('min(occurred_at)')} AS "minTime", ${timeRangeText('max(occurred_at)')} AS "maxTime" FROM ${written}`,
  ) as [{ repeated: number; minTime: string; maxTime: string }];
  const existing = await existingEventsRelation(engine, layout, snapshot, table, dates, { minTime: shape.minTime, maxTime: shape.maxTime }, `SELECT id, occurred_at FROM ${written}`);
  const known = existing ? Number((await engine.rows<{ n: number }>(`SELECT count(*) AS n FROM ${existing}`))[0]?.n ?? 0) : 0;
  if (Number(shape.repeated) === 0 && known === 0) return files;
  const columns = eventTableColumns(table).map((column) => `w.${ident(column.name)}`).join(', ');
  const rewritten = await copyToStaging(engine, path.join(staging, table.name), `SELECT ${columns} FROM ${written} w
    ${existing && known > 0 ? `ANTI JOIN ${existing} e ON e.id = w.id AND e.occurred_at = w.occurred_at` : ''}
    QUALIFY row_number() OVER (PARTITION BY w.id, w.occurred_at ORDER BY w.filename, w.file_row_number) = 1
    ORDER BY w.occurred_at`, 'event_date', batchId, { namePrefix: 'u', values: dates });
  await Promise.all(files.map((file) => fs.rm(file.file, { force: true })));
  return rewritten;
}

/**
 * The batch's events (`batchEvents`, a SELECT of `id` and `occurred_at`) that the lake already
 * holds, as a small temp table (or undefined when no stored file can hold any). Only the files
 * of the batch's dates whose time range (recorded in the snapshot) overlaps the batch's are read,
 * and in them only the row groups of that range: the check costs what the batch's time span
 * holds, not what the day holds. Reading every stored id of the day cost about 48 ms per million
 * ids for every batch, seconds per batch for a daemon a few hours into a day at 10,000 events/s
 * (docs/performance.md). The lake's rows stream against a hash table of the batch's: memory stays
 * the batch's size.
 */
async function existingEventsRelation(engine: Engine, layout: LakeLayout, snapshot: Snapshot, table: TableSpec, wanted: Set<string>, range: TimeRange, batchEvents: string): Promise<string | undefined> {
  const files = snapshot.files.filter((file) => file.table === table.name && wanted.has(file.partition.event_date ?? '') && mayOverlap(file, range));
  if (files.length === 0) return undefined;
  const name = `_existing_${table.name}`;
  await engine.run(`CREATE OR REPLACE TEMP TABLE ${ident(name)} AS
    SELECT DISTINCT l.id, l.occurred_at FROM read_parquet([${files.map((file) => literal(layout.resolve(file.path))).join(', ')}], hive_partitioning = false) l
    SEMI JOIN (${batchEvents}) b ON b.id = l.id AND b.occurred_at = l.occurred_at
    WHERE l.occurred_at BETWEEN ${literal(range.minTime)}::TIMESTAMPTZ AND ${literal(range.maxTime)}::TIMESTAMPTZ`);
  return ident(name);
}

// The UTC date and hour of an event time by integer arithmetic on its epoch microseconds: the
// casts of a TIMESTAMPTZ to DATE and hour() go through ICU's calendar, 4% of a file's ingest.
const US_PER_HOUR = 3_600_000_000;
const US_PER_DAY = 86_400_000_000;
const EPOCH_US = 'epoch_us(c.occurred_at)';
/** Microseconds since the start of the UTC day (also before 1970, where % is negative). */
const US_INTO_DAY = `((${EPOCH_US} % ${US_PER_DAY} + ${US_PER_DAY}) % ${US_PER_DAY})`;

/** An ENUM type of `values` (SQL): few-valued texts are written from ENUMs (why: reference-tables.ts). */
function enumOf(values: readonly string[]): string {
  return `ENUM(${[...new Set(values)].sort().map(literal).join(', ')})`;
}

const GEO_SOURCE = enumOf(['country', 'event']);

/**
 * The stored columns of a table computed from checked records `c` (see withReferenceRows):
 * typed values, enrichment from the reference tables (lookups, not joins: see
 * reference-tables.ts), partition and batch columns.
 */
export function enrichedColumns(context: Pick<BatchContext, 'reportingCurrency'>, table: TableSpec, ingestedAt: string, batchId: string): string {
  const enrich = new Set(enrichmentColumns(table).map((column) => column.name));
  const fillGeo = enrich.has('geo_source');
  const country = (column: string) => `c._country_row.${column}`;
  const category = (column: string) => `c._merchant_category_row.${column}`;
  const expressions = eventTableColumns(table).map((column) => {
    const name = column.name;
    switch (name) {
      case 'extra': return `c.extra::JSON AS extra`;
      case 'lat': case 'lon':
        return fillGeo ? `coalesce(c.${name}, ${country(name)}) AS ${name}` : `c.${name} AS ${name}`;
      case 'amount_reporting':
        return `CAST(c.amount * ${referenceLookup('rate', 'c.currency', 'usd_per_unit')} / ${referenceLookup('rate', literal(context.reportingCurrency), 'usd_per_unit')} AS DECIMAL(18,4)) AS amount_reporting`;
      case 'country_name': return `${country('name')} AS country_name`;
      case 'region': return `${country('region')} AS region`;
      case 'merchant_category_name': return `${category('name')} AS merchant_category_name`;
      case 'merchant_category_group': return `${category('category_group')} AS merchant_category_group`;
      case 'geo_source':
        return `CASE WHEN c.lat IS NOT NULL AND c.lon IS NOT NULL THEN CAST('event' AS ${GEO_SOURCE}) WHEN ${country('lat')} IS NOT NULL THEN CAST('country' AS ${GEO_SOURCE}) END AS geo_source`;
      case 'type': return `CAST(c."type" AS ${enumOf(table.types)}) AS "type"`;
      case 'event_date': return `(DATE '1970-01-01' + CAST((${EPOCH_US} - ${US_INTO_DAY}) // ${US_PER_DAY} AS INTEGER)) AS event_date`;
      case 'event_hour': return `CAST(${US_INTO_DAY} // ${US_PER_HOUR} AS INTEGER) AS event_hour`;
      case 'ingested_at': return `TIMESTAMPTZ ${literal(ingestedAt)} AS ingested_at`;
      case 'batch_id': return `${literal(batchId)} AS batch_id`;
      default: return `c.${ident(name)} AS ${ident(name)}`;
    }
  });
  return expressions.join(', ');
}

/**
 * The checked records of `from` (a relation, with its WHERE if any) with their reference rows,
 * each looked up once, as the relation `c` that enrichedColumns reads.
 */
export function withReferenceRows(table: TableSpec, from: string): string {
  // A reference row is read when an enrichment of the table needs its code field.
  const needed = new Set(enrichmentColumns(table).flatMap((enrichment) => enrichment.needs));
  const rows = [
    ...(needed.has('country') ? [`, ${referenceRow('country', 'country')} AS _country_row`] : []),
    ...(needed.has('merchant_category') ? [`, ${referenceRow('merchantCategory', 'merchant_category')} AS _merchant_category_row`] : []),
  ];
  return `(SELECT *${rows.join('')} FROM ${from}) c`;
}

/**
 * The SELECT of a table's rows from checked records (staged-batch.ts): typed, enriched, sorted by
 * event time; with `repeated`, one row per `id` and `occurred_at` (the first read).
 */
export function tableSelect(context: Pick<BatchContext, 'reportingCurrency'>, table: TableSpec, checked: string, repeated: boolean, ingestedAt: string, batchId: string): string {
  return `SELECT ${enrichedColumns(context, table, ingestedAt, batchId)}
FROM ${withReferenceRows(table, `${checked} WHERE _out = ${literal(table.name)}`)}
${repeated ? 'QUALIFY row_number() OVER (PARTITION BY c.id, c.occurred_at ORDER BY c.ordinal NULLS LAST) = 1' : ''}
ORDER BY c.occurred_at`;
}

function deadLetterSelect(deadLetterSql: string, rejectedAt: string, batchId: string): string {
  const names = DEAD_LETTER_COLUMNS.map((column) => column.name);
  const values: Record<string, string> = {
    rejected_at: `TIMESTAMPTZ ${literal(rejectedAt)}`,
    ingest_date: `CAST(TIMESTAMPTZ ${literal(rejectedAt)} AS DATE)`,
    batch_id: literal(batchId),
  };
  return `SELECT ${names.map((name) => `${values[name] ?? `d.${ident(name)}`} AS ${ident(name)}`).join(', ')} FROM (${deadLetterSql}) d ORDER BY d.origin`;
}

/** A Parquet file written under a batch's staging folder, with its row count and partition. */
export interface StagedFile {
  /** Absolute path under `<lake>/_staging/<batch>/<table>/<partition>/`. */
  file: string;
  rows: number;
  bytes: number;
  partition: Record<string, string>;
}

/**
 * Writes a SELECT to partitioned Parquet files in a staging folder and describes each file. With a
 * name prefix, the folder may already hold other files of the batch (they keep their names).
 * `values`: the partition values the rows can have, when the caller knows them (a value without
 * rows writes no file); otherwise a query of the SELECT finds them.
 *
 * One COPY per partition value, not DuckDB's PARTITION_BY: a partitioned COPY of an ordered
 * SELECT holds the whole sorted result in memory, and 570,000 transactions of a mixed file ran
 * out of the 512MB limit; a plain COPY of a sort streams, and the sort spills. A batch spans a
 * day or two, so the extra scans (one per value, of the filter's columns) cost little.
 */
export async function copyToStaging(engine: Engine, dir: string, select: string, partitionColumn: string, batchId: string, options: { namePrefix?: string; values?: Iterable<string> } = {}): Promise<StagedFile[]> {
  const column = ident(partitionColumn);
  const namePrefix = options.namePrefix ?? '';
  const values = options.values ? [...options.values].sort()
    : (await engine.rows<{ value: string }>(`SELECT DISTINCT CAST(${column} AS VARCHAR) AS value FROM (${select}) ORDER BY value`)).map((row) => row.value);
  const files: StagedFile[] = [];
  for (const value of values) {
    const file = path.join(dir, `${partitionColumn}=${value}`, `part-${batchId}-${namePrefix}0.parquet`);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const [row] = await engine.rows<{ Count: number }>(`COPY (SELECT * FROM (${select}) WHERE ${column} = ${literal(value)}) TO ${literal(file)} (${LAKE_PARQUET})`);
    const rows = Number(row?.Count ?? 0);
    if (rows === 0) {
      await fs.rm(file, { force: true });
      continue;
    }
    files.push({ file, rows, bytes: (await fs.stat(file)).size, partition: { [partitionColumn]: value } });
  }
  return files;
}

/**
 * Makes staged files durable and moves them to their final places; returns their snapshot
 * entries, with the event-time range of the event tables' files (`ranges`, by staged path).
 */
async function publishStaged(layout: LakeLayout, staging: string, staged: { table: string; files: StagedFile[] }[], version: number, ranges: Map<string, TimeRange>): Promise<DataFile[]> {
  const added: DataFile[] = [];
  for (const { table, files } of staged) {
    for (const file of files) {
      await fsyncFile(file.file);
      const relativeInStaging = path.relative(staging, file.file);
      const target = path.join(layout.root, relativeInStaging);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(file.file, target);
      await fsyncDir(path.dirname(target));
      const range = ranges.get(file.file);
      added.push({ table, path: layout.relative(target), rows: file.rows, bytes: file.bytes, partition: file.partition, addedIn: version, ...(range ? { minTime: range.minTime, maxTime: range.maxTime } : {}) });
    }
  }
  return added;
}
