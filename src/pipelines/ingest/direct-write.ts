/**
 * The fast path of a batch: one pass from input records to a table's final Parquet rows.
 *
 * Most batches are one event type and clean. For them, staging every checked record in Parquet
 * and reading it back per table (the general path, staged-batch.ts) costs more than the
 * validation itself. Here the compiled validation streams straight into the enrichment joins and
 * one ZSTD Parquet file of the main table, in input order. What the pass did not write (records
 * of other types, rejected records) is found by a count and then taken by the general path, which
 * excludes exactly the records written here (`directlyWritten`); validation is deterministic, so
 * the two passes split the input without overlap or gap. That second pass validates the whole
 * input again, so the fast path is taken only when a sample of the first records is all valid
 * records of one table (`mainTableOf`). De-duplication happens in commitBatch under the lake lock
 * (`prewritten`), like the general path's.
 *
 * Time order: row groups are written in input order. When their time ranges do not overlap (an
 * input already in time order, or a batch of one row group) the file is kept as it is, or, when
 * the rows of several row groups span several days, split into one file per day by filtered reads
 * that keep the order (no sort); otherwise it is rewritten sorted and split by day.
 *
 * Memory: DuckDB writes one Parquet file in order on several threads only when a quarter of its
 * memory limit holds about 4 MB per column per thread (duckdb/duckdb#10756); with the scaffold's
 * 512MB and ~40 columns it used one thread, and the whole pass ran on it (7.0 s for 7.1 CPU s per
 * million events; with 700MB, 3.5 s for 6.9 CPU s; from 600MB on it used both threads). The write
 * streams, so its peak does not grow with the input: it gets ORDERED_WRITE_MEMORY while it runs,
 * and the sort keeps the configured limit.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { EventTypeRegistry, TableSpec } from '../../contract/registry.js';
import { referenceCodes } from '../../contract/registry.js';
import { compileValidation, textReadChoice } from '../../contract/sql-validation.js';
import type { Engine } from '../../duckdb/engine.js';
import { ident, literal } from '../../duckdb/sql.js';
import { copyToStaging, enrichedColumns, withReferenceRows, type BatchContext, type StagedFile } from './batch-writer.js';
import { LAKE_PARQUET } from '../../lake/parquet-format.js';

export interface DirectWrite {
  table: string;
  /** Files for commitBatch's `prewritten`, one or more per event date. */
  files: StagedFile[];
  /** Records written (valid records of `table`). */
  written: number;
  /** True when the file had to be sorted after the pass (its rows were not in time order). */
  rewritten: boolean;
}

/** Memory limit, at least, for the order-preserving writes (see above). */
const ORDERED_WRITE_MEMORY = 640 * 1024 ** 2;

/** Records a sample is taken from to choose the path: enough to see a mixed or unclean batch. */
export const SAMPLE_RECORDS = 1_000;

let directCounter = 0;

/** Over the validation output: the records the fast path writes for `table`. */
export function directlyWritten(table: string): string {
  return `(coalesce(_table = ${literal(table)}, false) AND len(reasons) = 0)`;
}

/** How a batch's fast passes read it, from its first records (`tablesOf`). */
export interface FastPlan {
  /** Tables of the batch, in name order. */
  tables: string[];
  /** String fields read as text (`ValidationOptions.textRead`). */
  textRead: string[];
}

/** The one table of a batch and the string fields its fast pass reads as text (`mainTableOf`). */
export interface TableHint {
  table: string;
  textRead: string[];
}

/**
 * The table of the batch when its first records are all valid records of one table, else
 * undefined: then the general path alone is cheaper (see `tablesOf`).
 */
export async function mainTableOf(engine: Engine, registry: EventTypeRegistry, inputSql: string): Promise<TableHint | undefined> {
  const plan = await tablesOf(engine, registry, inputSql, { routed: false });
  return plan ? { table: plan.tables[0]!, textRead: plan.textRead } : undefined;
}

/**
 * The tables of the batch when its first records are all valid, else undefined: then the general
 * path alone is cheaper. Whatever the fast path does not write, the general path validates
 * again, every record of the batch (it must exclude exactly those written): a batch whose
 * records are mostly rejected would be validated twice.
 *
 * One table: the fast path takes the whole input. Several (a file of mixed types), when
 * `routed`: each table's fast pass takes the records whose text names one of its types
 * (`routeSql`), so that no record is validated by every type's rules; not `routed`: undefined.
 * The type names are found in the text (`"type":"<name>"`), without a parse; the sample is
 * validated with the named tables' rules only (every type's rules cost 56 ms per batch, mostly
 * planning the query).
 */
export async function tablesOf(engine: Engine, registry: EventTypeRegistry, inputSql: string, options: { routed: boolean }): Promise<FastPlan | undefined> {
  const sample = `(SELECT * FROM (${inputSql}) LIMIT ${SAMPLE_RECORDS})`;
  const route = routeSql(registry);
  const routes = await engine.rows<{ table: string | null }>(`SELECT DISTINCT ${route} AS "table" FROM ${sample}`);
  const named = routes.map((row) => row.table).filter((table): table is string => table !== null);
  if (named.length <= 1) {
    // No type name found in the text at all (JSON written with spaces after its colons): every
    // type's rules decide, as before.
    const types = named.length === 1 ? registry.specs.filter((spec) => spec.table === named[0]) : registry.specs;
    const validation = compileValidation(types, referenceCodes(), sample);
    const textRead = textReadChoice(types, (field) => ident(field.column));
    // Clean: every record valid, all of one table.
    const [row] = await engine.rows(
      `SELECT count(*) AS n, count(*) FILTER (WHERE len(reasons) > 0) AS rejected, list(DISTINCT _table) AS tables${textRead.items} FROM (${validation.sql})`,
    );
    const tables = (row?.tables ?? []) as (string | null)[];
    return row && Number(row.rejected) === 0 && tables.length === 1 && tables[0] !== null ? { tables: [tables[0]!], textRead: textRead.choose(row) } : undefined;
  }
  // Mixed: a record without a type name in its text (routed nowhere), or not a valid record of
  // the table it is routed to, makes the sample unclean.
  if (!options.routed || routes.some((row) => row.table === null)) return undefined;
  const types = registry.specs.filter((spec) => named.includes(spec.table));
  const validation = compileValidation(types, referenceCodes(), sample, { keep: { _route: route } });
  const textRead = textReadChoice(types, (field) => ident(field.column));
  const [row] = await engine.rows(
    `SELECT count(*) AS n, count(*) FILTER (WHERE len(reasons) > 0 OR _table IS DISTINCT FROM _route) AS unclean${textRead.items} FROM (${validation.sql})`,
  );
  return row && Number(row.unclean) === 0 ? { tables: named.sort(), textRead: textRead.choose(row) } : undefined;
}

/**
 * The table a record's text names: of the known types, in the registry's order, the first whose
 * `"type":"<name>"` (compact JSON) the text contains; NULL for none. Over a relation with the
 * record's text in `raw`. Deterministic, so a fast pass that took the records routed to its table
 * and the general path that leaves them out agree.
 */
export function routeSql(registry: EventTypeRegistry): string {
  const tables = new Map(registry.specs.map((spec) => [spec.type, spec.table]));
  const json = (text: string) => JSON.stringify(text);
  return `CASE ${[...tables].map(([type, table]) => `WHEN contains(raw, ${literal(`${json('type')}:${json(type)}`)}) THEN ${literal(table)}`).join(' ')} END`;
}

/** Records the fast passes wrote. */
export function recordsWritten(writes: readonly DirectWrite[]): number {
  return writes.reduce((sum, write) => sum + write.written, 0);
}

/** What the fast passes over a file wrote, and what the general path must leave out. */
export interface FastPasses {
  writes: DirectWrite[];
  /** Tables whose pass took only the records routed to them (`routeSql`). */
  routedTables: string[];
  /** Records of the input (lines the reader could not take not counted). */
  total: number;
}

/**
 * The fast passes over one input (a file): `plan` from `tablesOf`, one pass for one table, one
 * pass per table over its routed records for several. `lines.sql` records unreadable lines, so
 * only the first pass reads it; `lines.plainSql` is the same records without that.
 * `target.maxRecords`, when given, is at least the number of records (`countLines`): when the
 * passes wrote that many, the records are not counted again. When the file is `large` and records
 * are left over, types its first records did not show (files of one type each, concatenated) get
 * passes of their own too, rather than the general path validating every record again; what is
 * left after them (rejects) is the general path's.
 */
export async function writeFastPasses(
  engine: Engine,
  context: BatchContext,
  lines: { sql: string; plainSql: string },
  plan: FastPlan,
  target: { staging: string; batchId: string; ingestedAt: string; large: boolean; maxRecords?: Promise<number | undefined> },
): Promise<FastPasses> {
  const { tables, textRead } = plan;
  const route = routeSql(context.registry);
  const passes: FastPasses = { writes: [], routedTables: [], total: 0 };
  const pass = async (name: string, routed: boolean) => {
    const input = passes.writes.length === 0 ? lines.sql : lines.plainSql;
    const records = routed ? `SELECT * FROM (${input}) WHERE ${route} = ${literal(name)}` : input;
    passes.writes.push(await writeValidDirect(engine, context, records, context.registry.table(name)!, target.staging, target.batchId, target.ingestedAt, { textRead }));
    if (routed) passes.routedTables.push(name);
  };
  for (const name of tables) await pass(name, tables.length > 1);
  const maxRecords = await target.maxRecords;
  passes.total = maxRecords === recordsWritten(passes.writes) ? maxRecords : Number((await engine.rows<{ n: number }>(`SELECT count(*) AS n FROM (${lines.plainSql})`))[0]?.n ?? 0);
  if (target.large && passes.total > recordsWritten(passes.writes)) {
    const found = await engine.rows<{ table: string }>(`SELECT DISTINCT ${route} AS "table" FROM (${lines.plainSql}) WHERE ${route} IS NOT NULL`);
    for (const name of found.map((row) => row.table).filter((table) => !tables.includes(table)).sort()) await pass(name, true);
  }
  return passes;
}

/**
 * The general path's exclusions after `passes` (stageValidatedBatch's `excludeWritten` and `keep`):
 * a routed pass's table only among the records routed to it. The route is computed from `raw`,
 * which the validation keeps for rejected records only, so it is carried through as `_route`.
 */
export function writtenByPasses(registry: EventTypeRegistry, passes: FastPasses): { excludeWritten: { table: string; where?: string }[]; keep?: Record<string, string> } {
  const routed = new Set(passes.routedTables);
  return {
    excludeWritten: passes.writes.map((write) => ({ table: write.table, ...(routed.has(write.table) ? { where: `_route = ${literal(write.table)}` } : {}) })),
    ...(routed.size > 0 ? { keep: { _route: routeSql(registry) } } : {}),
  };
}

/**
 * Validates every record of `inputSql` and writes the valid records of `table`, enriched, into
 * `staging` (the batch's staging folder) as `<table>/event_date=<day>/part-<batch>-f<n>.parquet`.
 */
export async function writeValidDirect(
  engine: Engine,
  context: BatchContext,
  inputSql: string,
  table: TableSpec,
  staging: string,
  batchId: string,
  ingestedAt: string,
  options: { textRead?: readonly string[] } = {},
): Promise<DirectWrite> {
  const input = `_direct_input_${process.pid}_${directCounter++}`;
  // Only the table's own types: a record of another type is "unknown" here and left to the
  // general path, as it would be anyway (its `_table` is not this one); the rules of this
  // table's types are the same, so the two passes still split the input exactly. Columns of
  // the other types' fields cost 5% of the pass even when NULL.
  // The batch's first records all passed (tablesOf), so malformed records are rare here: without
  // the json_valid check, a vector holding one is parsed again row by row (sql-validation.ts).
  const validation = compileValidation(context.registry.specs.filter((spec) => spec.table === table.name), referenceCodes(), ident(input), { malformedExpected: false, ...options });
  const dir = path.join(staging, '_direct');
  const file = path.join(dir, `${table.name}.parquet`);
  await fs.mkdir(dir, { recursive: true });
  await engine.run(`CREATE OR REPLACE TEMP VIEW ${ident(input)} AS ${inputSql}`);
  let written: number;
  try {
    // Enrichment by lookups, not joins, keeps the input order (reference-tables.ts). Filter
    // pushdown would copy the whole validation expression (reasons) into the filter and compute
    // it twice; the filter is cheap on the computed columns.
    await engine.run(`SET disabled_optimizers = 'filter_pushdown'`);
    const [row] = await engine.withMemoryAtLeast(ORDERED_WRITE_MEMORY, () => engine.rows<{ Count: number }>(
      `COPY (SELECT ${enrichedColumns(context, table, ingestedAt, batchId)} FROM ${withReferenceRows(table, `(${validation.sql}) WHERE _table = ${literal(table.name)} AND len(reasons) = 0`)})
        TO ${literal(file)} (${LAKE_PARQUET})`,
    ));
    written = Number(row?.Count ?? 0);
  } finally {
    await engine.run(`RESET disabled_optimizers; DROP VIEW IF EXISTS ${ident(input)}`);
  }
  if (written === 0) {
    await fs.rm(file, { force: true });
    return { table: table.name, files: [], written, rewritten: false };
  }
  // Row-group statistics of the written file, read once: its days and whether its row groups'
  // time ranges follow each other.
  const [shape] = await engine.rows<{ first_day: string; last_day: string; overlaps: number; row_groups: number }>(`
    WITH stats AS (SELECT row_group_id, path_in_schema, stats_min_value, stats_max_value FROM parquet_metadata(${literal(file)})),
    times AS (
      SELECT stats_min_value::TIMESTAMPTZ AS low, lag(stats_max_value::TIMESTAMPTZ) OVER (ORDER BY row_group_id) AS previous_high
      FROM stats WHERE path_in_schema = 'occurred_at')
    SELECT (SELECT count(DISTINCT row_group_id) FROM stats) AS row_groups,
           (SELECT min(stats_min_value) FROM stats WHERE path_in_schema = 'event_date') AS first_day,
           (SELECT max(stats_max_value) FROM stats WHERE path_in_schema = 'event_date') AS last_day,
           (SELECT count(*) FROM times WHERE low < previous_high) AS overlaps`);
  const bytes = (await fs.stat(file)).size;
  // One row group says nothing of the order inside it: over several days it is sorted (cheaply).
  const oneDay = shape?.first_day === shape?.last_day;
  if (shape && Number(shape.overlaps) === 0 && (oneDay || Number(shape.row_groups) > 1)) {
    const files = oneDay
      ? [await moveToPartition(file, staging, table.name, shape.first_day, batchId, written, bytes)]
      : await splitByDay(engine, file, staging, table.name, batchId);
    await fs.rm(file, { force: true });
    const split = files.reduce((sum, part) => sum + part.rows, 0);
    if (split !== written) throw new Error(`direct write of ${table.name}: split ${split} of ${written} rows into days`);
    return { table: table.name, files, written, rewritten: false };
  }
  const files = await copyToStaging(engine, path.join(staging, table.name),
    `SELECT * FROM read_parquet(${literal(file)}) ORDER BY occurred_at`, 'event_date', batchId, { namePrefix: 'f' });
  await fs.rm(file, { force: true });
  return { table: table.name, files, written, rewritten: true };
}

function partitionFile(staging: string, table: string, day: string, batchId: string): string {
  return path.join(staging, table, `event_date=${day}`, `part-${batchId}-f0.parquet`);
}

async function moveToPartition(file: string, staging: string, table: string, day: string, batchId: string, rows: number, bytes: number): Promise<StagedFile> {
  const target = partitionFile(staging, table, day, batchId);
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.rename(file, target);
  return { file: target, rows, bytes, partition: { event_date: day } };
}

/**
 * One file per day of a file whose row groups are in time order: each day is a filtered read
 * (row-group statistics skip the other days) written in the same order, so no sort is needed.
 */
async function splitByDay(engine: Engine, file: string, staging: string, table: string, batchId: string): Promise<StagedFile[]> {
  const days = await engine.rows<{ day: string }>(`SELECT DISTINCT event_date::VARCHAR AS day FROM read_parquet(${literal(file)}) ORDER BY day`);
  const files: StagedFile[] = [];
  for (const { day } of days) {
    const target = partitionFile(staging, table, day, batchId);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const [row] = await engine.withMemoryAtLeast(ORDERED_WRITE_MEMORY, () => engine.rows<{ Count: number }>(
      `COPY (SELECT * FROM read_parquet(${literal(file)}) WHERE event_date = ${literal(day)}::DATE) TO ${literal(target)} (${LAKE_PARQUET})`,
    ));
    files.push({ file: target, rows: Number(row?.Count ?? 0), bytes: (await fs.stat(target)).size, partition: { event_date: day } });
  }
  return files;
}
